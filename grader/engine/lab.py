"""The lab: one machine holding a Docker engine and the learner's JupyterLab kernel.

``up`` realises a ``LabSpec`` (what the lab must offer) and waits until it keeps
its promises: its engine answers, its own no-egress rule holds, its base images
are loaded, JupyterLab answers. A lab is a container (``lab_container``) on the
engine ``boundary.labs_engine`` chooses: the course's user-namespaced engine where
the machine offers it, else the host engine with a warning that names the risk.
"""

from __future__ import annotations

import time
from pathlib import Path

import docker
from docker.models.containers import Container

from grader.engine import boundary, boundary_mounts, boundary_runner, lab_container, lab_disk, lab_template
from grader.engine.client import connect, host_engine_url
from grader.engine.http_wait import wait_for_http
from grader.engine.image_cache import load_into
from grader.engine.lab_container import LabInfo, data_volume, describe
from grader.engine.lab_network import EGRESS_FILE, lab_rule_problem
from grader.engine.lab_spec import LabSpec
from grader.engine.progress import Reporter, silent
from grader.engine.provisioning import provision
from grader.engine.settings import CHANNEL_SOCKET, Settings, ensure_writable, lab_run_dir
from grader.errors import EngineUnavailable, LabError

__all__ = ["LabInfo", "LabSpec", "describe", "down", "find", "lab_engine", "up"]
JUPYTER_TIMEOUT = 90.0  # seconds JupyterLab may take to answer once the engine is ready


def up(host: docker.DockerClient, spec: LabSpec, report: Reporter = silent) -> LabInfo:
    """Start (or reuse) the lab ``spec`` describes and return how to reach it.

    A running lab is reused when it was started from a spec with the same
    fingerprint and its no-egress rule still holds; otherwise it is replaced (its
    engine data volume is kept).

    Raises:
        LabError: the lab cannot start, its engine is not ready in time, its
            no-egress rule does not hold, or JupyterLab does not answer; each
            message says what was waited for, what was seen and what to do.
    """
    boundary.refuse_a_lab_engine(host)
    engine, place = boundary.labs_engine(report)
    if place.warning:
        report(place.warning)
    run_dir = ensure_writable(lab_run_dir(spec.name), "lab socket")
    existing = find(host, spec.name)
    if existing is not None:
        unusable = _unusable(existing, engine, spec, run_dir)
        if not unusable:
            report(f"lab {spec.name} is already running: reusing it")
            return _ready(existing, spec, run_dir, report)
        report(f"replacing lab {spec.name} ({unusable})")
        lab_container.remove(existing)
    provision(host, [spec.image.tag], report=report)
    if place.isolated:
        boundary_runner.ensure_lab_image(engine, host, spec.image.tag, report)
    for folder in spec.extra_mounts:  # offered read-write: made here, never by the engine as its root
        folder.mkdir(parents=True, exist_ok=True)
    writable = [] if spec.root_read_only else [spec.root]
    writable += [*spec.extra_mounts, *([spec.workspace] if spec.workspace else [])]
    extras = boundary_runner.prepare(engine, place, spec.name, run_dir, writable)
    _engine_data(host, engine, spec, extras.data_owner or (0, 0), report)
    report(f"starting lab {spec.name}" + (f" (JupyterLab on 127.0.0.1:{spec.port})" if spec.jupyter else ""))
    container = lab_container.start(engine, spec, run_dir, extras)
    try:
        return _ready(container, spec, run_dir, report)
    except LabError:
        lab_container.remove(container)
        raise


def _engine_data(
    host: docker.DockerClient, engine: docker.DockerClient, spec: LabSpec, owner: tuple[int, int], report: Reporter
) -> None:
    """A new lab's engine data: a private snapshot of its engine template, where the machine keeps them.

    A lab with kept data keeps it; without a template (``lab_template.ensure`` says when),
    the lab starts empty and ``_ready`` loads its base images as before.
    """
    volume = data_volume(spec.name)
    if lab_template.has_data(engine, volume):
        return
    template = lab_template.ensure(host, engine, spec, owner, up, down, report)
    if template is None:
        return
    try:
        lab_template.clone(engine, template, spec, volume)
    except (OSError, docker.errors.DockerException) as e:
        report(f"could not clone the engine template ({str(e)[:200]}); loading the base images instead")


def _unusable(container: Container, engine: docker.DockerClient, spec: LabSpec, run_dir: Path) -> str:
    """Why a lab of that name cannot be reused for ``spec`` on ``engine`` ('' when it can)."""
    if container.status != "running":
        return f"it is {container.status}"
    if container.client.info()["ID"] != engine.info()["ID"]:
        return "it runs on another engine than the one labs now run on"
    if not lab_container.matches(container, spec):
        return "it was started from another image recipe, folder, port, limits or privileges"
    return lab_rule_problem(container, run_dir)


def _engines(host: docker.DockerClient) -> list[docker.DockerClient]:
    """Where labs may live: the course's user-namespaced engine when it runs, then the host engine."""
    labs = boundary.running_labs_engine()
    return [labs, host] if labs is not None else [host]


def find(host: docker.DockerClient, name: str) -> Container | None:
    """The lab called ``name`` on whichever engine holds it, if any."""
    for engine in _engines(host):
        found = lab_container.find(engine, name)
        if found is not None:
            return found
    return None


