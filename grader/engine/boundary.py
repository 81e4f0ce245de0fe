"""Where labs run: a course-owned engine whose containers live in their own user namespace.

Labs run on a second ``dockerd`` the course starts and owns (``--userns-remap``,
its own socket, data, exec root and containerd namespace; the host's engine and
its socket are never touched): a lab's root is then host uid 400000 (an
unprivileged range of the ``docker-course-labs`` user), so the kernel itself
refuses what root in a lab must not do to the host (``core_pattern``, disks,
modules), while the lab's own engine keeps everything the chapters teach (see
docs/lab-boundary.md for the evaluation and its figures).

Where the machine cannot run that engine (not root, no ``dockerd``, user
namespaces off, a kernel without overlayfs in user namespaces, or a
``DOCKER_HOST`` chosen by the user), labs run on the host engine as before, and
``Boundary.warning`` names the risk; the caller shows it at start.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker

from grader.engine import boundary_daemon, boundary_firewall
from grader.engine.client import connect, host_engine_url
from grader.engine.progress import Reporter, silent
from grader.errors import EngineUnavailable, LabError

LABS_USER = "docker-course-labs"
LABS_DATA = Path("/var/lib/docker-course-labs")
LABS_RUN = Path("/run/docker-course-labs")
LABS_SOCKET = LABS_RUN / "docker.sock"
SUBID_START, SUBID_COUNT = 400000, 65536
LABS_POOL = "10.214.0.0/16"  # one /24 per lab network, away from the host engine's pools
BRIDGE_PREFIX = boundary_firewall.BRIDGE_PREFIX
BOUNDARY_ENV = "DOCKER_COURSE_BOUNDARY"  # "container" forces today's lab (tests of the fallback)
CGROUP_PARENT = "docker-course-labs"
LAB_ENGINE_LABEL = "org.docker-course.lab-engine"  # on every lab's inner dockerd (lab-init): never a host engine

FALLBACK_RISK = (
    "labs run as containers on the host engine, in the host's user namespace with every capability "
    "but SYS_RESOURCE: root in a lab (any notebook or submission it runs) can change host-wide kernel "
    "settings such as core_pattern, a known path to root on the host"
)


@dataclass(frozen=True)
class Boundary:
    """How labs are kept from the host: ``userns`` (the course's engine) or ``container`` (the fallback).

    Attributes:
        kind: ``userns`` or ``container``.
        url: the engine labs run on.
        uid: host uid of a lab's root (None: host root, the fallback).
        gid: host gid of a lab's root.
        warning: '' for ``userns``; for ``container``, the risk and why the machine offers no better.
    """

    kind: str
    url: str
    uid: int | None = None
    gid: int | None = None
    warning: str = ""

    @property
    def isolated(self) -> bool:
        """True when a lab's root is not the host's root."""
        return self.kind == "userns"


def why_not_offered() -> str:
    """'' when this machine can run the course's user-namespaced engine, else the reason (one clause)."""
    if os.environ.get(BOUNDARY_ENV) == "container":
        return f"{BOUNDARY_ENV}=container asks for today's container lab"
    if os.environ.get("DOCKER_HOST"):
        return "DOCKER_HOST names the engine to use, so the course starts no engine of its own"
    if os.geteuid() != 0:
        return "the course runs as a user, and only root may start the user-namespaced labs' engine"
    if not _dockerd():
        return "no dockerd on this machine"
    try:
        if int(Path("/proc/sys/user/max_user_namespaces").read_text()) <= 0:
            return "user namespaces are disabled (user.max_user_namespaces = 0)"
    except (OSError, ValueError):
        return "this kernel offers no user namespaces"
    if _kernel() < (5, 11):
        return f"kernel {platform.release()} has no overlayfs in user namespaces (needs 5.11)"
    return ""


def labs_engine(report: Reporter = silent, timeout: float = 60) -> tuple[docker.DockerClient, Boundary]:
    """The engine labs run on, and the boundary it gives; starts the course's engine if needed.

    Raises:
        EngineUnavailable: neither the course's engine nor the host engine answers.
        LabError: the course's engine could not be set up (the message says why and how to opt out).
    """
    why = why_not_offered()
    if why:
        warning = f"Warning: {FALLBACK_RISK}. This machine offers no user-namespaced lab: {why}."
        if os.geteuid() == 0:  # each container lab has its own dcl-* bridge: the same firewall keeps it in
            try:
                boundary_firewall.ensure_firewall(report)
            except LabError as e:
                warning += f" The labs' firewall is not in place either ({e}): labs may reach each other."
        return connect(host_engine_url(), what="Docker engine"), Boundary(
            "container", host_engine_url(), None, None, warning
        )
    uid, gid = ensure_user(report)
    client = _connect_or_start(report, timeout)
    boundary_firewall.ensure_firewall(report)
    return client, Boundary("userns", labs_url(), uid, gid)


def refuse_a_lab_engine(host: docker.DockerClient) -> None:
    """Refuse an engine that is a course lab's own (DOCKER_HOST set to what `engine status` prints).

    Raises:
        LabError: ``host`` is a lab's engine.
    """
    labels = host.info().get("Labels") or []
    owner = next((x.split("=", 1)[1] for x in labels if x.startswith(LAB_ENGINE_LABEL + "=")), None)
    if owner is not None:
        raise LabError(
            f"DOCKER_HOST points at the engine inside course lab {owner}, not at a host engine: "
            "unset DOCKER_HOST (it is for host-side tools such as `docker ps`) and run the command again."
        )


def labs_url() -> str:
    """The course's user-namespaced labs engine's URL."""
    return "unix://" + str(LABS_SOCKET)


def running_labs_engine() -> docker.DockerClient | None:
    """A client on the course's labs engine if it runs (never starts it), else None."""
    if not LABS_SOCKET.exists():
        return None
    try:
        return connect(labs_url(), what="labs engine")
    except EngineUnavailable:
        return None


def ensure_user(report: Reporter = silent) -> tuple[int, int]:
    """The host uid and gid of a lab's root: the first subordinate ids of ``docker-course-labs``.

    Creates the system user and its range (400000-465535, or the next free one) when missing.

    Raises:
        LabError: the user or its range cannot be created.
    """
    uid, gid = subid_start("/etc/subuid"), subid_start("/etc/subgid")
    if uid is not None and gid is not None:
        return uid, gid
    start = _free_range()
    report(f"creating the system user {LABS_USER} with subordinate ids {start}-{start + SUBID_COUNT - 1}")
    steps = []
    if subprocess.run(["id", "-u", LABS_USER], capture_output=True).returncode != 0:
        steps.append(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                LABS_USER,
            ]
        )
    last = start + SUBID_COUNT - 1
    steps.append(["usermod", "--add-subuids", f"{start}-{last}", "--add-subgids", f"{start}-{last}", LABS_USER])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            raise LabError(
                f"Could not prepare the labs' user namespace (`{' '.join(step)}`: {done.stderr.strip()[:200]}). "
                f"Fix that, or run today's container lab with {BOUNDARY_ENV}=container (less safe)."
            )
    uid, gid = subid_start("/etc/subuid"), subid_start("/etc/subgid")
    if uid is None or gid is None:
        raise LabError(f"{LABS_USER} has no subordinate ids after usermod; see /etc/subuid and /etc/subgid.")
    return uid, gid


