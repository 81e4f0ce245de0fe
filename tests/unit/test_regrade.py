"""A re-grade names each score that moved, for whom, and why: new check version, manual grade, or the engine state."""

from __future__ import annotations

from typing import Any

from grader.nbgrader_glue.feedback import summary_page
from grader.nbgrader_glue.regrade import changes_summary, score_changes
from grader.nbgrader_glue.report import build_report


def report(score: float, version: int, passed: bool, manual: float | None = None) -> dict[str, Any]:
    parts = [
        {"name": "label version is 2.0", "passed": True, "points": 1, "max_points": 1, "expected": "", "found": ""},
        {"name": "the ARG step", "passed": passed, "points": 1.0 if passed else 0.0, "max_points": 1,
         "expected": "ARG APP_VERSION=1.0", "found": "ARG APP_VERSION", "hint": ""},
    ]  # fmt: skip
    scores = {"ch01-ex3-check": {"score": score, "max_score": 2, "auto_score": score, "manual_score": manual}}
    results = {"ch01-ex3-check": {"title": "ARG vs ENV", "parts": parts, "version": version}}
    return build_report("ann", "01-dockerfile", "graded", scores, results, 1.0)


def test_report_names_the_check_versions_used() -> None:
    data = report(2, 1, True)
    assert data["exercises"]["ch01-ex3"]["version"] == 1 and data["check_versions"] == {"ch01-ex3": 1}


def test_a_new_check_version_is_the_reason_with_the_parts_that_flipped() -> None:
    [change] = score_changes(report(2, 1, True), report(1, 2, False))
    assert (change.student, change.exercise, change.old_score, change.new_score) == ("ann", "ch01-ex3", 2, 1)
    assert change.why.startswith("checks v1 -> v2") and "now failed: the ARG step" in change.why
    assert "ann ch01-ex3: 2 -> 1" in changes_summary([change])


def test_same_version_names_the_engine_state_or_the_manual_grade_and_unchanged_scores_are_silent() -> None:
    [state] = score_changes(report(1, 1, False), report(2, 1, True))
    assert "same checks (v1)" in state.why and "now passed: the ARG step" in state.why
    [manual] = score_changes(report(2, 1, True), report(1.5, 1, True, manual=1.5))
    assert manual.why == "manual grade None -> 1.5"
    assert score_changes(report(2, 1, True), report(2, 2, True)) == []
    assert score_changes(None, report(2, 1, True)) == [] and changes_summary([]) == ""


def test_feedback_summary_shows_the_version_and_the_change() -> None:
    new = report(1, 2, False)
    new["changes"] = [c.to_json() for c in score_changes(report(2, 1, True), new)]
    page = summary_page(new, set(), "hint")
    assert "(checks version 2)" in page and "Changed at this grade: 2 -&gt; 1 points" in page
