"""Run the boundary probes in a lab: as its root and in an all-capabilities container inside it.

The probes themselves (``boundary_probe.py``, standard library only) run in the
lab; this side says what "the host" is (namespace inodes, a marker process, its
engine's ID, its disk, a listener on all addresses, another lab's addresses,
folders outside the workspace) and reads their verdicts.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.models.containers import Container

PROBE_SOURCE = Path(__file__).with_name("boundary_probe.py")
INNER_IMAGE = "python:3.11-slim"
INNER_FLAGS = [
    "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--security-opt", "systempaths=unconfined",
    "--pid", "host", "--net", "host", "-v", "/:/lab-root",
]  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """One probe's answer from one place (``root`` of the lab, or ``inner`` container)."""

    where: str
    probe: str
    verdict: str  # held | exposed | not applicable | error
    detail: str


@contextmanager
def host_marks() -> Iterator[dict[str, object]]:
    """A host process with a random marker in its command line and a listener on all addresses."""
    marker = "boundary-marker-" + secrets.token_hex(6)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", marker])
    listener = socket.create_server(("0.0.0.0", 0))  # noqa: S104 - the point: a service on all addresses
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield {"marker": marker, "listener_port": listener.getsockname()[1]}
    finally:
        stop.set()
        thread.join(2)
        listener.close()
        sleeper.kill()
        sleeper.wait()


def probe_config(
    host: docker.DockerClient,
    lab: Container,
    marks: dict[str, object],
    other_lab: list[tuple[str, int]],
    forbidden: list[str],
) -> dict[str, object]:
    """What the probes need to know about the host, for lab ``lab``."""
    networks = list((lab.attrs.get("NetworkSettings") or {}).get("Networks", {}).values())
    gateway = networks[0]["Gateway"] if networks else "127.0.0.1"
    root_dev = os.stat("/").st_dev
    disk = _disk_of(root_dev)
    return {
        "core_pattern": Path("/proc/sys/kernel/core_pattern").read_text(),
        "host_has_sysrq": Path("/proc/sysrq-trigger").exists(),
        "block_device": list(disk),
        "host_userns": os.stat("/proc/self/ns/user").st_ino,
        "host_pidns": os.stat("/proc/self/ns/pid").st_ino,
        "host_marker_reversed": str(marks["marker"])[::-1],
        "host_engine_id": host.info()["ID"],
        "host_address": gateway,
        "other_lab": [list(a) for a in other_lab],
        "host_listener": [gateway, marks["listener_port"]],
        "forbidden": forbidden,
    }


def run_probes(engine_url: str, lab_name: str, config: dict[str, object], timeout: float = 120) -> list[Verdict]:
    """Run the probes as the lab's root and in an all-capabilities container inside it."""
    source = PROBE_SOURCE.read_text()
    arg = json.dumps(config)
    base = ["docker", "-H", engine_url, "exec", "-i", lab_name]
    places = {
        "root": [*base, "python3", "-", arg],
        "inner": [*base, "docker", "run", "--rm", "-i", *INNER_FLAGS, INNER_IMAGE, "python3", "-", arg],
    }
    verdicts = []
    for where, command in places.items():
        done = subprocess.run(command, input=source, capture_output=True, text=True, timeout=timeout)
        if "invalid CapDrop" in done.stderr:
            # newer engines expand ALL to what the lab has and refuse to drop a capability it lacks
            command = [a for i, a in enumerate(command) if a != "--cap-drop" and command[i - 1] != "--cap-drop"]
            done = subprocess.run(command, input=source, capture_output=True, text=True, timeout=timeout)
        try:
            answers = json.loads(done.stdout)
        except ValueError:
            answers = {"probes": {"verdict": "error", "detail": (done.stderr or done.stdout)[-300:]}}
        verdicts += [Verdict(where, name, a["verdict"], a["detail"]) for name, a in answers.items()]
    return verdicts


def _disk_of(dev: int) -> tuple[int, int]:
    """The whole disk holding device ``dev`` (partition 254:1 -> disk 254:0), from /sys."""
    major, minor = os.major(dev), os.minor(dev)
    sysdir = Path(f"/sys/dev/block/{major}:{minor}")
    if (sysdir / "partition").exists():
        parent = (sysdir.resolve().parent / "dev").read_text().strip().split(":")
        return int(parent[0]), int(parent[1])
    if major == 0:  # an overlay or other virtual root: take the first disk listed
        for line in Path("/proc/partitions").read_text().splitlines()[2:]:
            fields = line.split()
            if len(fields) == 4:
                return int(fields[0]), int(fields[1])
    return major, minor
