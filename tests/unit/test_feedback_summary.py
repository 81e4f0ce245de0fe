"""Feedback: each submission's summary page says its verdict; feedback with nothing graded says why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.feedback import generate_feedback, nothing_to_feed_back, summary_page
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures"


def _report(verdict: str, message: str = "") -> dict:
    exercise = {"grade_id": "ch01-ex1-check", "score": 3.0, "max_score": 3.0, "title": "base", "parts": []}
    return {
        "student": "ann",
        "assignment": "01-mini",
        "status": "graded",
        "verdict": verdict,
        "message": message,
        "score": 3.0,
        "max_score": 6.0,
        "exercises": {"ch01-ex1": exercise},
    }


@pytest.mark.parametrize(
    ("verdict", "message"),
    [("graded", ""), ("kernel died at cell 7", "the kernel died in cell 7 (os._exit); credit before it kept")],
)
def test_the_summary_page_shows_the_verdict(verdict: str, message: str) -> None:
    page = summary_page(_report(verdict, message), set(), "hint")
    assert f"Verdict: <b>{verdict}</b>" in page
    assert (message.split("(")[0] in page) if message else "Verdict: <b>graded</b></p>" in page


def test_the_verdict_is_escaped() -> None:
    page = summary_page(_report("<script>", "a & b"), set(), "hint")
    assert "<script>" not in page and "&lt;script&gt;" in page and "a &amp; b" in page


def test_feedback_with_nothing_graded_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = CourseRoot(tmp_path, FIXTURES, f"sqlite:///{tmp_path / 'gradebook.db'}")
    assert generate_feedback("01-mini", course=course) == []
    said = nothing_to_feed_back("01-mini", student="ann", course=course)
    assert "No graded submission of student ann of 01-mini" in said
    assert "docker-course grade 01-mini" in said and str(tmp_path / "reports" / "01-mini") in said
    empty = CourseRoot(tmp_path, tmp_path / "no-source", course.db_url)
    assert "No assignment under" in nothing_to_feed_back("all", course=empty)


def test_the_feedback_command_explains_an_empty_result(tmp_path: Path) -> None:
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DOCKER_COURSE_NBGRADER_ROOT": str(tmp_path),
        "DOCKER_COURSE_SOURCE": str(FIXTURES),
        "DOCKER_COURSE_STATE": str(tmp_path / "state"),
    }
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "grader.cli", "feedback", "01-mini"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "No graded submission of 01-mini" in done.stderr and "docker-course grade 01-mini" in done.stderr
    assert "Traceback" not in done.stderr
