"""Check type: a file in a named volume holds a text, and was written before a container was created."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.volumes import parse_time


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d} UTC"


@dataclass
class VolumeFileCheck(Check):
    """File ``path`` (relative to the volume's root) in ``volume``: ``contains`` a text, and/or
    was last written before the container ``written_before`` was created.

    ``writer``: how the learner should have written it (for the hints).
    """

    volume: str = ""
    path: str = ""
    contains: str | None = None
    written_before: str = ""
    writer: str = ""
    kind: ClassVar[str] = "file in a volume"
    REQUIRED = ("volume", "path", "writer")
    OBJECTS = {"volume": "volume", "written_before": "container"}

    def describe(self) -> str:
        if self.title:
            return self.title
        if self.written_before:
            return f"{self.path} was stored in {self.volume} before {self.written_before} was created"
        return f"{self.path} in volume {self.volume} holds {self.contains!r}"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = self.describe()
        f = ctx.facts.volume_file(self.volume, self.path)
        if not f.exists:
            holds = ", ".join(f.listing[:8]) or "nothing"
            return Outcome(
                False,
                expected,
                f"no {self.path} in the volume (it holds: {holds})",
                f"The volume never got the file: {self.writer} must write it into the directory where "
                f"{self.volume} is mounted; a file written anywhere else stays in the container's writable "
                "layer and dies with it.",
            )
        if self.contains is not None and self.contains not in f.text:
            return Outcome(
                False,
                expected,
                f"{self.path} holds {f.text.strip()[:80]!r}",
                f"Write exactly {self.contains!r} ({self.writer}).",
            )
        if self.written_before:
            created = parse_time(ctx.facts.container(self.written_before).created)
            if f.mtime >= created:
                return Outcome(
                    False,
                    expected,
                    f"{self.path} written at {_clock(f.mtime)}, {self.written_before} created at {_clock(created)}",
                    f"The data was written after {self.written_before} existed, so this does not show that it "
                    f"outlived the first container. {self.writer} must store it; then remove that container and "
                    f"create {self.written_before}, which only reads it.",
                )
            return Outcome(
                True,
                expected,
                f"written at {_clock(f.mtime)}, {self.written_before} created at {_clock(created)}",
            )
        return Outcome(True, expected, f"{self.path} holds {f.text.strip()[:80]!r}")
