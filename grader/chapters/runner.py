"""Running an exercise's checks against the course engine: always a result, never a crash."""

from __future__ import annotations

import contextlib
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker

from grader.chapters import Exercise, get
from grader.checks.base import Check, Context
from grader.checks.result import CheckResult, Part
from grader.engine.client import course_engine
from grader.errors import EngineUnavailable, GraderError, NotFound, NotRunning, ProbeRefused, UnknownExercise
from grader.facts.probe import inspect_only as refusing_probes
from grader.facts.probe import probes_refused as _live_only
from grader.facts.snapshot import EngineFacts

WORKERS = 4  # checks of one exercise run side by side: their probes wait on the engine, not on us


def run_exercise(
    exercise_id: str,
    answers: dict[str, Any] | None = None,
    client: docker.DockerClient | None = None,
    inspect_only: bool = False,
) -> CheckResult:
    """Check ``exercise_id`` against the course engine.

    Every failure (unknown id, no engine, a missing object, a probe that timed
    out) becomes part of the result with a message saying what to do. With
    ``inspect_only`` (live checking), parts that need a probe container are not
    run: they fail with "not checked live" and are listed in ``result.skipped``.

    Example::

        result = run_exercise("ch01-ex1")
        print(result.to_text())
    """
    try:
        exercise = get(exercise_id)
    except UnknownExercise as e:
        return CheckResult(exercise_id, error=str(e))
    if client is None:
        try:
            client = course_engine()
        except GraderError as e:
            return _all_failed(exercise, str(e))
    ctx = Context(EngineFacts(client), dict(answers or {}))
    result = CheckResult(exercise.id, exercise.title, version=exercise.version)
    with refusing_probes() if inspect_only else contextlib.nullcontext():
        _run_checks(exercise, ctx, result)
    done = {p.name for p in result.parts}
    for check in exercise.checks:
        if check.describe() not in done:
            result.parts.append(_failed(check.describe(), check.points, "not checked", ""))
    return result


def _run_checks(exercise: Exercise, ctx: Context, result: CheckResult) -> None:
    """Each check's part in the exercise's order; an engine that stops answering ends the run there."""
    outcomes = _outcomes(exercise.checks, ctx)
    for check, outcome in zip(exercise.checks, outcomes, strict=False):  # shorter when the engine went away
        if _record(check, outcome, result):
            break


def _outcomes(checks: list[Check], ctx: Context) -> list[Part | Exception]:
    """What each check gave (its part, or what it raised), probes of different checks overlapping.

    Checks that only read run side by side (at most :data:`WORKERS`): a check with a probe
    container spends most of its time waiting for the engine, and the facts are shared and
    each read once (:class:`EngineFacts`). A check that changes something while it looks
    (``READS_ONLY`` False) runs alone afterwards, unless a check before it found the engine
    gone. Live (inspect-only) runs, which make no container, stay sequential.
    """
    read: list[Part | Exception | None] = [None] * len(checks)  # None: run below, alone and in order
    if not _live_only() and len(checks) >= 2:
        readers = sum(c.READS_ONLY for c in checks)
        with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, readers)), thread_name_prefix="check") as pool:
            # each in a copy of this context: the inspect-only switch is a context variable
            futures = [
                pool.submit(contextvars.copy_context().run, _attempt, c, ctx) if c.READS_ONLY else None for c in checks
            ]
            read = [f.result() if f is not None else None for f in futures]
    outcomes: list[Part | Exception] = []
    for check, outcome in zip(checks, read, strict=True):
        outcomes.append(outcome if outcome is not None else _attempt(check, ctx))  # the others run alone, in order
        if isinstance(outcomes[-1], EngineUnavailable):
            break
    return outcomes


def _attempt(check: Check, ctx: Context) -> Part | Exception:
    try:
        return check.run(ctx)
    except Exception as e:  # noqa: BLE001 - judged by _record, in the exercise's order
        return e


def _record(check: Check, outcome: Part | Exception, result: CheckResult) -> bool:
    """Add ``check``'s part to ``result``; True when the engine stopped answering (the run ends)."""
    if isinstance(outcome, Part):
        result.parts.append(outcome)
    elif isinstance(outcome, ProbeRefused):
        result.parts.append(_failed(check.describe(), check.points, str(outcome), ""))
        result.skipped.append(check.describe())
    elif isinstance(outcome, NotFound | NotRunning):  # the object the check needs is absent or stopped
        result.parts.append(_failed(check.describe(), check.points, str(outcome), check.missing_hint))
    elif isinstance(outcome, EngineUnavailable):
        result.parts.append(_failed(check.describe(), check.points, "the engine stopped answering", ""))
        result.error = f"{outcome} Start it again with `docker-course engine up`, then re-run the check."
        return True
    elif isinstance(outcome, GraderError):
        result.parts.append(_failed(check.describe(), check.points, str(outcome), check.missing_hint))
    else:  # a bug in a check must not cost the learner a traceback
        result.parts.append(
            _failed(
                check.describe(),
                check.points,
                f"the check itself failed ({type(outcome).__name__}: {outcome})",
                "Re-run the check; if it persists, report it to your instructor.",
            )
        )
    return False


def _failed(name: str, points: float, found: str, hint: str) -> Part:
    return Part(name, False, 0.0, points, name, found, hint)


def _all_failed(exercise: Exercise, message: str) -> CheckResult:
    result = CheckResult(exercise.id, exercise.title, error=message, version=exercise.version)
    result.parts = [_failed(c.describe(), c.points, "not checked: no engine", "") for c in exercise.checks]
    return result
