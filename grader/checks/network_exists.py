"""Check type: a network exists with a given driver (a user-defined bridge, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class NetworkExists(Check):
    """The network ``name`` exists and uses ``driver``."""

    name: str = ""
    driver: str = "bridge"
    kind: ClassVar[str] = "network exists"
    REQUIRED = ("name", "driver")
    OBJECTS = {"name": "network"}

    def describe(self) -> str:
        return self.title or f"network {self.name} exists with driver {self.driver}"

    def evaluate(self, ctx: Context) -> Outcome:
        net = ctx.facts.network(self.name)
        found = f"network {net.name}, driver {net.driver or '?'}"
        if net.driver != self.driver:
            return Outcome(
                False,
                self.describe(),
                found,
                f"Re-create it with the {self.driver} driver: docker network rm {self.name}, then "
                f"docker network create --driver {self.driver} {self.name} (bridge is the default).",
            )
        return Outcome(True, self.describe(), found)
