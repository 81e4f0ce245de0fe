"""Check type: a container's namespace is (or is not) the one of the engine host or of another container."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.namespaces import NAMESPACES

HOST = "host"


@dataclass
class NamespaceShared(Check):
    """Container ``name``'s ``namespace`` inode equals (``shared``) or differs from that of
    ``other``: ``host`` (the engine host) or a container name. Both must be running."""

    name: str = ""
    namespace: str = "pid"
    other: str = HOST
    shared: bool = True
    kind: ClassVar[str] = "namespace sharing"
    REQUIRED = ("name", "other")
    CHOICES = {"namespace": NAMESPACES}
    OBJECTS = {"name": "container", "other": "container"}

    def _other_label(self) -> str:
        return "the engine host" if self.other == HOST else self.other

    def describe(self) -> str:
        if self.title:
            return self.title
        relation = "is the same as" if self.shared else "differs from"
        return f"{self.name}'s {self.namespace} namespace {relation} {self._other_label()}'s"

    def evaluate(self, ctx: Context) -> Outcome:
        names = tuple(sorted({self.name} | ({self.other} if self.other != HOST else set())))
        inodes = ctx.facts.namespaces(names)
        mine = inodes[self.name].inodes.get(self.namespace)
        theirs = inodes[self.other].inodes.get(self.namespace)
        expected = self.describe()
        if mine is None or theirs is None:
            return Outcome(False, expected, f"no {self.namespace} namespace to compare on this kernel")
        same = mine == theirs
        found = f"{self.name} {self.namespace}:[{mine}], {self._other_label()} {self.namespace}:[{theirs}]"
        found += " (the same)" if same else " (different)"
        if same == self.shared:
            return Outcome(True, expected, found)
        if self.shared:
            hint = f"{self.name} has its own {self.namespace} namespace, not {self._other_label()}'s."
        else:
            hint = f"{self.name} shares {self._other_label()}'s {self.namespace} namespace: it must have its own."
        return Outcome(False, expected, found, hint)
