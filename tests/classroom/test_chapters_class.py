"""A test class on the real chapters 01 and 02 (those whose notebook exists): 5 students, 2 workers.

full marks, partial (first exercise only), blank (released stubs untouched), a
notebook whose kernel dies mid-way, and a student whose answers use the same
container names as the full-marks student but differ in one binding (graded at
the same time: each gets only their own credit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.classroom.class_support import ClassRoom, grading_leftovers, per_exercise
from tests.support import REPO

pytestmark = [pytest.mark.slow, pytest.mark.engine]
CHAPTERS = ["01-dockerfile", "02-ports"]
READY = [c for c in CHAPTERS if any((REPO / "course" / c).glob("*.ipynb"))]
TWIN_CHANGE = {"02-ports": ("ch02-ex3-run", "-p 8000:80", "-p 8000:81", "ch02-ex3-check")}


def _checks(room: ClassRoom, assignment: str) -> tuple[list[str], dict[str, list[str]]]:
    """Check cells in order, and answer grade_ids per exercise, from the source notebook."""
    answers: dict[str, list[str]] = {}
    for grade_id in room.solutions(assignment):
        answers.setdefault(grade_id.rsplit("-", 1)[0], []).append(grade_id)
    return [f"{ex}-check" for ex in answers], answers


@pytest.fixture(scope="module")
def chapter_class() -> Iterator[ClassRoom]:
    if not READY:
        pytest.skip(f"no chapter notebook yet among {CHAPTERS}")
    room = ClassRoom(REPO / "course")
    for assignment in READY:
        room.release(assignment)
        solutions = room.solutions(assignment)
        _, answers = _checks(room, assignment)
        exercises = list(answers)
        room.submit("full", assignment, solutions)
        room.submit("partial", assignment, {g: solutions[g] for g in answers[exercises[0]]})
        room.submit("blank", assignment, {})
        room.submit("crash", assignment, {**solutions, answers[exercises[1]][0]: "import os\nos._exit(1)"})
        if assignment in TWIN_CHANGE:
            grade_id, old, new, _ = TWIN_CHANGE[assignment]
            assert old in solutions[grade_id]
            room.submit("twin", assignment, {**solutions, grade_id: solutions[grade_id].replace(old, new)})
    done = room.grade("all", "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    yield room
    assert not grading_leftovers(room), f"grading left objects on the host engine: {grading_leftovers(room)}"


@pytest.mark.parametrize("assignment", READY)
def test_class_scores_in_gradebook_and_csv(chapter_class: ClassRoom, assignment: str) -> None:
    """full = every check's max, partial = only the first exercise, blank = 0, crashed keeps what ran before
    the dead cell, CSV agrees."""
    book = chapter_class.gradebook(assignment)
    maxima = {g: float(e["max_score"]) for g, e in _maxima(chapter_class, assignment).items()}
    checks, _ = _checks(chapter_class, assignment)
    assert per_exercise(book["full"]) == maxima
    assert per_exercise(book["partial"]) == {c: (maxima[c] if i == 0 else 0.0) for i, c in enumerate(checks)}
    assert set(per_exercise(book["blank"]).values()) == {0.0}
    # a kernel death keeps the credit earned before it (issue 15): the first exercise's check ran
    # before exercise 2's answer cell killed the kernel; that exercise scores 0
    crashed = per_exercise(book["crash"])
    assert crashed[checks[0]] == maxima[checks[0]] and crashed[checks[1]] == 0.0, crashed
    assert "kernel died" in json.dumps(chapter_class.report("crash", assignment))
    csv = chapter_class.export_csv()
    assert csv[("full", assignment)] == sum(maxima.values())
    assert csv[("blank", assignment)] == 0 and csv[("crash", assignment)] == sum(crashed.values())


@pytest.mark.parametrize("assignment", [a for a in READY if a in TWIN_CHANGE])
def test_same_names_in_parallel_labs_do_not_share_credit(chapter_class: ClassRoom, assignment: str) -> None:
    """The twin's web-fixed publishes 8000 -> 81: it loses that check although full's web-fixed is right."""
    check = TWIN_CHANGE[assignment][3]
    book = chapter_class.gradebook(assignment)
    maxima = _maxima(chapter_class, assignment)
    assert book["full"][check] == maxima[check]["max_score"]
    assert book["twin"][check] < maxima[check]["max_score"]


def _maxima(room: ClassRoom, assignment: str) -> dict[str, dict[str, float]]:
    report = room.report("full", assignment)
    return {e["grade_id"]: {"max_score": e["max_score"]} for e in report["exercises"].values()}