def subid_start(path: str, user: str = LABS_USER) -> int | None:
    """The first id of ``user``'s range in /etc/subuid or /etc/subgid, None when it has none."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.strip().split(":")
        if len(fields) == 3 and fields[0] == user and int(fields[2]) >= SUBID_COUNT:
            return int(fields[1])
    return None


def _free_range() -> int:
    """A 65536-id range no other user of /etc/subuid or /etc/subgid holds, from 400000 up."""
    taken: list[tuple[int, int]] = []
    for path in ("/etc/subuid", "/etc/subgid"):
        try:
            for line in Path(path).read_text().splitlines():
                fields = line.split(":")
                if len(fields) == 3 and fields[1].isdigit() and fields[2].isdigit():
                    taken.append((int(fields[1]), int(fields[1]) + int(fields[2])))
        except OSError:
            continue
    start = SUBID_START
    while any(lo < start + SUBID_COUNT and start < hi for lo, hi in taken):
        start += SUBID_COUNT
    return start


def engine_command() -> list[str]:
    """The course's labs engine: user-namespaced, on its own socket, data, pool and cgroup parent."""
    return [
        _dockerd() or "dockerd",
        f"--userns-remap={LABS_USER}",
        "-H",
        f"unix://{LABS_SOCKET}",
        "--data-root",
        str(LABS_DATA),
        "--exec-root",
        str(LABS_RUN / "exec"),
        "--pidfile",
        str(LABS_RUN / "docker.pid"),
        "--containerd-namespace",
        "docker-course-labs",
        "--containerd-plugins-namespace",
        "docker-course-labs-plugins",
        "--cgroup-parent",
        CGROUP_PARENT,
        # no default bridge, no iptables edits: every lab gets its own network, and the host
        # firewall rules for the labs' bridges are the course's own (ensure_firewall)
        "--bridge",
        "none",
        "--iptables=false",
        "--ip-masq=false",
        "--default-address-pool",
        f"base={LABS_POOL},size=24",
        "--label",
        "org.docker-course.labs-engine=1",
    ]


def _connect_or_start(report: Reporter, timeout: float) -> docker.DockerClient:
    url = labs_url()
    try:
        return connect(url, what="labs engine")
    except EngineUnavailable:
        pass
    LABS_RUN.mkdir(mode=0o700, parents=True, exist_ok=True)
    LABS_DATA.mkdir(mode=0o711, parents=True, exist_ok=True)
    log = LABS_DATA / "dockerd.log"
    report(f"starting the course's user-namespaced labs engine (socket {LABS_SOCKET}, log {log})")
    how, _ = boundary_daemon.start(engine_command(), log, report)  # it outlives this command (see the module)
    report(f"the labs engine runs as {how}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            return connect(url, timeout=30, what="labs engine")
        except EngineUnavailable as e:
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                raise LabError(
                    f"The course's labs engine did not start within {timeout:g} s ({' / '.join(tail)}). "
                    f"Run today's container lab with {BOUNDARY_ENV}=container (less safe) meanwhile."
                ) from e
            time.sleep(0.3)


def _dockerd() -> str | None:
    found = shutil.which("dockerd")
    return found or ("/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None)


def _kernel() -> tuple[int, int]:
    parts = platform.release().split(".")
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)
