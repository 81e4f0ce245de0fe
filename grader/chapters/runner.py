"""Running an exercise's checks against the course engine: always a result, never a crash."""

from __future__ import annotations

import contextlib
from typing import Any

import docker

from grader.chapters import Exercise, get
from grader.checks.base import Context
from grader.checks.result import CheckResult, Part
from grader.engine.client import course_engine
from grader.errors import EngineUnavailable, GraderError, NotFound, NotRunning, ProbeRefused, UnknownExercise
from grader.facts.probe import inspect_only as refusing_probes
from grader.facts.snapshot import EngineFacts


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
    for check in exercise.checks:
        try:
            result.parts.append(check.run(ctx))
        except ProbeRefused as e:
            result.parts.append(_failed(check.describe(), check.points, str(e), ""))
            result.skipped.append(check.describe())
        except (NotFound, NotRunning) as e:  # the object the check needs is absent or stopped
            result.parts.append(_failed(check.describe(), check.points, str(e), check.missing_hint))
        except EngineUnavailable as e:
            result.parts.append(_failed(check.describe(), check.points, "the engine stopped answering", ""))
            result.error = f"{e} Start it again with `docker-course engine up`, then re-run the check."
            break
        except GraderError as e:
            result.parts.append(_failed(check.describe(), check.points, str(e), check.missing_hint))
        except Exception as e:  # noqa: BLE001 - a bug in a check must not cost the learner a traceback
            result.parts.append(
                _failed(
                    check.describe(),
                    check.points,
                    f"the check itself failed ({type(e).__name__}: {e})",
                    "Re-run the check; if it persists, report it to your instructor.",
                )
            )


def _failed(name: str, points: float, found: str, hint: str) -> Part:
    return Part(name, False, 0.0, points, name, found, hint)


def _all_failed(exercise: Exercise, message: str) -> CheckResult:
    result = CheckResult(exercise.id, exercise.title, error=message, version=exercise.version)
    result.parts = [_failed(c.describe(), c.points, "not checked: no engine", "") for c in exercise.checks]
    return result
