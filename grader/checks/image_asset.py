"""Check type: a course asset (a file, or the members of a tar archive) ended up in an image."""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.engine.settings import course_dir
from grader.errors import NotFound
from grader.facts.images import FileInImage


@dataclass
class ImageAsset(Check):
    """``asset`` (a path under ``course/``) is in ``tag`` at ``path``.

    With ``extract``, the asset is a tar archive whose files must be extracted
    under the directory ``path`` (as ADD does), the archive itself absent there.
    """

    tag: str = ""
    asset: str = ""
    path: str = ""
    extract: bool = False
    kind: ClassVar[str] = "course asset in image"
    REQUIRED = ("tag", "asset", "path")
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        return self.title or f"{self.asset} {'extracted into' if self.extract else 'at'} {self.path}"

    def evaluate(self, ctx: Context) -> Outcome:
        data = read_asset(self.asset)
        image = ctx.facts.image(self.tag)
        if not self.extract:
            return self._file(image.file(self.path), data)
        members = archive_members(data)
        archive = posixpath.join(self.path, posixpath.basename(self.asset))
        expected = f"{', '.join(posixpath.join(self.path, m) for m in members)} from the archive, no {archive}"
        copied = image.file(archive)
        if copied is not None:
            hint = (
                "The archive itself was copied, not extracted (a tar COPYed instead of ADDed?): "
                f"COPY never extracts; `ADD {self._source()} {self.path}/` unpacks a local tar."
            )
            if copied.kind == "dir":
                hint = f"ADD extracts into the destination folder: give {self.path}/ as destination."
            return Outcome(False, expected, f"{archive} exists ({copied.kind})", hint)
        wrong = []
        for name, content in members.items():
            found = image.file(posixpath.join(self.path, name))
            if found is None or found.content != content:
                wrong.append(f"{name}: {'missing' if found is None else 'different content'}")
        if wrong:
            return Outcome(
                False,
                expected,
                "; ".join(wrong),
                f"`ADD {self._source()} {self.path}/` extracts the archive's files into {self.path}/ "
                f"(the build context must hold the {self._folder()} folder).",
            )
        return Outcome(True, expected, f"{len(members)} file(s) extracted, no {archive}")

    def _source(self) -> str:
        """The asset as the Dockerfile names it: relative to the chapter folder (the build context)."""
        return self.asset.split("/", 1)[-1]

    def _folder(self) -> str:
        """The chapter's folder the asset sits in (``assets``)."""
        return posixpath.dirname(self._source())

    def _file(self, found: FileInImage | None, data: bytes) -> Outcome:
        expected = f"{self.path} with the content of {self.asset}"
        src = self._source()
        if found is None:
            return Outcome(
                False,
                expected,
                f"no {self.path}",
                f"`COPY {src} {self.path}`, built with the chapter folder (which holds {self._folder()}/) "
                "as the build context: `docker build -f <folder>/Dockerfile .`",
            )
        if found.kind != "file":
            return Outcome(False, expected, f"{self.path} is a {found.kind}", f"Copy the file itself to {self.path}.")
        if found.content != data:
            return Outcome(
                False, expected, f"{found.content[:80]!r}", f"{self.path} differs from {src}: copy the course's file."
            )
        return Outcome(True, expected, f"{len(data)} bytes, same as {src}")


def read_asset(asset: str) -> bytes:
    """The bytes of ``course/<asset>``.

    Raises:
        NotFound: the asset is missing from the course folder.
    """
    path = course_dir() / asset
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise NotFound(f"The course file {path} is missing: restore it (git checkout -- {path}).") from e


def archive_members(data: bytes) -> dict[str, bytes]:
    """Regular files of a tar archive: normalised member name -> bytes."""
    out = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                handle = tar.extractfile(member) if member.isfile() else None
                if handle is not None:
                    out[posixpath.normpath(member.name).lstrip("/")] = handle.read()
    except tarfile.TarError as e:
        raise NotFound(f"The course archive is damaged ({e}): restore it from the course.") from e
    return out
