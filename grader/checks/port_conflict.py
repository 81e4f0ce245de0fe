"""Check type: an answer variable holds Docker's port-conflict error, and it matches the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.answers import answer_lines
from grader.checks.base import Check, Context, Outcome

# Docker's texts: the userland proxy / port allocator ("Bind for 0.0.0.0:8000 failed: port is
# already allocated") and the kernel's refusal when another process holds it ("listen tcp4 ...").
_CONFLICT = (
    re.compile(r"Bind for \[?(?P<ip>[0-9a-fA-F.:]*?)\]?:(?P<port>\d+) failed: port is already allocated"),
    re.compile(r"listen tcp[46]? \[?(?P<ip>[0-9a-fA-F.:]*?)\]?:(?P<port>\d+): bind: address already in use"),
)
_ENDPOINT = re.compile(r"on endpoint (?P<name>[a-zA-Z0-9][a-zA-Z0-9_.-]*) ")
_NAME_CONFLICT = re.compile(r"The container name \"/?(?P<name>[^\"]+)\" is already in use")


def parse_conflict(text: str) -> tuple[int, str] | None:
    """(host port, endpoint name or "") named by a Docker port-conflict error, else None."""
    for pattern in _CONFLICT:
        m = pattern.search(text)
        if m:
            endpoint = _ENDPOINT.search(text)
            return int(m.group("port")), endpoint.group("name") if endpoint else ""
    return None


@dataclass
class PortConflictAnswer(Check):
    """``answer`` holds the error of running ``container`` on host port ``host_port``, which
    ``holder`` publishes (``failing_run``: that command, shown in hints). Checked against the
    engine: the port named must be the one the holder holds now, so a typed or stale text that
    no longer matches fails."""

    answer: str = ""
    container: str = ""
    holder: str = ""
    host_port: int = 0
    failing_run: str = ""
    kind: ClassVar[str] = "port conflict answer"
    REQUIRED = ("answer", "container", "holder", "host_port", "failing_run")
    OBJECTS = {"container": "container", "holder": "container"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        return self.title or f"{self.answer} holds Docker's port-conflict error"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"Docker's error for host port {self.host_port} already allocated (to {self.holder})"
        value = ctx.answers.get(self.answer)
        text = answer_lines(value)
        capture = (
            f"Capture the output of the failing run, e.g. `out = !{self.failing_run} 2>&1`, "
            f"then `{self.answer} = out.n`."
        )
        if not text:
            return Outcome(False, expected, f"no answer variable {self.answer}" if value is None else "empty", capture)
        shown = repr(text[-160:])
        parsed = parse_conflict(text)
        if parsed is None:
            name = _NAME_CONFLICT.search(text)
            if name:
                hint = (
                    f"That is a name conflict ({name.group(1)} already exists), not a port conflict: a failed "
                    f"run leaves {self.container} Created, so remove it (`docker rm {self.container}`) before "
                    "running it again."
                )
                return Outcome(False, expected, shown, hint)
            return Outcome(False, expected, shown, "This is not Docker's port-conflict error. " + capture)
        port, endpoint = parsed
        if endpoint and endpoint != self.container:
            hint = f"The error is about {endpoint}, not {self.container}: store the error of running {self.container}."
            return Outcome(False, expected, shown, hint)
        holder = ctx.facts.container(self.holder)
        held = {b.host_port for b in holder.port_bindings} if holder.running else set()
        if port != self.host_port or port not in held:
            now = ", ".join(map(str, sorted(held))) or "nothing"
            return Outcome(
                False,
                expected,
                f"an error about host port {port}; {self.holder} holds {now} on this engine",
                f"The stored error no longer matches the engine (a typed or stale text?): with {self.holder} "
                f"holding {self.host_port}, re-run the cell that tries {self.container} on {self.host_port}.",
            )
        return Outcome(
            True, expected, f"port {port} already allocated" + (f" (endpoint {endpoint})" if endpoint else "")
        )
