"""Check type: a running container uses a network mode (host, none, container:NAME)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.containers import ContainerFacts, joined_container


def shown_mode(ctx: Context, facts: ContainerFacts) -> str:
    """``container:<id>`` as ``container:<name>`` (the id of a removed container stays an id)."""
    mode = facts.network_mode
    target = joined_container(mode)
    if target is not None:
        name = ctx.facts.container_name(target)
        return f"container:{name}" if name else f"container:{target[:12]} (removed)"
    return "bridge" if mode == "default" else mode


@dataclass
class NetworkMode(Check):
    """``container`` is running with network mode ``mode`` (``host``, ``none``, ``container:NAME``)."""

    container: str = ""
    mode: str = ""
    kind: ClassVar[str] = "network mode"
    REQUIRED = ("container", "mode")
    OBJECTS = {"container": "container", "mode": "mode"}

    def describe(self) -> str:
        return self.title or f"{self.container} runs with --network {self.mode}"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.container)
        mode = shown_mode(ctx, facts)
        found = f"{self.container}: {facts.status}, network mode {mode}"
        expected = self.describe()
        if mode != self.mode:
            return Outcome(False, expected, found, self._hint(ctx, facts, mode))
        if self.mode.startswith("container:"):
            target = ctx.facts.container(self.mode.split(":", 1)[1])
            if not facts.network_mode.endswith(target.id) and facts.network_mode.split(":", 1)[1] != target.name:
                return Outcome(False, expected, found, self._hint(ctx, facts, mode))
        if not facts.running:
            return Outcome(
                False,
                expected,
                found,
                f"It must be running: give it a command that keeps running (e.g. sleep 3600) and -d, "
                f"then docker start {self.container} or run it again.",
            )
        return Outcome(True, expected, found)

    def _hint(self, ctx: Context, facts: ContainerFacts, mode: str) -> str:
        rerun = f"Remove it (docker rm -f {self.container}) and run it again with --network {self.mode}."
        if self.mode == "host" and facts.port_bindings:
            return f"Publishing a port (-p) is not host mode: the container still has its own namespace. {rerun}"
        if self.mode.startswith("container:"):
            if mode.startswith("container:"):
                return f"It joined {mode.split(':', 1)[1]}, not {self.mode.split(':', 1)[1]}. {rerun}"
            return f"It has a network namespace of its own. {rerun}"
        if mode == "bridge" or facts.networks:
            return f"It is on a bridge network (it got an eth0 and an IP). {rerun}"
        return rerun
