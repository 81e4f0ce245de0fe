"""Check type: a container exists (or must not), is running, or exited with a code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ContainerState(Check):
    """``absent``: the container must not exist; ``running``: True/False/None (any);
    ``exit_code``: for an exited container, the code it must have ended with."""

    name: str = ""
    absent: bool = False
    running: bool | None = True
    exit_code: int | None = None
    kind: ClassVar[str] = "container state"
    REQUIRED = ("name",)
    CHOICES = {"running": (True, False, None)}
    OBJECTS = {"name": "container"}

    def describe(self) -> str:
        if self.title:
            return self.title
        if self.absent:
            return f"no container {self.name}"
        return f"container {self.name} " + {True: "is running", False: "has exited", None: "exists"}[self.running]

    def evaluate(self, ctx: Context) -> Outcome:
        if self.absent:
            if not ctx.facts.has_container(self.name):
                return Outcome(True, f"no container {self.name}", "none")
            facts = ctx.facts.container(self.name)
            return Outcome(
                False,
                f"no container {self.name}",
                f"{self.name} ({facts.status})",
                f"Remove it: docker rm -f {self.name}",
            )
        facts = ctx.facts.container(self.name)
        expected = self.describe()
        found = facts.status + (f", exit code {facts.exit_code}" if facts.status == "exited" else "")
        if self.running is True and not facts.running:
            return Outcome(False, expected, found, f"Start it (docker start {self.name}) or run it again with -d.")
        if self.running is False and facts.running:
            return Outcome(False, expected, found, "It should have finished: check its command.")
        if self.exit_code is not None and (facts.running or facts.exit_code != self.exit_code):
            return Outcome(False, f"{self.name} exited with code {self.exit_code}", found)
        return Outcome(True, expected, found)
