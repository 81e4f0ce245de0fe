"""Check type: a container shares the network namespace of the engine host or of another container."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class NetworkNamespace(Check):
    """``container``'s net namespace inode equals that of ``same_as`` (``host`` or a container)."""

    container: str = ""
    same_as: str = "host"
    kind: ClassVar[str] = "network namespace"

    def describe(self) -> str:
        other = "the engine host" if self.same_as == "host" else self.same_as
        return self.title or f"{self.container} is in the same network namespace as {other}"

    def evaluate(self, ctx: Context) -> Outcome:
        names = (self.container,) if self.same_as == "host" else (self.container, self.same_as)
        inodes = ctx.facts.namespaces(names)
        mine = inodes[self.container].inodes.get("net")
        theirs = inodes[self.same_as].inodes.get("net")
        found = f"net:[{mine}] vs net:[{theirs}] ({self.same_as})"
        if mine is not None and mine == theirs:
            return Outcome(True, self.describe(), found)
        if self.same_as == "host":
            hint = f"{self.container} has a network namespace of its own: run it with --network host."
        else:
            hint = (
                f"{self.container} has a network namespace of its own (or joined an earlier "
                f"{self.same_as}): run it with --network container:{self.same_as} after {self.same_as} runs."
            )
        return Outcome(False, self.describe(), found, hint)
