"""Files in folders a lab can write, read and written by host-side code without following links.

A lab's run folder (engine socket, progress, readiness markers) is writable by
root in the lab, and host-side code runs as root on the host: a link planted
there (``progress.json -> /etc/shadow``) would make the host read or overwrite a
file of its own choosing. Every access here opens the folder itself with
``O_NOFOLLOW | O_DIRECTORY`` and the file relative to it (``dir_fd``) with
``O_NOFOLLOW``, so a planted link fails with ``ELOOP`` (or ``ENOTDIR``) instead
of being followed; writes go to a fresh ``O_EXCL`` temporary file renamed over
the target, so a planted link is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

NOFOLLOW_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PlantedLink(OSError):
    """A file or folder the host was about to use is a link (or not a regular file) planted by a lab."""


def _open_dir(folder: Path) -> int:
    try:
        return os.open(folder, NOFOLLOW_DIR)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR):
            raise PlantedLink(e.errno, f"{folder} is not a plain folder (a link?); not followed") from e
        raise


def read_bytes(folder: Path, name: str, limit: int = 4 << 20) -> bytes:
    """The content of ``folder/name``, refusing links (the file's or the folder's).

    Args:
        folder: a folder a lab may write (its last component is not followed if a link).
        name: a plain file name (no slash).
        limit: read at most this many bytes (a lab could plant a huge file).

    Raises:
        PlantedLink: ``name`` or ``folder`` is a link, or ``name`` is not a regular file.
        OSError: the file is missing or unreadable.
    """
    _plain(name)
    dfd = _open_dir(folder)
    try:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dfd)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise PlantedLink(e.errno, f"{folder / name} is a link; not followed") from e
            raise
        try:
            if not _is_regular(fd):
                raise PlantedLink(0, f"{folder / name} is not a regular file; not read")
            chunks, size = [], 0
            while size < limit and (chunk := os.read(fd, min(65536, limit - size))):
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
    finally:
        os.close(dfd)


def read_text(folder: Path, name: str) -> str:
    """``read_bytes`` decoded as UTF-8 (undecodable bytes replaced)."""
    return read_bytes(folder, name).decode(errors="replace")


def write_bytes(folder: Path, name: str, data: bytes, mode: int = 0o644) -> None:
    """Replace ``folder/name`` with ``data`` atomically, never writing through a link.

    The data goes to a new temporary file (``O_CREAT | O_EXCL | O_NOFOLLOW``, a name
    the lab cannot guess) in the same folder, which is then renamed over ``name``:
    a link planted at ``name`` is replaced by the file, its target untouched.

    Raises:
        PlantedLink: ``folder`` is a link.
        OSError: the folder is not writable.
    """
    _plain(name)
    dfd = _open_dir(folder)
    tmp = f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dfd)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dfd)
        raise
    finally:
        os.close(dfd)


def write_text(folder: Path, name: str, text: str, mode: int = 0o644) -> None:
    """``write_bytes`` of ``text`` as UTF-8."""
    write_bytes(folder, name, text.encode(), mode)


def remove(folder: Path, name: str) -> None:
    """Remove ``folder/name`` if present (a link is removed itself, never its target)."""
    _plain(name)
    try:
        dfd = _open_dir(folder)
    except FileNotFoundError:
        return
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=dfd)
    finally:
        os.close(dfd)


def exists(folder: Path, name: str) -> bool:
    """True when ``folder/name`` exists as itself (a link counts as present, never followed)."""
    _plain(name)
    try:
        dfd = _open_dir(folder)
    except OSError:
        return False
    try:
        os.stat(name, dir_fd=dfd, follow_symlinks=False)
        return True
    except OSError:
        return False
    finally:
        os.close(dfd)


def _plain(name: str) -> None:
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")


def _is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)
