"""The runner's checks side by side: parts in the exercise's order, a changing check alone, the engine's end kept."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar

from grader.chapters.runner import _run_checks
from grader.checks.base import Check, Context, Outcome
from grader.checks.result import CheckResult
from grader.errors import EngineUnavailable, NotFound
from grader.facts.probe import inspect_only, refuse_if_inspect_only


@dataclass
class Clock:
    """Which checks were running at once (the most seen together, and who saw company)."""

    running: set[str] = field(default_factory=set)
    most: int = 0
    company: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, name: str) -> None:
        with self.lock:
            self.running.add(name)
            self.most = max(self.most, len(self.running))
            for other in self.running:
                self.company[other] = max(self.company.get(other, 1), len(self.running))

    def leave(self, name: str) -> None:
        with self.lock:
            self.running.discard(name)


@dataclass
class Waits(Check):
    """Waits like a probe, then passes, or raises ``raises``."""

    clock: Any = None
    raises: Any = None
    probe: bool = False
    kind: ClassVar[str] = "waits"

    def evaluate(self, ctx: Context) -> Outcome:
        if self.probe:
            refuse_if_inspect_only()
        self.clock.enter(self.title)
        try:
            time.sleep(0.05)
        finally:
            self.clock.leave(self.title)
        if self.raises is not None:
            raise self.raises
        return Outcome(True, "x", f"{self.title} done")


@dataclass
class Changes(Waits):
    READS_ONLY: ClassVar[bool] = False


def _run(checks: list[Check]) -> CheckResult:
    result = CheckResult("ch09-ex1", "test")
    _run_checks(SimpleNamespace(checks=checks), Context(SimpleNamespace()), result)  # type: ignore[arg-type]
    return result


def test_readers_overlap_the_changer_runs_alone_and_parts_keep_their_order() -> None:
    clock = Clock()
    checks: list[Check] = [Waits(1, title=f"read {n}", clock=clock) for n in range(3)]
    checks.insert(1, Changes(1, title="change", clock=clock))
    checks.append(Waits(1, title="absent", clock=clock, raises=NotFound("no such image"), missing_hint="build it"))
    result = _run(checks)
    assert [p.name for p in result.parts] == ["read 0", "change", "read 1", "read 2", "absent"]
    assert [p.passed for p in result.parts] == [True, True, True, True, False]
    assert result.parts[-1].found == "no such image" and result.parts[-1].hint == "build it"
    assert clock.most >= 2 and clock.company["change"] == 1


def test_an_engine_gone_ends_the_parts_where_a_sequential_run_would() -> None:
    clock = Clock()
    gone = EngineUnavailable("The course engine stopped answering.")
    checks: list[Check] = [
        Waits(1, title="first", clock=clock),
        Waits(1, title="gone", clock=clock, raises=gone),
        Waits(1, title="after", clock=clock),
        Changes(1, title="never", clock=clock),
    ]
    result = _run(checks)
    assert [p.name for p in result.parts] == ["first", "gone"]
    assert result.parts[1].found == "the engine stopped answering" and "engine up" in (result.error or "")
    assert "never" not in clock.company


def test_live_runs_stay_sequential_and_refused_probes_are_skipped() -> None:
    clock = Clock()
    checks: list[Check] = [Waits(1, title=f"live {n}", clock=clock, probe=n == 1) for n in range(3)]
    with inspect_only():
        result = _run(checks)
    assert clock.most == 1 and result.skipped == ["live 1"]
    assert [p.passed for p in result.parts] == [True, False, True]
