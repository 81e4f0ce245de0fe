"""A lab realised as one container on the host engine (the runner of a ``LabSpec`` today).

Started without ``--privileged`` (capabilities instead, which our VMs allow), with
a private cgroup namespace so that the spec's memory, pids and cpu limits cap
everything inside it. Its engine data lives on a volume; its socket sits in a host
folder so host-side tools reach the same engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, NotFound
from docker.models.containers import Container

from grader.engine import lab_disk
from grader.engine.boundary_runner import DELEGATED_MARKER, LabExtras
from grader.engine.build_context import CAP_ENV as CONTEXT_CAP_ENV
from grader.engine.image_cache import images_cache
from grader.engine.lab_network import EGRESS_FILE, LAB_NETWORK
from grader.engine.lab_spec import LAB_JUPYTER_PORT, LabSpec
from grader.engine.settings import COURSE_LABEL, LAB_SOCKET_IN_LAB, cache_dir
from grader.errors import LabError

LAB_ROLE_LABEL = "org.docker-course.lab"  # value: the spec's fingerprint
CAP_FLAGS = {"cap_add": ["ALL"], "cap_drop": ["SYS_RESOURCE"]}
SECURITY_OPT = ["seccomp=unconfined", "apparmor=unconfined"]
RUN_IN_LAB = str(Path(LAB_SOCKET_IN_LAB).parent)


@dataclass
class LabInfo:
    """What a running lab is: its name, engine URL, JupyterLab URL and mounted folder."""

    name: str
    docker_host: str
    jupyter_url: str | None
    root: str
    state: str
    workspace: str = ""  # the learner's workspace it serves ("" when it serves the source)


def data_volume(name: str) -> str:
    """The volume holding a lab's engine data (kept across restarts unless purged)."""
    return f"{name}-data"


def find(host: docker.DockerClient, name: str) -> Container | None:
    """The lab container called ``name``, if any."""
    try:
        return host.containers.get(name)
    except NotFound:
        return None


def matches(container: Container, spec: LabSpec) -> bool:
    """True when ``container`` was started from a spec with ``spec``'s fingerprint."""
    return container.labels.get(LAB_ROLE_LABEL) == spec.fingerprint()


ENGINE_CGROUP_PARENT = "/course-containers"  # the grading executor caps it (nbgrader_glue/kernel_limits)


def daemon_config(spec: LabSpec, run_dir: Path) -> Path:
    """The lab engine's daemon.json (log bounds, cgroup parent), outside the lab-writable run folder."""
    path = run_dir.parent / "daemon.json"
    options = {"max-size": spec.limits.log_max_size, "max-file": str(spec.limits.log_max_files)}
    config = {"log-driver": "json-file", "log-opts": options, "cgroup-parent": ENGINE_CGROUP_PARENT}
    path.write_text(json.dumps(config, indent=1) + "\n")
    return path


def _binds(spec: LabSpec, run_dir: Path, extras: LabExtras) -> dict[str, dict[str, str]]:
    base = {
        data_volume(spec.name): {"bind": "/var/lib/docker", "mode": "rw"},
        str(daemon_config(spec, run_dir)): {"bind": "/etc/docker/daemon.json", "mode": "ro"},
        str(run_dir): {"bind": RUN_IN_LAB, "mode": "rw"},
        str(spec.root): {"bind": str(spec.root), "mode": "ro" if spec.root_read_only else "rw"},
        **{str(m): {"bind": str(m), "mode": "rw"} for m in (*spec.extra_mounts, *_workspace(spec))},
        **{str(m): {"bind": str(m), "mode": "ro"} for m in spec.shared_mounts},
        # the base-image tarballs, so `prepare` inside the lab can reload a removed base image
        str(images_cache()): {"bind": str(images_cache()), "mode": "ro"},
    }
    # the boundary may offer a folder through another source (an id-mapped view) at the same place
    replaced = {b["bind"] for b in extras.binds.values()}
    return {**{k: v for k, v in base.items() if v["bind"] not in replaced}, **extras.binds}


def _workspace(spec: LabSpec) -> tuple[Path, ...]:
    return (spec.workspace,) if spec.workspace else ()


def _environment(spec: LabSpec) -> dict[str, str]:
    env = {
        "DOCKER_COURSE_IN_LAB": "1",
        "DOCKER_COURSE_ROOT": str(spec.root),
        "PYTHONPATH": str(spec.root),
        "DOCKER_COURSE_CACHE": str(cache_dir()),
        "COURSE_JUPYTER": "1" if spec.jupyter else "0",
        "JUPYTER_TOKEN": secrets.token_hex(16),
        CONTEXT_CAP_ENV: spec.limits.build_context,  # the lab's `docker` and build() refuse a bigger context
    }
    if spec.workspace:
        # lab-init starts JupyterLab there; the course's code finds the learner's folders by it
        env.update(DOCKER_COURSE_WORKSPACE=str(spec.workspace), COURSE_JUPYTER_ROOT=str(spec.workspace))
    return env


