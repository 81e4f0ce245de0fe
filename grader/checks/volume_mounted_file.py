"""Check type: a file seen through a bind mount inside a container is the host's file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.engine.settings import course_dir


def host_text(mount_source: str, name: str, fallback: str) -> str | None:
    """The host file behind a bind mount (same absolute path for the grader), else the course's copy."""
    candidates = [Path(mount_source) / name] if mount_source else []
    for path in [*candidates, course_dir() / fallback]:
        try:
            return path.read_text(errors="replace")
        except OSError:
            continue
    return None


@dataclass
class MountedFile(Check):
    """Inside the running ``container``, ``destination/name`` has the content of the host file
    behind the bind mount (``fallback``: that file relative to ``course/``, if the grader cannot read it)."""

    container: str = ""
    destination: str = ""
    name: str = ""
    fallback: str = ""
    kind: ClassVar[str] = "file through a bind mount"
    REQUIRED = ("container", "destination", "name", "fallback")
    OBJECTS = {"container": "container"}

    def describe(self) -> str:
        return self.title or f"{self.destination}/{self.name} in {self.container} shows the host file"

    def evaluate(self, ctx: Context) -> Outcome:
        inside = f"{self.destination.rstrip('/')}/{self.name}"
        m = ctx.facts.container(self.container).mount_at(self.destination)
        want = host_text(m.source if m is not None and m.type == "bind" else "", self.name, self.fallback)
        expected = f"{inside} with the host file's content" + (f" ({want.strip()[:60]!r}...)" if want else "")
        result = ctx.facts.exec(self.container, ["cat", inside])
        if result.exit_code != 0:
            hint = (
                f"{inside} does not exist inside {self.container}. A mount hides whatever the image has at "
                f"{self.destination}, so the container sees only the mounted source: "
            )
            if m is not None and m.type == "volume":
                hint += f"here a volume ({m.name[:20]}), which is empty. Bind the host folder by absolute path."
            else:
                hint += f"bind the chapter's {self._folder()}/ folder: {self._flag()}."
            return Outcome(False, expected, result.stderr.strip()[:160] or "no such file", hint)
        if want is None or result.stdout.strip() != want.strip():
            return Outcome(
                False,
                expected,
                repr(result.stdout.strip()[:120]),
                f"{inside} differs from the host file: mount the chapter's own {self._folder()}/ folder.",
            )
        return Outcome(True, expected, f"{inside} matches the host file")

    def _folder(self) -> str:
        """The chapter folder the file comes from (``config`` for ``05-volumes/config/app.conf``)."""
        return PurePosixPath(self.fallback).parent.name

    def _flag(self) -> str:
        return f'-v "$PWD/{self._folder()}:{self.destination}:ro"'
