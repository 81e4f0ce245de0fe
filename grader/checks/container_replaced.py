"""Check type: a container was removed after it did its part, and its successor exists.

Absence alone proves nothing (a blank notebook has no containers at all), so the
part counts only when the container that replaced it is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ContainerReplaced(Check):
    """No container ``removed`` exists, and ``successor`` does."""

    removed: str = ""
    successor: str = ""
    kind: ClassVar[str] = "container replaced"
    REQUIRED = ("removed", "successor")
    OBJECTS = {"removed": "container", "successor": "container"}

    def describe(self) -> str:
        return self.title or f"{self.removed} was removed and {self.successor} replaced it"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"no container {self.removed}; a container {self.successor}"
        if ctx.facts.has_container(self.removed):
            status = ctx.facts.container(self.removed).status
            return Outcome(
                False,
                expected,
                f"{self.removed} still exists ({status})",
                f"Remove it once it has done its part: docker rm -f {self.removed}.",
            )
        if not ctx.facts.has_container(self.successor):
            return Outcome(
                False,
                expected,
                f"neither {self.removed} nor {self.successor} exists",
                f"Do the exercise's steps: {self.removed} first, then remove it and create {self.successor}.",
            )
        return Outcome(True, expected, f"{self.removed} removed, {self.successor} exists")
