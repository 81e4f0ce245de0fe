"""Leaving the course: remove what it made on this machine, keep the learner's work unless asked.

``docker-course uninstall`` removes, for this state folder: every lab it made (the
container, its engine data volume, its network, its capped disk, its channel
server), host mode's JupyterLab, the labs' host network when no container uses
it, the course's user-namespaced labs engine (its data, its firewall) when no
other lab runs on it, the image cache and the state folder. It keeps the
workspace (``--purge-workspace`` removes it), a class hub's learner workspaces
(the same flag), and the course-built images in the host engine (``--images``
removes those no container uses). Only what this state folder names is touched:
another checkout's or user's labs on the same engines are not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker

from grader.engine import boundary, boundary_firewall, host_jupyter, lab, lab_snapshot
from grader.engine.client import connect, host_engine_url
from grader.engine.lab_network import LAB_NETWORK
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, in_lab, state_dir
from grader.errors import EngineUnavailable, GraderError
from grader.services import channel_process
from grader.workspace.service import open_workspace, release

HUB_WORKSPACES = Path("hub") / "workspaces"


@dataclass
class Uninstalled:
    """What was removed and what was kept (each with how to remove it too)."""

    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"removed: {r}" for r in self.removed] + [f"kept: {k}" for k in self.kept]


def uninstall(purge_workspace: bool = False, keep_cache: bool = False, images: bool = False) -> Uninstalled:
    """Remove what the course made (see the module docstring).

    Raises:
        GraderError: called inside a lab (a lab cannot remove the course from the host).
    """
    if in_lab():
        raise GraderError("`docker-course uninstall` runs on your computer, not in the lab.")
    done = Uninstalled()
    host = _host_engine()
    for name in _labs():
        channel_process.stop(name)
        with contextlib.suppress(GraderError, OSError):
            release(f"lab:{name}")
        if host is None:
            done.kept.append(f"lab {name}: the host engine does not answer; run uninstall again once it does")
            continue
        lab.down(host, name, keep_data=False)
        done.removed.append(f"lab {name} (its container, engine data, network)")
    host_jupyter.stop()
    others = _labs_engine(done)
    if host is not None:
        _remove_network(host, others, done)
        _host_images(host, images, done)
    _workspace(purge_workspace, done)
    if keep_cache:
        done.kept.append(f"the image cache {cache_dir()} (--keep-cache)")
    elif cache_dir().is_dir() and not lab_snapshot.unmount():
        done.kept.append(f"the image cache {cache_dir()}: labs of another state folder use its engine templates")
    elif cache_dir().is_dir():
        shutil.rmtree(cache_dir(), ignore_errors=True)
        done.removed.append(f"the image cache {cache_dir()}")
    _state(purge_workspace, done)
    return done


def _host_engine() -> docker.DockerClient | None:
    try:
        return connect(host_engine_url(), what="host engine")
    except EngineUnavailable:
        return None


def _labs() -> list[str]:
    folder = state_dir() / "labs"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _remove_network(host: docker.DockerClient, others: bool, done: Uninstalled) -> None:
    try:
        network = host.networks.get(LAB_NETWORK)
    except docker.errors.NotFound:
        return
    if others or network.attrs.get("Containers"):
        done.kept.append(f"the network {LAB_NETWORK}: other labs (another checkout or user) still use it")
        return
    with contextlib.suppress(docker.errors.APIError):
        network.remove()
        done.removed.append(f"the network {LAB_NETWORK}")


def _host_images(host: docker.DockerClient, remove: bool, done: Uninstalled) -> None:
    built = host.images.list(filters={"label": COURSE_BUILT_LABEL})
    tags = sorted(t for image in built for t in image.tags)
    if not tags:
        return
    if not remove:
        done.kept.append(f"course-built images in your Docker engine ({', '.join(tags)}): add --images")
        return
    for image in built:
        try:
            host.images.remove(image.id, force=False)
            done.removed.append(f"images {', '.join(image.tags) or image.short_id}")
        except docker.errors.APIError:
            done.kept.append(f"images {', '.join(image.tags) or image.short_id}: a container uses them")


def _labs_engine(done: Uninstalled) -> bool:
    """Stop and remove the labs engine unless other labs are on it; True when there are."""
    engine = boundary.running_labs_engine()
    if engine is not None and engine.containers.list(all=True):
        done.kept.append("the course's labs engine: other labs (another checkout or user) run on it")
        return True
    if engine is not None:
        _stop_labs_engine()
        done.removed.append(f"the course's labs engine ({boundary.LABS_SOCKET})")
    if _firewall_remove():
        done.removed.append(f"the labs' firewall ({boundary_firewall.FIREWALL_CHAIN})")
    if not boundary.LABS_DATA.is_dir():
        return False
    if boundary.LABS_SOCKET.exists() or _mounted_under():
        done.kept.append(f"{boundary.LABS_DATA}: its engine did not stop, or something is mounted below it")
        return False
    shutil.rmtree(boundary.LABS_DATA, ignore_errors=True)
    done.removed.append(f"the labs engine's data {boundary.LABS_DATA}")
    return False


def _stop_labs_engine() -> None:
    pidfile = boundary.LABS_RUN / "docker.pid"
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
    deadline = time.monotonic() + 30
    while boundary.LABS_SOCKET.exists() and time.monotonic() < deadline:
        time.sleep(0.3)


def _firewall_remove() -> bool:
    """Take the labs' firewall chain out (IPv4 and IPv6); True when it was there."""
    chain = boundary_firewall.FIREWALL_CHAIN
    found = False
    for tool in ("iptables", "ip6tables"):
        binary = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
        if binary is None:
            continue
        for hook, way in boundary_firewall.HOOKS:
            rule = [hook, way, boundary_firewall.BRIDGE_PREFIX + "+", "-j", chain]
            while subprocess.run([binary, "-w", "-D", *rule], capture_output=True).returncode == 0:  # noqa: S603
                found = True
        if subprocess.run([binary, "-w", "-F", chain], capture_output=True).returncode == 0:  # noqa: S603
            subprocess.run([binary, "-w", "-X", chain], capture_output=True)  # noqa: S603
            found = True
    return found


def _mounted_under() -> bool:
    prefix = str(boundary.LABS_DATA) + "/"
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            if line.split()[4].startswith(prefix):
                return True
    return False


def _workspace(purge: bool, done: Uninstalled) -> None:
    try:
        folder = open_workspace(create=False)
    except GraderError:
        return
    if not folder.exists():
        return
    if purge:
        shutil.rmtree(folder, ignore_errors=True)
        done.removed.append(f"your workspace {folder}")
    else:
        done.kept.append(f"your workspace {folder} (your notebooks): add --purge-workspace, or rm -r {folder}")


def _state(purge_workspace: bool, done: Uninstalled) -> None:
    state = state_dir()
    if not state.is_dir():
        return
    hub = state / HUB_WORKSPACES
    if hub.is_dir() and any(hub.iterdir()) and not purge_workspace:
        for item in state.iterdir():
            if item.name != "hub":
                shutil.rmtree(item, ignore_errors=True) if item.is_dir() else item.unlink(missing_ok=True)
        done.removed.append(f"the state folder {state}, but for the class's learner workspaces")
        done.kept.append(f"the class hub's learner workspaces {hub}: add --purge-workspace")
        return
    shutil.rmtree(state, ignore_errors=True)
    done.removed.append(f"the state folder {state}")
