"""Reading and writing inside the learner's workspace without following symbolic links.

The lab writes the workspace too, as root, so a link planted there (a chapter
folder pointing at ``/etc``, a notebook pointing at a host secret) must never
make a host-side course process read or write outside it. Every path below the
workspace is therefore opened one component at a time from a directory file
descriptor with ``O_NOFOLLOW``; a link anywhere below the workspace root is an
error, never followed. Writes are atomic: a temporary file in the same folder,
``fsync``, ``rename`` over the target, ``fsync`` of the folder, so a crash leaves
either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from grader.errors import GraderError

TMP_SUFFIX = ".docker-course-tmp"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(GraderError):
    """A path in the workspace is a symbolic link (or not what it should be); the course leaves it alone."""


def _parts(rel: str | PurePosixPath) -> list[str]:
    parts = [p for p in PurePosixPath(rel).parts if p not in ("", ".")]
    if any(p == ".." or "/" in p for p in parts) or PurePosixPath(rel).is_absolute():
        raise UnsafePath(f"{rel} is not a path inside the workspace.")
    return parts


class SafeTree:
    """A folder (the workspace) whose contents are read and written without following links.

    Args:
        root: the folder; it may itself be reached through a link the user made
            (resolved once here), but nothing below it is followed.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def _describe(self, parts: list[str]) -> str:
        return str(self.root.joinpath(*parts))

    @contextlib.contextmanager
    def folder(self, rel: str | PurePosixPath = "", create: bool = False) -> Iterator[int]:
        """A file descriptor of the folder ``rel`` (made when ``create``), closed afterwards.

        Raises:
            UnsafePath: a component is a symbolic link or not a folder.
            FileNotFoundError: a component is missing and ``create`` is false.
        """
        parts = _parts(rel)
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for i, name in enumerate(parts):
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o755, dir_fd=fd)
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR):
                        where = self._describe(parts[: i + 1])
                        raise UnsafePath(
                            f"{where} is a symbolic link or a file, not a folder: the course does not "
                            "follow links in the workspace. Move it away and run `docker-course update`."
                        ) from e
                    raise
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def kind(self, rel: str | PurePosixPath) -> str | None:
        """``file``, ``dir``, ``link``, ``other`` or None (missing), without following links."""
        parts = _parts(rel)
        try:
            with self.folder(PurePosixPath(*parts[:-1]) if len(parts) > 1 else "") as fd:
                st = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except UnsafePath:
            return "link"  # a folder above it is a link (or a file)
        if stat.S_ISLNK(st.st_mode):
            return "link"
        if stat.S_ISDIR(st.st_mode):
            return "dir"
        return "file" if stat.S_ISREG(st.st_mode) else "other"

    def read_bytes(self, rel: str | PurePosixPath) -> bytes:
        """The bytes of a regular file below the root.

        Raises:
            UnsafePath: the file or a folder above it is a link, or it is not a regular file.
            FileNotFoundError: it does not exist.
        """
        parts = _parts(rel)
        with self.folder(PurePosixPath(*parts[:-1]) if len(parts) > 1 else "") as dir_fd:
            try:
                fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            except OSError as e:
                if e.errno == errno.ELOOP:
                    raise UnsafePath(
                        f"{self._describe(parts)} is a symbolic link: the course does not follow links in the "
                        "workspace and leaves it alone."
                    ) from e
                raise
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise UnsafePath(f"{self._describe(parts)} is not a regular file; the course leaves it alone.")
                return f.read()

    def write_bytes(self, rel: str | PurePosixPath, data: bytes) -> None:
        """Replace ``rel`` with ``data`` atomically (folders above it are made as needed).

        A link at ``rel`` itself is replaced, never written through.
        """
        parts = _parts(rel)
        with self.folder(PurePosixPath(*parts[:-1]) if len(parts) > 1 else "", create=True) as dir_fd:
            tmp = f".{parts[-1]}.{os.getpid()}{TMP_SUFFIX}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=dir_fd)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, parts[-1], src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dir_fd)
                raise
            os.fsync(dir_fd)

    def create_exclusive(self, rel: str | PurePosixPath, data: bytes) -> bool:
        """Create ``rel`` with ``data`` only if nothing is there yet; False when something is."""
        parts = _parts(rel)
        with self.folder(PurePosixPath(*parts[:-1]) if len(parts) > 1 else "", create=True) as dir_fd:
            try:
                fd = os.open(
                    parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd
                )
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            return True

    def remove_file(self, rel: str | PurePosixPath) -> bool:
        """Remove a file or link (never what a link points at); True when something was removed."""
        parts = _parts(rel)
        try:
            with self.folder(PurePosixPath(*parts[:-1]) if len(parts) > 1 else "") as dir_fd:
                os.unlink(parts[-1], dir_fd=dir_fd)
        except (FileNotFoundError, UnsafePath):
            return False
        return True

    def listdir(self, rel: str | PurePosixPath = "") -> list[str]:
        """Names in folder ``rel`` (empty when it is missing)."""
        try:
            with self.folder(rel) as fd:
                return sorted(os.listdir(fd))
        except FileNotFoundError:
            return []

    def remove_stale_temporaries(self, rel: str | PurePosixPath = "") -> list[str]:
        """Remove temporary files an interrupted write left in folder ``rel``."""
        gone = [name for name in self.listdir(rel) if name.endswith(TMP_SUFFIX)]
        for name in gone:
            self.remove_file(PurePosixPath(rel) / name)
        return gone
