"""Check type: a container has the privilege a task needs (``--privileged`` or the capabilities)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.containers import ContainerFacts


def missing_capabilities(facts: ContainerFacts, needed: tuple[str, ...]) -> list[str]:
    """The capabilities of ``needed`` the container was not given (none when privileged).

    ``--cap-add ALL --cap-drop X`` grants everything but X.
    """
    if facts.privileged:
        return []
    added, dropped = facts.cap_add, facts.cap_drop
    return [c for c in needed if not ((c in added or "ALL" in added) and c not in dropped)]


def describe_privilege(facts: ContainerFacts) -> str:
    """The privilege flags as `docker run` would show them."""
    if facts.privileged:
        return "--privileged"
    flags = [f"--cap-add {c}" for c in sorted(facts.cap_add)] + [f"--cap-drop {c}" for c in sorted(facts.cap_drop)]
    return " ".join(flags) or "default capabilities only"


@dataclass
class ContainerPrivilege(Check):
    """Container ``name`` runs with ``--privileged`` or with every capability in ``capabilities``."""

    name: str = ""
    capabilities: tuple[str, ...] = ()
    kind: ClassVar[str] = "container privilege"
    REQUIRED = ("name", "capabilities")
    OBJECTS = {"name": "container"}

    def describe(self) -> str:
        caps = " ".join(f"--cap-add {c}" for c in self.capabilities)
        return self.title or f"{self.name} runs with --privileged or {caps}"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.name)
        missing = missing_capabilities(facts, self.capabilities)
        expected = "--privileged, or the capabilities " + ", ".join(self.capabilities)
        found = describe_privilege(facts)
        if not missing:
            return Outcome(True, expected, found)
        return Outcome(
            False,
            expected,
            f"{found} (missing {', '.join(missing)})",
            f"Least privilege is {' '.join(f'--cap-add {c}' for c in self.capabilities)}; --privileged gives "
            "everything, where the host allows it.",
        )
