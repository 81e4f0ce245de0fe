"""Copy-on-write engine data for labs: a btrfs pool of subvolumes on a loop-mounted image.

A lab's engine data root (its /var/lib/docker) can be a *snapshot* of a template
(``lab_template``) instead of an empty volume: a btrfs snapshot takes milliseconds
whatever it holds, shares every block with its template until one side writes, and is
then private at block level. So a learner who removes an image, re-tags one, or
writes straight into a layer's files in one lab changes only that lab's blocks; the
template and every other lab keep theirs. Each lab's subvolume can be capped
(a btrfs quota group limit), as ``lab_disk`` caps an ext4 image.

The pool is one sparse file in the course cache (only written blocks take host disk;
``discard`` gives freed blocks back), mounted on first use. It needs root, the
kernel's btrfs and ``btrfs-progs`` (``mkfs.btrfs``, ``btrfs``); elsewhere
``why_not`` says why and labs load their base images as before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from grader.engine.file_lock import held
from grader.engine.settings import cache_dir

POOL_SIZE = 100 * 2**30  # sparse: the ceiling of all templates and labs together, not what it takes
MOUNT_OPTIONS = "loop,discard=async,noatime"
TOOLS = ("mkfs.btrfs", "btrfs", "mount", "umount")


def pool_dir() -> Path:
    """The pool's folder: its image file, its mount point, its lock."""
    return cache_dir() / "engine-templates"


def mount_point() -> Path:
    """Where the pool is mounted (templates/, building/ and labs/ live there)."""
    return pool_dir() / "mnt"


def why_not() -> str:
    """'' when this machine can keep labs' engine data as snapshots, else the reason (one clause)."""
    if os.geteuid() != 0:
        return "snapshots of engine data need root (mount, loop devices)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found (Debian: apt-get install btrfs-progs)"
    try:
        known = Path("/proc/filesystems").read_text()
    except OSError:
        known = ""
    if "btrfs" not in known.split():
        return "the kernel offers no btrfs"
    return ""


@contextmanager
def locked(name: str) -> Iterator[None]:
    """One holder at a time of the pool-wide lock ``name`` (pool set-up, a template's build)."""
    pool_dir().mkdir(parents=True, exist_ok=True)
    with held(pool_dir() / f".{name}.lock"):
        yield


def ensure_pool() -> Path:
    """Make and mount the pool unless it is mounted; returns its mount point.

    Raises:
        OSError: it could not be made or mounted (the caller then loads images as before).
    """
    mount = mount_point()
    if os.path.ismount(mount):
        return mount
    with locked("pool"):
        if os.path.ismount(mount):
            return mount
        image = pool_dir() / "pool.btrfs"
        mount.mkdir(parents=True, exist_ok=True)
        if not image.exists():
            fresh = image.with_suffix(".partial")
            with open(fresh, "wb") as f:
                f.truncate(POOL_SIZE)
            run("mkfs.btrfs", "-q", "-f", str(fresh))
            fresh.rename(image)
        run("mount", "-o", MOUNT_OPTIONS, str(image), str(mount))
        run("btrfs", "quota", "enable", str(mount))  # per-lab caps are quota group limits
        for folder in ("templates", "building", "labs"):
            (mount / folder).mkdir(exist_ok=True)
    return mount


def unmount() -> bool:
    """Unmount the pool (before its folder goes); False when labs still use it. Never raises."""
    if not os.path.ismount(mount_point()):
        return True
    try:
        run("umount", str(mount_point()))
    except OSError:
        return False
    return True


def is_subvolume(path: Path) -> bool:
    """True when ``path`` is a btrfs subvolume (its root directory has inode 256)."""
    try:
        return path.is_dir() and path.stat().st_ino == 256
    except OSError:
        return False


def create(path: Path, owner: tuple[int, int] | None = None) -> None:
    """A new empty subvolume at ``path``, owned by ``owner`` (uid, gid) when given.

    Raises:
        OSError: btrfs refused.
    """
    run("btrfs", "subvolume", "create", str(path))
    if owner is not None:
        os.chown(path, *owner)


def snapshot(source: Path, target: Path, read_only: bool = False) -> None:
    """A snapshot of subvolume ``source`` at ``target`` (read-only when asked).

    Raises:
        OSError: btrfs refused.
    """
    run("btrfs", "subvolume", "snapshot", *(["-r"] if read_only else []), str(source), str(target))


def read_only(path: Path) -> bool:
    """True when subvolume ``path`` is read-only."""
    try:
        out = run("btrfs", "property", "get", "-ts", str(path), "ro")
    except OSError:
        return False
    return out.strip() == "ro=true"


def delete(path: Path) -> None:
    """Delete subvolume ``path`` (nothing when it is not there); never raises."""
    if not is_subvolume(path):
        shutil.rmtree(path, ignore_errors=True)  # a half-made folder of an interrupted step
        return
    with suppress(OSError):
        run("btrfs", "subvolume", "delete", str(path))


def limit(path: Path, size: int) -> None:
    """Cap what subvolume ``path`` may hold at ``size`` bytes (a quota group limit).

    Raises:
        OSError: btrfs refused.
    """
    run("btrfs", "qgroup", "limit", str(size), str(path))


def quota_use(path: Path, limited: bool = True) -> tuple[int, int] | None:
    """(bytes held, cap) of subvolume ``path`` after a sync; None when it is not there or has no cap.

    Args:
        limited: False: also a subvolume without a cap (its cap then reads 0).
    """
    if not is_subvolume(path):
        return None
    try:
        fields = run("btrfs", "qgroup", "show", "-rf", "--raw", "--sync", str(path)).strip().splitlines()[-1].split()
        return int(fields[1]), 0 if fields[3] == "none" and not limited else int(fields[3])
    except (OSError, IndexError, ValueError):  # "none": no cap
        return None


def disk_use() -> int:
    """Bytes the pool takes on the host disk (its sparse image's allocated blocks)."""
    image = pool_dir() / "pool.btrfs"
    return image.stat().st_blocks * 512 if image.exists() else 0


def run(*command: str) -> str:
    """Run a fixed btrfs/mount command; its output.

    Raises:
        OSError: it failed (its last words in the message) or took over a minute.
    """
    try:
        done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)  # noqa: S603
    except subprocess.CalledProcessError as e:
        raise OSError(f"{' '.join(command[:3])} failed: {(e.stderr or e.stdout).strip()[-200:]}") from e
    except subprocess.TimeoutExpired as e:
        raise OSError(f"{' '.join(command[:3])} took over a minute") from e
    return done.stdout