def _ready(container: Container, spec: LabSpec, run_dir: Path, report: Reporter) -> LabInfo:
    _wait_for_engine(container, spec, run_dir)
    problem = lab_rule_problem(container, run_dir)
    if problem:
        raise LabError(
            f"Lab {spec.name} did not start: {problem}. Its containers would have a route off the machine, "
            "so the course does not use it. The lab needs iptables inside (the lab image has it) and the "
            "NET_ADMIN capability."
        )
    lab_engine = connect("unix://" + str(run_dir / "docker.sock"), what="lab engine")
    load_into(lab_engine, list(spec.base_images) if spec.base_images is not None else None, report=report)
    info = describe(container)
    if info.jupyter_url:
        _wait_for_jupyter(container, info.jupyter_url, JUPYTER_TIMEOUT)
    return info


def _wait_for_engine(container: Container, spec: LabSpec, run_dir: Path) -> None:
    """Wait until lab-init reports its engine ready (``RUN/ready``), or say what was seen instead."""
    ready = run_dir / "ready"
    deadline = time.monotonic() + spec.timeout
    while not ready.exists():
        container.reload()
        if container.status != "running":
            code = container.attrs.get("State", {}).get("ExitCode")
            raise LabError(
                f"Lab {spec.name} stopped while starting (exit code {code}) before its engine was ready. "
                f"Its last words: {lab_container.last_words(container)}"
            )
        if time.monotonic() > deadline:
            if ready.exists():
                break  # it came just now
            raise LabError(_not_ready_message(container, spec, ready))
        time.sleep(0.05)  # a lab cloned from a template is ready in about a second: do not oversleep it


def _not_ready_message(container: Container, spec: LabSpec, ready: Path) -> str:
    words = lab_container.last_words(container)
    waited = (
        f"Lab {spec.name} did not become ready within {spec.timeout:g} s: waited for lab-init to start the "
        f"lab's dockerd, close its route off the machine and create {ready}; the lab is {container.status}"
    )
    if "engine ready" in words:
        return (
            f"{waited}, and lab-init says its engine is ready, but {ready} never appeared on this side: the "
            f"host engine does not share {ready.parent} with this machine (a remote DOCKER_HOST, or an engine "
            "in a VM?). Run the course on the engine's own machine, or use `docker-course engine up --mode host`."
        )
    return (
        f"{waited}. Its last words: {words or '(nothing yet)'}. A busy machine may need longer: run "
        "`docker-course engine up` again."
    )


def _wait_for_jupyter(container: Container, url: str, timeout: float) -> None:
    """Wait until JupyterLab in the lab answers on its published port, or raise with its log and a hint."""
    api = url.split("/lab")[0] + "/api"
    if wait_for_http(api, timeout):
        return
    code, output = container.exec_run(["tail", "-5", "/var/log/jupyter.log"])
    log = output.decode(errors="replace").strip()[-400:] if code == 0 else "(no log yet)"
    raise LabError(
        f"JupyterLab in lab {container.name} did not answer on {api.rsplit('/', 1)[0]} within {timeout:g} s. "
        f"Its log ends: {log}. See the whole log with `docker exec {container.name} cat /var/log/jupyter.log`, "
        "then run `docker-course engine up` again (or `--no-jupyter` for the engine alone)."
    )


def down(host: docker.DockerClient, name: str, keep_data: bool = True) -> bool:
    """Stop and remove a lab; with ``keep_data=False`` also its engine volume. True when a lab was there.

    Raises:
        LabError: the host engine refused to remove it.
    """
    container = find(host, name)
    if container is not None:
        lab_container.remove(container)
    # what the stopped lab left in its run folder would claim it still runs (a socket, "ready")
    # the channel's socket too: its host-side server stops by itself once the socket is gone
    for left in ("docker.sock", "ready", EGRESS_FILE, boundary_runner.DELEGATED_MARKER, CHANNEL_SOCKET):
        (lab_run_dir(name) / left).unlink(missing_ok=True)
    boundary_mounts.release_lab(name)
    for engine in _engines(host):
        boundary_runner.remove_network(engine, name)
        if keep_data:
            continue
        try:
            engine.volumes.get(data_volume(name)).remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as e:
            raise LabError(f"Could not remove the lab's data volume: {e.explanation}") from e
        lab_disk.release(engine, name, data_volume(name))  # a capped lab's image and mount
        lab_template.release(name)  # a cloned lab's snapshot
    return container is not None


def engine_url(host: docker.DockerClient, name: str) -> str:
    """The URL of the engine lab ``name`` runs on (for an exec into it that outlasts the default timeout)."""
    labs = boundary.running_labs_engine()
    if labs is not None and lab_container.find(labs, name) is not None:
        return boundary.labs_url()
    return host_engine_url()


def lab_engine(settings: Settings, name: str | None = None) -> docker.DockerClient:
    """A client on a lab's engine, from the host side.

    Raises:
        EngineUnavailable: the lab is not running.
    """
    sock = lab_run_dir(name or settings.lab_name) / "docker.sock"
    if not sock.exists():
        raise EngineUnavailable(
            f"Lab {name or settings.lab_name!r} is not running. Start it with `docker-course engine up`."
        )
    return connect("unix://" + str(sock), what=f"lab {name or settings.lab_name!r}")
