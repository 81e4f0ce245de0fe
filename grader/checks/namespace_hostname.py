"""Check type: the hostname a container's own UTS namespace reports (read by a probe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.probe import NSENTER_CAPS, ProbeSpec


@dataclass
class NamespaceHostname(Check):
    """Running `hostname` inside container ``name``'s UTS namespace prints ``hostname``."""

    name: str = ""
    hostname: str = ""
    kind: ClassVar[str] = "hostname in the UTS namespace"
    REQUIRED = ("name", "hostname")
    OBJECTS = {"name": "container"}

    def describe(self) -> str:
        return self.title or f"hostname inside {self.name} is {self.hostname}"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.name)
        expected = f"hostname {self.hostname}"
        if not facts.running:
            return Outcome(False, expected, f"{self.name} is {facts.status}", f"Start it: docker start {self.name}")
        # enter only the UTS namespace: the probe's own `hostname` binary asks the kernel
        spec = ProbeSpec(
            command=["nsenter", "-u", "-t", str(facts.pid), "hostname"], pid_host=True, cap_add=NSENTER_CAPS
        )
        result = ctx.facts.run(spec)
        if not result.ok:
            return Outcome(False, expected, f"could not read it ({result.stderr.strip()[:120]})")
        found = result.stdout.strip()
        if found == self.hostname:
            return Outcome(True, expected, f"hostname {found}")
        return Outcome(
            False,
            expected,
            f"hostname {found}",
            f"Give the container its hostname when you run it: docker run -d --name {self.name} "
            f"--hostname {self.hostname} ... (the default is the short container id).",
        )
