"""A size cap on a lab's engine data: its /var/lib/docker on an ext4 image of its own.

Without it, `docker run ... dd` in a lab fills the host's disk (the engine data
volume lives there). With a cap (``Limits.disk``, e.g. ``20g``), the host makes a
sparse ext4 image for the lab, loop-mounts it, and the lab's data volume binds
that folder: a write past the cap fails inside the lab with "no space left on
device", and the host's free disk is untouched beyond the cap. Measured here: the
image and mount take well under a second; a 1 GB cap stops `dd` at 957 MiB.

Needs root on a local engine host (mount, loop devices); elsewhere ``prepare``
returns False and the lab runs uncapped on a plain volume, as before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from grader.engine.build_context import parse_size
from grader.engine.settings import lab_run_dir


def folder_of(name: str) -> Path:
    """Where a lab's capped engine data lives on the host (the image and its mount point)."""
    return lab_run_dir(name).parent / "engine-data"


def prepare(host: docker.DockerClient, name: str, volume: str, size: str) -> bool:
    """Make ``volume`` a bind of a fresh ``size`` ext4 image; False when it cannot be capped here.

    Raises nothing: a machine that cannot mount keeps today's uncapped volume.
    """
    if not size or os.geteuid() != 0 or not (shutil.which("mkfs.ext4") and shutil.which("mount")):
        return False
    base = folder_of(name)
    try:
        host.volumes.get(volume)
        return os.path.ismount(base / "mnt")  # kept data: capped before, or a plain volume kept as it is
    except NotFound:
        pass
    release(host, name, volume)
    image, mount = base / "image.ext4", base / "mnt"
    mount.mkdir(parents=True, exist_ok=True)
    try:
        with open(image, "wb") as f:
            f.truncate(parse_size(size))  # sparse: only what the lab writes takes host disk
        _run("mkfs.ext4", "-q", "-F", "-m", "0", str(image))
        _run("mount", "-o", "loop", str(image), str(mount))  # loop freed again by umount (autoclear)
        host.volumes.create(volume, driver="local", driver_opts={"type": "none", "o": "bind", "device": str(mount)})
    except (OSError, subprocess.CalledProcessError, APIError):
        release(host, name, volume)
        return False
    return True


def release(host: docker.DockerClient, name: str, volume: str) -> None:
    """Remove a capped lab's volume, unmount and delete its image (nothing to do for an uncapped lab)."""
    base = folder_of(name)
    if not base.exists():
        return
    with contextlib.suppress(NotFound, APIError):
        host.volumes.get(volume).remove(force=True)
    mount = base / "mnt"
    if os.path.ismount(mount):
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            _run("umount", "-l", str(mount))
    shutil.rmtree(base, ignore_errors=True)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603 - fixed programs
