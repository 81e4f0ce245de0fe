"""The lab: one container holding a Docker engine and the learner's JupyterLab kernel.

Started on the host engine without ``--privileged`` (capabilities instead, which
our VMs allow), with a private cgroup namespace so that the lab's memory, pids and
cpu limits cap everything inside it. Its engine data lives on a volume; its socket
sits in a host folder so host-side tools reach the same engine.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from grader.engine import catalogue, image_cache, provisioning
from grader.engine.client import connect
from grader.engine.progress import Reporter, silent
from grader.engine.settings import (
    COURSE_LABEL,
    LAB_SOCKET_IN_LAB,
    Settings,
    cache_dir,
    ensure_writable,
    repo_root,
)
from grader.errors import EngineUnavailable, LabError

LAB_NETWORK = "docker-course-labs"
LAB_SUBNET = "10.213.0.0/16"  # outside 172.17.0.0/16: the lab's own docker0 keeps the default
LAB_BRIDGE = "dcourse0"
LAB_ROLE_LABEL = "org.docker-course.lab"
CAP_FLAGS = {"cap_add": ["ALL"], "cap_drop": ["SYS_RESOURCE"]}
SECURITY_OPT = ["seccomp=unconfined", "apparmor=unconfined"]


@dataclass
class LabInfo:
    """What a running lab is: its name, engine URL, JupyterLab URL and mounted folder."""

    name: str
    docker_host: str
    jupyter_url: str | None
    root: str
    state: str


def data_volume(name: str) -> str:
    return f"{name}-data"


def ensure_network(host: docker.DockerClient) -> None:
    """The host network labs attach to, with no route off the machine for its members."""
    try:
        host.networks.get(LAB_NETWORK)
    except NotFound:
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=LAB_SUBNET)])
        try:
            host.networks.create(
                LAB_NETWORK,
                driver="bridge",
                ipam=ipam,
                labels={COURSE_LABEL: "lab-network"},
                options={"com.docker.network.bridge.name": LAB_BRIDGE},
            )
        except APIError as e:
            if "already exists" not in str(e):
                raise LabError(f"Could not create the labs' network: {e.explanation}") from e
    _drop_outbound()


def _drop_outbound() -> None:
    """Host firewall: labs may talk to each other and to the host, never beyond."""
    iptables = shutil.which("iptables")
    if not iptables:
        return
    rule = ["DOCKER-USER", "-i", LAB_BRIDGE, "!", "-o", LAB_BRIDGE, "-j", "DROP"]
    exists = subprocess.run([iptables, "-C", *rule], capture_output=True)
    if exists.returncode != 0:
        subprocess.run([iptables, "-I", *rule], capture_output=True)


def find(host: docker.DockerClient, name: str) -> docker.models.containers.Container | None:
    try:
        return host.containers.get(name)
    except NotFound:
        return None


def _wanted_spec(settings: Settings, name: str, root: Path, jupyter: bool) -> str:
    image = catalogue.BY_TAG[catalogue.LAB_IMAGE]
    return "|".join([image.recipe(), str(root), str(jupyter), str(settings.jupyter_port)])


def up(
    host: docker.DockerClient,
    settings: Settings,
    name: str | None = None,
    root: Path | None = None,
    jupyter: bool = True,
    port: int | None = None,
    base_images: list[str] | None = None,
    report: Reporter = silent,
    timeout: float = 90,
    root_read_only: bool = False,
    extra_mounts: list[Path] | None = None,
    labels: dict[str, str] | None = None,
) -> LabInfo:
    """Start (or reuse) a lab and return how to reach it.

    Args:
        host: the host engine.
        name: lab container name (default: the settings' lab name).
        root: the folder mounted at the same absolute path (default: this checkout).
        jupyter: start JupyterLab on ``root/course`` and publish it on 127.0.0.1.
        base_images: base images to load into the lab's engine (default: all).
        root_read_only: mount ``root`` read-only (grading labs: learner code must not change the course).
        extra_mounts: more host folders, each mounted read-write at its own absolute path.
        labels: extra labels on the lab container (e.g. a grading run's id, for cleanup).
    """
    name = name or settings.lab_name
    root = (root or repo_root()).resolve()
    port = settings.jupyter_port if port is None else port
    mounts = [Path(m).resolve() for m in extra_mounts or []]
    spec = _wanted_spec(settings, name, root, jupyter) + f"|{port}"
    if root_read_only or mounts:
        spec += "|" + ",".join(["ro" if root_read_only else "rw", *map(str, mounts)])
    run_dir = ensure_writable(settings.lab_run_dir(name), "lab socket")
    existing = find(host, name)
    if existing is not None:
        if existing.status == "running" and existing.labels.get(LAB_ROLE_LABEL) == spec:
            report(f"lab {name} is already running: reusing it")
            return _ready(host, existing, run_dir, base_images, report, timeout)
        report(f"replacing lab {name} (stopped or made from another recipe/folder)")
        _remove(existing)
    provisioning.provision(host, [catalogue.LAB_IMAGE], report=report)
    ensure_network(host)
    token = secrets.token_hex(16)
    (run_dir / "ready").unlink(missing_ok=True)
    privilege = {"privileged": True} if settings.privileged else dict(CAP_FLAGS)
    report(f"starting lab {name}" + (f" (JupyterLab on 127.0.0.1:{port})" if jupyter else ""))
    binds = {
        data_volume(name): {"bind": "/var/lib/docker", "mode": "rw"},
        str(run_dir): {"bind": str(Path(LAB_SOCKET_IN_LAB).parent), "mode": "rw"},
        str(root): {"bind": str(root), "mode": "ro" if root_read_only else "rw"},
        **{str(m): {"bind": str(m), "mode": "rw"} for m in mounts},
        # the base-image tarballs, so `prepare` inside the lab can reload a removed base image
        str(image_cache.images_cache()): {"bind": str(image_cache.images_cache()), "mode": "ro"},
    }
    api = host.api
    host_config = api.create_host_config(
        binds=binds,
        port_bindings={8888: ("127.0.0.1", port)} if jupyter else None,
        init=True,
        cgroupns="private",
        security_opt=SECURITY_OPT,
        mem_limit=settings.lab_memory,
        pids_limit=settings.lab_pids,
        nano_cpus=int(settings.lab_cpus * 1e9),
        network_mode=LAB_NETWORK,
        **privilege,
    )
    # `--security-opt systempaths=unconfined`: the API spells it as empty path lists.
    host_config["MaskedPaths"] = []
    host_config["ReadonlyPaths"] = []
    try:
        created = api.create_container(
            catalogue.LAB_IMAGE,
            name=name,
            hostname=name,
            detach=True,
            ports=[8888] if jupyter else None,
            host_config=host_config,
            environment={
                "DOCKER_COURSE_IN_LAB": "1",
                "DOCKER_COURSE_ROOT": str(root),
                "PYTHONPATH": str(root),
                "DOCKER_COURSE_CACHE": str(cache_dir()),
                "COURSE_JUPYTER": "1" if jupyter else "0",
                "JUPYTER_TOKEN": token,
            },
            labels={**(labels or {}), COURSE_LABEL: "lab", LAB_ROLE_LABEL: spec},
        )
        api.start(created["Id"])
        container = host.containers.get(created["Id"])
    except APIError as e:
        with contextlib.suppress(APIError):
            api.remove_container(name, force=True)
        raise LabError(_explain_start_error(e, port)) from e
    return _ready(host, container, run_dir, base_images, report, timeout)


def _explain_start_error(error: APIError, port: int) -> str:
    text = str(error.explanation or error)
    if "port is already allocated" in text or "address already in use" in text:
        return (
            f"Port {port} on 127.0.0.1 is already in use, so JupyterLab cannot be published. "
            f"Free it or choose another: `docker-course engine up --port {port + 1}`."
        )
    if "operation not permitted" in text and "caps" in text:
        return (
            "This host refused the lab's privileges (--privileged). Run without --privileged: "
            "the lab works with capabilities."
        )
    return f"The lab could not start: {text[:300]}"


def _ready(
    host: docker.DockerClient,
    container: docker.models.containers.Container,
    run_dir: Path,
    base_images: list[str] | None,
    report: Reporter,
    timeout: float,
) -> LabInfo:
    deadline = time.monotonic() + timeout
    while not (run_dir / "ready").exists():
        container.reload()
        if container.status != "running" or time.monotonic() > deadline:
            logs = container.logs(tail=15).decode(errors="replace").strip()
            _remove(container)
            raise LabError(f"The lab's engine did not start ({container.status}). Its last words: {logs[-600:]}")
        time.sleep(0.2)
    lab_engine = connect("unix://" + str(run_dir / "docker.sock"), what="lab engine")
    image_cache.load_into(lab_engine, base_images, report=report)
    info = describe(host, container)
    if info.jupyter_url:
        _wait_http(info.jupyter_url, deadline, container)
    return info


def _wait_http(url: str, deadline: float, container: docker.models.containers.Container) -> None:
    import urllib.error
    import urllib.request

    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url.split("/lab")[0] + "/api", timeout=2)  # noqa: S310
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    logs = container.exec_run(["tail", "-5", "/var/log/jupyter.log"]).output.decode(errors="replace")
    raise LabError(f"JupyterLab in the lab did not answer at {url}: {logs[-400:]}")


def describe(host: docker.DockerClient, container: docker.models.containers.Container) -> LabInfo:
    """How to reach a lab container (engine socket, JupyterLab URL, mounted folder)."""
    attrs = container.attrs
    env = dict(e.split("=", 1) for e in attrs["Config"].get("Env") or [] if "=" in e)
    run_dir = next(
        (m["Source"] for m in attrs.get("Mounts", []) if m["Destination"] == str(Path(LAB_SOCKET_IN_LAB).parent)),
        "",
    )
    jupyter_url = None
    bindings = (attrs.get("HostConfig", {}).get("PortBindings") or {}).get("8888/tcp")
    if bindings and env.get("COURSE_JUPYTER") == "1":
        port = bindings[0]["HostPort"]
        jupyter_url = f"http://127.0.0.1:{port}/lab?token={env.get('JUPYTER_TOKEN', '')}"
    return LabInfo(
        name=container.name or "",
        docker_host=f"unix://{run_dir}/docker.sock",
        jupyter_url=jupyter_url,
        root=env.get("DOCKER_COURSE_ROOT", ""),
        state=container.status,
    )


def _remove(container: docker.models.containers.Container) -> None:
    try:
        container.remove(force=True, v=False)
    except NotFound:
        pass
    except APIError as e:
        raise LabError(f"Could not remove lab {container.name}: {e.explanation}") from e


def down(host: docker.DockerClient, name: str, keep_data: bool = True) -> bool:
    """Stop and remove a lab; with ``keep_data=False`` also its engine volume."""
    container = find(host, name)
    if container is not None:
        _remove(container)
    if not keep_data:
        try:
            host.volumes.get(data_volume(name)).remove(force=True)
        except NotFound:
            pass
        except APIError as e:
            raise LabError(f"Could not remove the lab's data volume: {e.explanation}") from e
    return container is not None


def list_labs(host: docker.DockerClient) -> list[docker.models.containers.Container]:
    return host.containers.list(all=True, filters={"label": f"{COURSE_LABEL}=lab"})


def lab_engine(settings: Settings, name: str | None = None) -> docker.DockerClient:
    """A client on a lab's engine, from the host side."""
    sock = settings.lab_run_dir(name) / "docker.sock"
    if not sock.exists():
        raise EngineUnavailable(
            f"Lab {name or settings.lab_name!r} is not running. Start it with `docker-course engine up`."
        )
    return connect("unix://" + str(sock), what=f"lab {name or settings.lab_name!r}")
