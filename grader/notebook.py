"""The check-cell helper, built to nbgrader's scoring rule.

nbgrader gives a test cell 0 only when it shows an error or writes to stderr; a
numeric result is partial credit; anything else is full credit. So ``check``
displays its feedback, raises a one-line error at 0 points, returns the score when
partial, and returns None (no output, nothing on stderr) when passed.
"""

from __future__ import annotations

from typing import Any

from grader.checks.result import RESULT_MIME, CheckResult
from grader.errors import GraderError
from grader.services.checking import check_and_record, collect_answers
from grader.widgets import display

__all__ = ["RESULT_MIME", "CheckFailed", "check", "collect_answers", "prepare", "show", "timeline"]


class CheckFailed(GraderError):
    """An exercise scored 0; shown as one line, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"CheckFailed: {self}"]


def show(result: CheckResult) -> None:
    """Display a result: HTML in a notebook, text elsewhere (stdout only)."""
    # the JSON copy lets the class grader report parts without parsing HTML
    display.show(result.to_html, result.to_text, extra={RESULT_MIME: result.to_json()})


def check(exercise_id: str, **answers: Any) -> float | None:
    """Check an exercise and show expected / found / hint for each part.

    Returns:
        None when every part passed; the score when partial.

    Raises:
        CheckFailed: the exercise scored 0 (one line, so nbgrader scores it 0).

    Example::

        from grader import check
        check("ch01-ex1")
    """
    result = check_and_record(exercise_id, collect_answers(exercise_id, answers), via="notebook")
    show(result)
    if result.score <= 0:
        reason = result.error or next((p.hint or p.found for p in result.parts if not p.passed), "")
        raise CheckFailed(f"{exercise_id}: 0/{result.max_score:g} points. {reason}".strip())
    if result.score < result.max_score:
        return result.score
    return None


def prepare(chapter: str) -> None:
    """First cell of a chapter: make its base and course-provided images exist (offline).

    Prints one line per step (stdout only) and a summary; an error becomes one line.

    Example::

        from grader.notebook import prepare
        prepare("02")
    """
    from grader.services.provisioning import prepare_chapter
    from grader.widgets.live_log import LiveLog

    # in a notebook: one panel updated in place and collapsed when done; elsewhere: lines on stdout
    log = LiveLog(f"Preparing chapter {chapter}")
    try:
        prepared = prepare_chapter(chapter, report=log)
    except GraderError as e:
        log.finish(str(e), ok=False)
        raise CheckFailed(str(e)) from None
    log.finish(f"ready in {log.elapsed:.1f} s")
    print(f"Ready: {', '.join(prepared.images)}")


def timeline(exercise_id: str) -> None:
    """Show what you did for an exercise, from the course's event journal (runs, exits, removals, tags).

    Shows nothing it cannot vouch for: the period the journal covers is stated, and its absence
    (host mode) is said. An unknown id or an engine that does not answer is one line.

    Example::

        from grader.notebook import timeline
        timeline("ch05-ex1")
    """
    from grader.curriculum import UnknownName
    from grader.services.timeline import exercise_timeline
    from grader.widgets.timeline_view import timeline_html

    try:
        shown = exercise_timeline(exercise_id)
    except UnknownName as e:
        raise CheckFailed(str(e.args[0])) from None
    display.show(lambda: timeline_html(shown), shown.to_text)
