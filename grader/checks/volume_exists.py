"""Check type: a named volume exists on the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class VolumeExists(Check):
    """The named volume ``volume`` exists."""

    volume: str = ""
    kind: ClassVar[str] = "volume exists"
    REQUIRED = ("volume",)
    OBJECTS = {"volume": "volume"}

    def describe(self) -> str:
        return self.title or f"volume {self.volume} exists"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"a volume named {self.volume}"
        if not ctx.facts.has_volume(self.volume):
            return Outcome(
                False,
                expected,
                "no such volume",
                f"Create it: docker volume create {self.volume} (or let `-v {self.volume}:/path` create it).",
            )
        driver = ctx.facts.volume(self.volume).driver
        return Outcome(True, expected, f"volume {self.volume} (driver {driver})")
