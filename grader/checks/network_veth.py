"""Check type: an answer variable names the host-side veth paired with a container's eth0."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.answers import answer_text
from grader.checks.base import Check, Context, Outcome
from grader.facts.topology import Topology

COMPUTE = (
    "Compute it: read the peer's index inside the container (cat /sys/class/net/eth0/iflink), "
    "then find the host interface with that index (ip -o link)."
)


def interface_name(given: str) -> str:
    """``veth1a2b3c4@if5:`` (as ``ip link`` prints it) -> ``veth1a2b3c4``."""
    return re.sub(r"@.*$", "", given.strip().rstrip(":")).strip()


def veth_hint(given: str, container: str, inside: str, topology: Topology) -> str:
    """Why ``given`` is not the host end of ``container``'s ``inside`` interface."""
    host_names = {link.name for link in topology.host_links}
    bridges = {b.interface for b in topology.bridges}
    if given == inside:
        return (
            f"{inside} is the container's end of the pair: the answer is the other end, "
            f"the veth interface on the engine host. {COMPUTE}"
        )
    if given in bridges:
        return f"{given} is the bridge the veth is plugged into (its master), not the veth itself. {COMPUTE}"
    owner = topology.owner_of(given)
    if owner and owner != container:
        return f"{given} is paired with {owner}'s {inside}, not with {container}'s. {COMPUTE}"
    if given not in host_names:
        return (
            f"No interface {given} exists on the engine host now: veth names change every time a "
            f"container starts (a name typed from an earlier run?). {COMPUTE}"
        )
    return f"{given} is not the peer of {container}'s {inside}. {COMPUTE}"


@dataclass
class VethAnswer(Check):
    """The answer variable ``answer`` names the engine-host end of ``container``'s ``inside``."""

    answer: str = ""
    container: str = ""
    inside: str = "eth0"
    kind: ClassVar[str] = "veth answer"
    REQUIRED = ("answer", "container", "inside")
    OBJECTS = {"container": "container"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        return self.title or f"{self.answer} is the host-side veth of {self.container}'s {self.inside}"

    def evaluate(self, ctx: Context) -> Outcome:
        truth = ctx.facts.veth_peer(self.container)
        expected = f"{self.answer} = the engine-host interface paired with {self.container}'s {self.inside}"
        if truth is None:
            mode = ctx.facts.container(self.container).network_mode
            return Outcome(
                False,
                expected,
                f"{self.container} has no {self.inside} with a peer (network mode {mode})",
                f"Run {self.container} on the default bridge (no --network option).",
            )
        text = answer_text(ctx.answers.get(self.answer))
        if text is None:
            return Outcome(False, expected, "not set", f"Set {self.answer}. {COMPUTE}")
        given = interface_name(text)
        found = f"{self.answer} = {text!r}"
        if given == truth:
            return Outcome(True, expected, found)
        return Outcome(False, expected, found, veth_hint(given, self.container, self.inside, ctx.facts.topology()))
