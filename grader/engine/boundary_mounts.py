"""Folders a user-namespaced lab writes, offered through id-mapped mounts (Linux >= 5.12).

A lab's root is host uid 400000: the host's files in a folder it mounts read-write
(the course folder, a submission) would be "nobody" inside and not writable. An
id-mapped mount of the folder shifts every id by the lab's offset (on-disk uid N
is uid N inside the lab, and what the lab writes lands as uid N again), so the lab
writes the folder exactly as today's lab does, without changing a single owner on
the host. The mount is made on the host under ``/run/docker-course-labs/mounts``
and bind-mounted into the lab at the folder's own absolute path.

What this does *not* change: a folder mounted read-write is the lab's to write, as
before (see README "The lab as a boundary").
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import subprocess
import time
from pathlib import Path

from grader.engine.boundary import LABS_RUN, SUBID_COUNT

MOUNTS = LABS_RUN / "mounts"
_SYS_OPEN_TREE, _SYS_MOVE_MOUNT, _SYS_MOUNT_SETATTR = 428, 429, 442  # x86_64
_OPEN_TREE_CLONE, _OPEN_TREE_CLOEXEC, _AT_RECURSIVE, _AT_EMPTY_PATH = 1, 0o2000000, 0x8000, 0x1000
_MOVE_MOUNT_F_EMPTY_PATH, _MOUNT_ATTR_IDMAP, _MNT_DETACH = 4, 0x00100000, 2
_AT_FDCWD = -100


class _MountAttr(ctypes.Structure):
    _fields_ = [  # noqa: RUF012 - ctypes' own spelling
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def mount_point(lab: str, folder: Path) -> Path:
    """Where the id-mapped view of ``folder`` for lab ``lab`` is mounted on the host."""
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return MOUNTS / lab / digest


def idmapped(lab: str, folder: Path, offset: int) -> Path:
    """Mount ``folder`` id-shifted by ``offset`` for lab ``lab`` (replacing an earlier one); returns the mount.

    Raises:
        OSError: the kernel or the folder's filesystem refuses id-mapped mounts.
    """
    target = mount_point(lab, folder)
    release(target)
    target.mkdir(parents=True, exist_ok=True)
    libc = ctypes.CDLL(None, use_errno=True)
    holder = subprocess.Popen(["unshare", "--user", "sleep", "30"])  # noqa: S607 - util-linux, a fixed command
    try:
        userns = _mapped_userns(holder, offset)
        try:
            tree = _check(libc.syscall(_SYS_OPEN_TREE, _AT_FDCWD, os.fsencode(folder),
                                       _OPEN_TREE_CLONE | _OPEN_TREE_CLOEXEC | _AT_RECURSIVE), "open_tree")  # fmt: skip
            try:
                attr = _MountAttr(_MOUNT_ATTR_IDMAP, 0, 0, userns)
                _check(libc.syscall(_SYS_MOUNT_SETATTR, tree, b"", _AT_EMPTY_PATH | _AT_RECURSIVE,
                                    ctypes.byref(attr), ctypes.sizeof(attr)), "mount_setattr")  # fmt: skip
                _check(libc.syscall(_SYS_MOVE_MOUNT, tree, b"", _AT_FDCWD, os.fsencode(target),
                                    _MOVE_MOUNT_F_EMPTY_PATH), "move_mount")  # fmt: skip
            finally:
                os.close(tree)
        finally:
            os.close(userns)
    finally:
        holder.kill()
        holder.wait()
    return target


def release(target: Path) -> None:
    """Unmount an id-mapped view (lazily: a lab may still hold it) and remove its mount point."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(64):  # stacked views (an earlier run that did not release) come off one by one
        if not mounted(target) or libc.umount2(os.fsencode(target), _MNT_DETACH) != 0:
            break
    with contextlib.suppress(OSError):
        target.rmdir()


def mounted(target: Path) -> bool:
    """True when something is mounted at ``target`` (a bind of the same filesystem included, unlike ismount)."""
    wanted = str(target)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == wanted for line in f if len(line.split()) > 4)


def release_lab(lab: str) -> None:
    """Every id-mapped view of lab ``lab``."""
    folder = MOUNTS / lab
    if folder.is_dir():
        for target in folder.iterdir():
            release(target)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _mapped_userns(holder: subprocess.Popen[bytes], offset: int) -> int:
    """A user namespace mapping ids 0..65535 to offset.., held by ``holder``, as an fd."""
    for _ in range(100):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{holder.pid}/ns/user") != os.readlink("/proc/self/ns/user"):
                break
        time.sleep(0.01)
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/{holder.pid}/{name}", "w") as f:
            f.write(f"0 {offset} {SUBID_COUNT}\n")
    return os.open(f"/proc/{holder.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)


def _check(rc: int, what: str) -> int:
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return rc
