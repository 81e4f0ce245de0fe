"""Check an exercise and record the learner's progress: the one path of every explicit check.

The CLI's ``check``, the notebook's ``check()`` and the Check button all call
:func:`check_and_record`; the widget's live mode calls it with ``inspect_only``.
Inside a lab the course engine is the lab's own engine and progress goes to the
file the lab shares with the host (:mod:`grader.services.progress`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.chapters import get
from grader.chapters.runner import run_exercise
from grader.checks.result import CheckResult
from grader.errors import GraderError
from grader.services import progress

Runner = Callable[..., CheckResult]


def check_and_record(
    exercise_id: str,
    answers: dict[str, Any] | None = None,
    via: str = "cli",
    inspect_only: bool = False,
    runner: Runner | None = None,
) -> CheckResult:
    """Run ``exercise_id``'s checks on the course engine and keep the result in the progress file.

    An inspect-only (live) run is recorded only when it passed: a failing live
    round is work in progress, not an attempt. Recording never fails the check.

    Args:
        answers: the exercise's answer variables by name.
        via: who asked (``cli``, ``notebook``, ``widget``, ``live``), kept with the entry.
        inspect_only: run no probe container (see :func:`grader.chapters.runner.run_exercise`).
        runner: the function that runs the checks (default :func:`run_exercise`; tests pass a fake).

    Returns:
        The result; never raises for a failed or impossible check (that is in the result).

    Example::

        result = check_and_record("ch01-ex1", via="cli")
        print(result.to_text())
    """
    given = dict(answers or {})
    runner = runner or run_exercise
    if inspect_only:
        result = runner(exercise_id, given, inspect_only=True)
        if result.passed:
            progress.record(result, via=via)
        return result
    result = runner(exercise_id, given)
    progress.record(result, via=via)
    return result


def _kernel_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return {}
    return dict(shell.user_ns) if shell is not None else {}


def collect_answers(exercise_id: str, given: dict[str, Any]) -> dict[str, Any]:
    """The exercise's answer variables: the ``given`` ones, else those the notebook's kernel defines.

    Outside a kernel (the CLI) only ``given`` counts. An unknown exercise keeps ``given``
    as it is: the check itself then says the id is unknown.
    """
    try:
        names = get(exercise_id).answers
    except GraderError:
        return dict(given)
    defined = _kernel_namespace()
    answers = dict(given)
    for name in names:
        if name not in answers and name in defined:
            answers[name] = defined[name]
    return answers
