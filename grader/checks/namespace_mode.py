"""Check type: a container's namespace mode (``--pid``, ``--ipc``, ``--uts`` ...) as configured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.containers import joined_container

# namespace -> the docker run flag that sets its mode
FLAGS = {"pid": "--pid", "ipc": "--ipc", "uts": "--uts", "net": "--network", "user": "--userns", "cgroup": "--cgroupns"}


@dataclass
class NamespaceMode(Check):
    """Container ``name`` was created with ``mode`` for ``namespace``: ``host``, ``shareable``,
    ``private`` or ``container:OTHER`` (a container id in the inspect data is shown by name)."""

    name: str = ""
    namespace: str = "pid"
    mode: str = "host"
    kind: ClassVar[str] = "namespace mode"
    REQUIRED = ("name", "mode")
    CHOICES = {"namespace": tuple(FLAGS)}
    OBJECTS = {"name": "container", "mode": "mode"}

    def describe(self) -> str:
        return self.title or f"{self.name} runs with {FLAGS[self.namespace]} {self.mode}"

    def evaluate(self, ctx: Context) -> Outcome:
        flag = FLAGS[self.namespace]
        found = _by_name(ctx, ctx.facts.container(self.name).namespace_mode(self.namespace))
        expected = f"{flag} {self.mode}"
        if found == self.mode:
            return Outcome(True, expected, f"{flag} {found}")
        shown = f"{flag} {found}" if found else f"no {flag} (its own {self.namespace} namespace)"
        return Outcome(False, expected, shown, self._hint(found, flag))

    def _hint(self, found: str, flag: str) -> str:
        wanted = self.mode.removeprefix("container:")
        if self.mode.startswith("container:") and found.startswith("container:"):
            return (
                f"{self.name} shares the {self.namespace} namespace of {found.removeprefix('container:')}, "
                f"the wrong container: recreate it with {flag} container:{wanted}."
            )
        if self.mode == "host" and not found:
            return (
                f"{flag} host was forgotten: without it {self.name} gets its own {self.namespace} namespace. "
                f"Remove it (docker rm -f {self.name}) and run it again with {flag} host."
            )
        if self.mode == "shareable":
            return (
                f"Run {self.name} with {flag} shareable: the default (private) namespace cannot be joined "
                "by another container."
            )
        return f"Remove {self.name} and run it again with {flag} {self.mode}."


def _by_name(ctx: Context, mode: str) -> str:
    """``container:<id>`` -> ``container:<name>`` (Docker stores the id even when given a name)."""
    ref = joined_container(mode)
    if ref is None:
        return mode
    name = ctx.facts.container_name(ref)
    return f"container:{name}" if name else f"container:{ref[:12]} (a container that no longer exists)"
