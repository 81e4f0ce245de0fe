"""Check type: a container was removed after it did its part, and its successor exists.

Absence alone proves nothing (a blank notebook has no containers at all), so the
part counts only when the container that replaced it is there; with ``proven``, only
when the course's event journal shows the removed container ran (and exited with
``exit_code``) and was removed before its successor was created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.journal import Journal, clock
from grader.facts.volumes import parse_time


@dataclass
class ContainerReplaced(Check):
    """No container ``removed`` exists, and ``successor`` does (``proven``: the journal shows the sequence)."""

    removed: str = ""
    successor: str = ""
    proven: bool = False
    exit_code: int | None = None
    kind: ClassVar[str] = "container replaced"
    REQUIRED = ("removed", "successor")
    OBJECTS = {"removed": "container", "successor": "container"}
    HINTS = {"still_exists": "Remove it once it has done its part: docker rm -f NAME."}

    def describe(self) -> str:
        return self.title or f"{self.removed} was removed and {self.successor} replaced it"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"no container {self.removed}; a container {self.successor}"
        if ctx.facts.has_container(self.removed):
            status = ctx.facts.container(self.removed).status
            return Outcome(
                False,
                expected,
                f"{self.removed} still exists ({status})",
                self.hints.get("still_exists") or f"Remove it once it has done its part: docker rm -f {self.removed}.",
            )
        if not ctx.facts.has_container(self.successor):
            return Outcome(
                False,
                expected,
                f"neither {self.removed} nor {self.successor} exists",
                f"Do the exercise's steps: {self.removed} first, then remove it and create {self.successor}.",
            )
        if self.proven:
            created = parse_time(ctx.facts.container(self.successor).created)
            return self._from_journal(ctx.facts.journal(), created, expected)
        return Outcome(True, expected, f"{self.removed} removed, {self.successor} exists")

    def _from_journal(self, journal: Journal, created: float, expected: str) -> Outcome:
        """The verdict from the journal: ``removed`` ran, exited as asked and was removed before ``created``."""
        what = f"{self.removed} ran" + (f", exited {self.exit_code}" if self.exit_code is not None else "")
        expected = f"{what} and was removed before {self.successor} was created (the course's event journal)"
        events = [e for e in journal.of_container(self.removed) if e.t <= created]
        removals = [e for e in events if e.action == "destroy"]
        redo = (
            f"Do the steps again, in order: docker rm {self.successor}; run {self.removed} (without --rm), "
            f"docker rm {self.removed}; then run {self.successor}."
        )
        if not removals:
            gap = journal.gap_before(created)
            if gap:
                return Outcome(
                    False, expected, f"cannot tell: {gap}", f"The check cannot see {self.removed}'s run. {redo}"
                )
            later = [e for e in journal.of_container(self.removed) if e.action == "destroy"]
            found = (
                f"{self.removed} was removed at {later[-1].clock}, after {self.successor} was created "
                f"at {clock(created)}"
                if later
                else f"no container {self.removed} ran on this engine before {self.successor} was created"
            )
            return Outcome(False, expected, found, redo)
        removal = removals[-1]
        deaths = [e for e in events if e.action == "die" and e.id == removal.id and e.t <= removal.t]
        code = deaths[-1].exit if deaths else None
        if not deaths:
            found = f"{self.removed} was created and removed at {removal.clock} without ever running"
            return Outcome(False, expected, found, redo)
        if self.exit_code is not None and code != self.exit_code:
            found = f"{self.removed} exited {code} at {deaths[-1].clock}"
            hint = f"{self.removed} must finish its work (exit {self.exit_code}) before you remove it. {redo}"
            return Outcome(False, expected, found, hint)
        found = f"{self.removed} exited {code} at {deaths[-1].clock}, removed at {removal.clock}; "
        return Outcome(True, expected, found + f"{self.successor} created at {clock(created)}")
