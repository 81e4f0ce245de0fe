"""Check type: the interfaces inside a running container's network namespace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome

# Fallback tunnel devices the kernel creates in every network namespace when their
# modules are loaded: not configured by Docker, always down.
KERNEL_FALLBACK = {"tunl0", "sit0", "ip6tnl0", "gre0", "gretap0", "erspan0", "ip_vti0", "ip6_vti0", "ip6gre0"}


def configured(names: list[str]) -> list[str]:
    """Interface names without the kernel's fallback tunnel devices."""
    return [n for n in names if n not in KERNEL_FALLBACK]


@dataclass
class InterfacesInside(Check):
    """Inside ``container`` there are exactly the interfaces ``expected`` (``lo`` only, ...)."""

    container: str = ""
    expected: tuple[str, ...] = ("lo",)
    kind: ClassVar[str] = "interfaces inside"
    REQUIRED = ("container", "expected")
    OBJECTS = {"container": "container"}

    def describe(self) -> str:
        return self.title or f"inside {self.container}: only {', '.join(self.expected)}"

    def evaluate(self, ctx: Context) -> Outcome:
        names = configured([i.name for i in ctx.facts.interfaces(self.container)])
        found = ", ".join(names) or "no interfaces"
        if sorted(names) == sorted(self.expected):
            return Outcome(True, self.describe(), found)
        extra = sorted(set(names) - set(self.expected))
        return Outcome(
            False,
            self.describe(),
            found,
            f"{self.container} has {', '.join(extra) or 'other interfaces'}: Docker attached it to a network. "
            f"Remove it and run it again with --network none.",
        )
