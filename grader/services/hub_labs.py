"""Learner labs for the hub: one lab per learner, its workspace, its single-user server.

The hub's spawner (``grader/hub/spawner.py``) calls these from worker threads. A
learner's lab is a learner ``LabSpec`` (the course's limits, the read-only kit, the
learner's own workspace) without the lab's own JupyterLab: the hub's single-user
server runs in its place, on the lab's address on the labs' network, which only the
labs and this machine reach. Nothing is published on the host.
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import subprocess
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.models.containers import Container

from grader.engine import boundary, lab
from grader.engine.install import ensure_host_engine
from grader.engine.lab_network import LAB_NETWORK, LAB_SUBNET, ensure_network
from grader.engine.lab_spec import LAB_JUPYTER_PORT, LabSpec
from grader.engine.progress import Reporter, silent
from grader.engine.settings import Settings, repo_root
from grader.errors import LabError
from grader.services import hub_class
from grader.workspace import lock
from grader.workspace.lab_kit import learner_kit
from grader.workspace.location import validate
from grader.workspace.safe_fs import SafeTree
from grader.workspace.student_version import student_versions
from grader.workspace.update import sync

HUB_LABEL = "org.docker-course.hub"  # value: the hub's lab prefix
SERVER_LOG = "/var/log/jupyterhub-singleuser.log"
LAB_PYTHON = "/opt/course/bin/python"
_workspace_lock = threading.Lock()  # student versions and kits are made once, not by two spawns at once


@dataclass(frozen=True)
class LearnerLab:
    """A learner's running lab: its name, engine URL, address on the labs' network, workspace."""

    name: str
    docker_host: str
    ip: str
    workspace: str


def labs_gateway() -> str:
    """The host's address on the labs' network (the hub's API listens there), the network made if needed.

    Raises:
        LabError: the network cannot be made.
    """
    host = ensure_host_engine()
    ensure_network(host)
    configs = host.networks.get(LAB_NETWORK).attrs.get("IPAM", {}).get("Config") or [{}]
    gateway = configs[0].get("Gateway")
    return gateway or str(next(ipaddress.ip_network(configs[0].get("Subnet") or LAB_SUBNET).hosts()))


def prepare_workspace(folder: Path, owner: str, report: Reporter = silent) -> Path:
    """Make or update a learner's workspace at ``folder`` for lab ``owner``; the read-only kit it needs.

    Raises:
        ConfigError, WorkspaceBusy, StudentVersionFailed: from the workspace services.
    """
    with _workspace_lock:
        folder = validate(folder, repo_root(), create=True)
        lock.acquire(SafeTree(folder), f"lab:{owner}", lambda held: lab_running(held.owner.partition(":")[2]))
        sync(folder, student_versions(report=report), report=report)
        return learner_kit()


def start_learner_lab(
    name: str, prefix: str, workspace: Path, kit_tar: Path, env: dict[str, str], bases: list[str] | None
) -> LearnerLab:
    """Start lab ``name`` for a learner and their single-user server in it (``env``: the hub's variables).

    The learner (``workspace``'s name) gets their own part of the class exchange and its
    nbgrader config (:mod:`grader.services.hub_class`).

    Raises:
        LabError: the lab or the server could not start (the message says why).
    """
    settings = Settings.load()
    host = ensure_host_engine()
    kit = prepare_workspace(workspace, name)
    spec = LabSpec.learner(settings, name=name, root=kit, jupyter=False, base_images=bases, workspace=workspace)
    own, shared = hub_class.exchange_mounts(workspace.name, workspace)
    spec = replace(spec, labels=((HUB_LABEL, prefix),), extra_mounts=own, shared_mounts=shared)
    info = lab.up(host, spec)
    container = lab.find(host, name)
    if container is None:
        raise LabError(f"Lab {name} started but is not found on any engine.")
    with open(kit_tar, "rb") as tar:
        if not container.put_archive("/opt", tar):
            raise LabError(f"Could not copy JupyterHub's single-user packages into lab {name}.")
    if not container.put_archive("/root", hub_class.config_tar(workspace.name, workspace)):
        raise LabError(f"Could not copy the class's nbgrader settings into lab {name}.")
    server_env = {**env, "PYTHONPATH": f"/opt/hubkit:{spec.root}", "HOME": "/root", "SHELL": "/bin/bash"}
    command = (
        f"exec {LAB_PYTHON} -m jupyterhub.singleuser --ip=0.0.0.0 --port={LAB_JUPYTER_PORT} --allow-root "
        f"--ServerApp.root_dir={spec.workspace} >> {SERVER_LOG} 2>&1"
    )
    container.exec_run(["sh", "-c", command], environment=server_env, workdir=str(spec.workspace), detach=True)
    _open_class_channel(name)
    return LearnerLab(name, info.docker_host, lab_address(container), str(workspace))


def lab_address(container: Container) -> str:
    """The lab's address on its network (the labs' network, or its own one on the user-namespaced engine).

    Raises:
        LabError: it has none.
    """
    container.reload()
    networks = container.attrs["NetworkSettings"].get("Networks") or {}
    for network in (LAB_NETWORK, *networks):
        address = (networks.get(network) or {}).get("IPAddress")
        if address:
            return str(address)
    raise LabError(f"Lab {container.name} has no address on a network: the hub cannot reach its server.")


def lab_running(name: str) -> bool:
    """True while lab ``name`` runs."""
    try:
        found = lab.find(ensure_host_engine(), name)
    except DockerException:
        return True  # the engine did not answer: do not declare the lab gone
    return found is not None and found.status == "running"


def server_log(name: str, lines: int = 8) -> str:
    """The tail of the single-user server's log in lab ``name``."""
    try:
        container = lab.find(ensure_host_engine(), name)
        if container is None:
            return "(the lab is gone)"
        result = container.exec_run(["tail", f"-{lines}", SERVER_LOG])
        return result.output.decode(errors="replace").strip()[-800:]
    except (DockerException, NotFound):
        return "(the lab is gone)"


def _open_class_channel(name: str) -> None:
    """Hints (and solutions while the instructor's switch is on) for the learner's buttons; never fatal."""
    from grader.errors import GraderError
    from grader.services import channel_process, class_switch

    with contextlib.suppress(GraderError, OSError):
        channel_process.start(name, class_switch=class_switch.switch_path())


def stop_learner_lab(name: str, workspace: Path, purge: bool = False) -> None:
    """Remove a learner's lab; their workspace stays (released), their engine data too unless ``purge``."""
    from grader.services import channel_process

    channel_process.stop(name)
    lab.down(ensure_host_engine(), name, keep_data=not purge)
    if workspace.is_dir():
        lock.release(SafeTree(workspace), f"lab:{name}")


def hub_labs(prefix: str) -> list[lab.LabInfo]:
    """Every lab this hub started (by its label), running or not."""
    found: list[Container] = []
    for engine in _engines():
        found += engine.containers.list(all=True, filters={"label": f"{HUB_LABEL}={prefix}"})
    return [lab.describe(c) for c in found]


def _engines() -> list[docker.DockerClient]:
    """The engines labs may run on: the host's, and the course's user-namespaced one when it runs."""
    labs = boundary.running_labs_engine()
    return [ensure_host_engine(), *([labs] if labs is not None else [])]


def hub_port_rule(hub_ip: str, hub_port: int) -> list[str]:
    """The one opening in the labs' firewall the hub needs: labs on their own bridges reach its API port."""
    return ["INPUT", "-i", boundary.BRIDGE_PREFIX + "+", "-d", hub_ip, "-p", "tcp", "--dport", str(hub_port)]


def open_hub_port(hub_ip: str, hub_port: int) -> str:
    """Let user-namespaced labs reach the hub's API (their firewall drops what a lab starts towards the host).

    Returns '' when the opening holds, else why not (one clause); labs on the labs' network need none.
    """
    iptables = shutil.which("iptables") or "/usr/sbin/iptables"
    rule = hub_port_rule(hub_ip, hub_port)
    if subprocess.run([iptables, "-w", "-C", *rule, "-j", "ACCEPT"], capture_output=True).returncode == 0:
        return ""
    done = subprocess.run([iptables, "-w", "-I", *rule, "-j", "ACCEPT"], capture_output=True, text=True)
    return "" if done.returncode == 0 else f"iptables refused the hub's opening ({done.stderr.strip()[:160]})"


def close_hub_port(hub_ip: str, hub_port: int) -> None:
    """Remove the hub's opening in the labs' firewall (every copy of it)."""
    iptables = shutil.which("iptables") or "/usr/sbin/iptables"
    rule = [*hub_port_rule(hub_ip, hub_port), "-j", "ACCEPT"]
    for _ in range(5):
        if subprocess.run([iptables, "-w", "-D", *rule], capture_output=True).returncode != 0:
            break


def remove_hub_labs(prefix: str, names: list[str], purge: bool = False) -> None:
    """Remove every lab of the hub ``prefix`` and the labs ``names`` (with ``purge``, their engine data too)."""
    host = ensure_host_engine()
    for name in sorted({*names, *(info.name for info in hub_labs(prefix))}):
        try:
            lab.down(host, name, keep_data=not purge)
        except (LabError, APIError):
            lab.down(host, name, keep_data=not purge)  # one retry: the engine may be busy removing others