def start(host: docker.DockerClient, spec: LabSpec, run_dir: Path, extras: LabExtras | None = None) -> Container:
    """Create and start the lab container for ``spec`` (its image provisioned, its network there).

    Args:
        host: the engine the lab runs on (the host's, or the course's user-namespaced one).
        extras: what the boundary adds (its network, binds, environment, a step right after start).

    Raises:
        LabError: the engine refused it (the message says why and what to do).
    """
    extras = extras or LabExtras()
    # a marker left from an earlier start would let lab-init go on before its cgroups are its own
    for stale in ("ready", EGRESS_FILE, DELEGATED_MARKER):
        (run_dir / stale).unlink(missing_ok=True)
    capped = bool(spec.limits.disk) and lab_disk.prepare(host, spec.name, data_volume(spec.name), spec.limits.disk)
    if capped and extras.data_owner is not None:  # a user-namespaced lab's engine writes it as the lab's root
        os.chown(lab_disk.folder_of(spec.name) / "mnt", *extras.data_owner)
    privilege = {"privileged": True} if spec.privileged else dict(CAP_FLAGS)
    api = host.api
    host_config = api.create_host_config(
        binds=_binds(spec, run_dir, extras),
        port_bindings={LAB_JUPYTER_PORT: ("127.0.0.1", spec.port)} if spec.jupyter else None,
        init=True,
        cgroupns="private",
        security_opt=SECURITY_OPT,
        mem_limit=spec.limits.memory,
        pids_limit=spec.limits.pids,
        nano_cpus=int(spec.limits.cpus * 1e9),
        network_mode=extras.network or LAB_NETWORK,
        **privilege,
    )
    # `--security-opt systempaths=unconfined`: the API spells it as empty path lists.
    host_config["MaskedPaths"] = []
    host_config["ReadonlyPaths"] = []
    try:
        created = api.create_container(
            spec.image.tag,
            name=spec.name,
            hostname=spec.name,
            detach=True,
            ports=[LAB_JUPYTER_PORT] if spec.jupyter else None,
            host_config=host_config,
            environment={**_environment(spec), **extras.env},
            labels={**spec.label_map, COURSE_LABEL: "lab", LAB_ROLE_LABEL: spec.fingerprint()},
        )
        api.start(created["Id"])
        container = host.containers.get(created["Id"])
    except APIError as e:
        with contextlib.suppress(APIError):
            api.remove_container(spec.name, force=True)
        raise LabError(explain_start_error(e, spec.port)) from e
    try:
        extras.after_start(container)
    except (LabError, APIError):
        remove(container)
        raise
    return container


def explain_start_error(error: APIError, port: int) -> str:
    """One sentence for a refused start: a port in use, refused privileges, or the engine's words."""
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


def describe(container: Container) -> LabInfo:
    """How to reach a lab container (engine socket, JupyterLab URL, mounted folder)."""
    attrs = container.attrs
    env = dict(e.split("=", 1) for e in attrs["Config"].get("Env") or [] if "=" in e)
    run_dir = next((m["Source"] for m in attrs.get("Mounts", []) if m["Destination"] == RUN_IN_LAB), "")
    jupyter_url = None
    bindings = (attrs.get("HostConfig", {}).get("PortBindings") or {}).get(f"{LAB_JUPYTER_PORT}/tcp")
    if bindings and env.get("COURSE_JUPYTER") == "1":
        port = bindings[0]["HostPort"]
        jupyter_url = f"http://127.0.0.1:{port}/lab?token={env.get('JUPYTER_TOKEN', '')}"
    return LabInfo(
        name=container.name or "",
        docker_host=f"unix://{run_dir}/docker.sock",
        jupyter_url=jupyter_url,
        root=env.get("DOCKER_COURSE_ROOT", ""),
        state=container.status,
        workspace=env.get("DOCKER_COURSE_WORKSPACE", ""),
    )


def remove(container: Container) -> None:
    """Remove a lab container (its data volume stays).

    Raises:
        LabError: the host engine refused.
    """
    try:
        container.remove(force=True, v=False)
    except NotFound:
        pass
    except APIError as e:
        raise LabError(f"Could not remove lab {container.name}: {e.explanation}") from e


def last_words(container: Container, lines: int = 15) -> str:
    """The tail of the lab's own log (lab-init and dockerd's first complaints)."""
    try:
        return container.logs(tail=lines).decode(errors="replace").strip()[-600:]
    except APIError:
        return "(no log: the container is gone)"
