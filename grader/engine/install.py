"""Making sure a host engine exists: on Debian/Ubuntu as root, install and start one."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import docker

from grader.engine.boundary import refuse_a_lab_engine
from grader.engine.client import connect, host_engine_url
from grader.engine.progress import Reporter, silent
from grader.engine.settings import ensure_writable, in_lab, state_dir
from grader.errors import EngineInstallError, EngineUnavailable

# Debian packages of the host, shared with course.sh: "package tool stage" lines.
SYSTEM_PACKAGES = Path(__file__).resolve().parents[2] / "system-packages.txt"
HOW_TO_GET_ONE = (
    "Install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, "
    "start it, and run this command again; or set DOCKER_HOST to an engine you may use."
)


def _is_debian_root() -> bool:
    return os.geteuid() == 0 and Path("/etc/debian_version").exists() and bool(shutil.which("apt-get"))


def _apt_install(packages: list[str], report: Reporter) -> None:
    report(f"installing {' '.join(packages)} from the Debian packages (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    for cmd in (["apt-get", "update", "-qq"], install):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise EngineInstallError(f"`{' '.join(cmd)}` failed: {' / '.join(tail)}. Fix apt, or: {HOW_TO_GET_ONE}")


def host_packages(stage: str = "start") -> list[tuple[str, str]]:
    """``(package, tool)`` pairs of a stage from system-packages.txt (``-`` when a package has no tool to look for).

    Raises:
        EngineInstallError: the list cannot be read.
    """
    try:
        lines = SYSTEM_PACKAGES.read_text().splitlines()
    except OSError as e:
        raise EngineInstallError(f"The host package list {SYSTEM_PACKAGES} cannot be read ({e.strerror}).") from e
    fields = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    return [(f[0], f[1]) for f in fields if len(f) >= 3 and f[2] == stage]


def ensure_host_tools(report: Reporter = silent) -> None:
    """Install the Debian packages the course uses on the host (engine, debootstrap, iptables) where missing."""
    missing = [
        pkg
        for pkg, tool in host_packages("start")
        if tool != "-" and not shutil.which(tool) and not Path("/usr/sbin", tool).exists()
    ]
    if missing and _is_debian_root():
        _apt_install(missing, report)


def install_stage(stage: str, report: Reporter = silent) -> None:
    """Install the Debian packages of ``stage`` (system-packages.txt) that are missing, on Debian as root."""
    missing = [pkg for pkg, _ in host_packages(stage) if not _dpkg_installed(pkg)]
    if missing and _is_debian_root():
        _apt_install(missing, report)


def _dpkg_installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)  # noqa: S607
    return done.returncode == 0 and done.stdout.strip().endswith(" installed")


def ensure_host_engine(report: Reporter = silent, timeout: float = 60) -> docker.DockerClient:
    """Return a client on the host engine, installing and starting ``dockerd`` if it may.

    Raises:
        EngineInstallError: no engine answers and the course may not start one here.
    """
    url = host_engine_url()
    try:
        client = connect(url, what="Docker engine")
        if not in_lab():
            refuse_a_lab_engine(client)
        return client
    except EngineUnavailable as first:
        if os.environ.get("DOCKER_HOST") or not _is_debian_root():
            raise EngineInstallError(f"{first} {HOW_TO_GET_ONE}") from first
    ensure_host_tools(report)
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    if not Path(dockerd).exists():
        raise EngineInstallError(f"dockerd is still missing after installing docker.io. {HOW_TO_GET_ONE}")
    log = ensure_writable(state_dir(), "state") / "dockerd.log"
    report(f"no Docker engine was running: starting dockerd (log: {log})")
    with open(log, "ab") as out:
        subprocess.Popen(  # noqa: S603 - a fixed command
            [dockerd], stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = connect(url, timeout=30, what="Docker engine")
            report("dockerd is up")
            return client
        except EngineUnavailable as e:
            if time.monotonic() > deadline:
                raise EngineInstallError(
                    f"dockerd was started but did not answer within {timeout:.0f} s; see {log}."
                ) from e
            time.sleep(0.5)
