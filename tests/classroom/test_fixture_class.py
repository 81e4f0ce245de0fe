"""The class grader end to end on a tiny fixture assignment (tests/fixtures/01-mini, ch01-ex1..3).

Real nbgrader release, submissions laid out as nbgrader's `submitted/`, the real
`docker-course grade` command (each submission in its own fresh lab), the real
gradebook and `nbgrader export` CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.classroom.class_support import FIXTURES, ClassRoom, grading_leftovers, per_exercise

pytestmark = [pytest.mark.slow, pytest.mark.engine]
A = "01-mini"
FULL_EX1 = '%%writefile ex1/Dockerfile\nFROM busybox\nLABEL maintainer="me@example.com"\n'
NO_LABEL_EX1 = "%%writefile ex1/Dockerfile\nFROM busybox\n"
BUILD_EX1 = "!docker build -q -t course/hello:1.0 ex1"
WRONG_MOTD = "%%writefile ex2/Dockerfile\nFROM busybox\nRUN echo 'Hello' > /etc/motd\n"
BUILD_EX2 = "!docker build -q -t course/motd:1.0 ex2"

# student -> (answers, expected check scores ex1, ex2, ex3)
STUDENTS: dict[str, tuple[dict[str, str], tuple[float, float, float]]] = {
    "full": ({}, (3, 3, 3)),  # answers filled from the solutions below
    "partial": (
        {"ch01-ex1-dockerfile": NO_LABEL_EX1, "ch01-ex1-build": BUILD_EX1, "ch01-ex2-dockerfile": None},
        (2, 3, 0),
    ),
    "blank": ({}, (0, 0, 0)),
    "crash": ({"ch01-ex2-build": 'raise RuntimeError("this notebook crashes here")'}, (3, 0, 3)),
}


def _answers(room: ClassRoom, student: str) -> dict[str, str]:
    solutions = room.solutions(A)
    given, _ = STUDENTS[student]
    if student == "full":
        return solutions
    if student == "partial":
        return {**given, "ch01-ex2-dockerfile": solutions["ch01-ex2-dockerfile"], "ch01-ex2-build": BUILD_EX2}
    if student == "crash":
        return {**solutions, **given}
    return {}


@pytest.fixture(scope="module")
def graded() -> Iterator[ClassRoom]:
    """Four students (full, partial, blank, crashing mid-way) graded with 2 workers."""
    room = ClassRoom(FIXTURES)
    room.release(A)
    for student in STUDENTS:
        room.submit(student, A, _answers(room, student))
    done = room.grade(A, "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    room.output = done.stdout + done.stderr  # type: ignore[attr-defined]
    yield room
    assert not grading_leftovers(room), f"grading left objects on the host engine: {grading_leftovers(room)}"


def test_gradebook_and_csv_hold_the_expected_scores(graded: ClassRoom) -> None:
    """Each student's check cells score exactly as their answers deserve, in the gradebook and the CSV."""
    book = graded.gradebook(A)
    csv = graded.export_csv()
    for student, (_, expected) in STUDENTS.items():
        got = per_exercise(book[student])
        assert got == dict(zip(["ch01-ex1-check", "ch01-ex2-check", "ch01-ex3-check"], expected, strict=True)), (
            student,
            got,
        )
        assert csv[(student, A)] == sum(expected), (student, csv)


def test_progress_and_summary_table(graded: ClassRoom) -> None:
    """Grading prints one progress line per submission and a summary table with every student."""
    out = graded.output  # type: ignore[attr-defined]
    for student, (_, expected) in STUDENTS.items():
        assert f"{student} {A}: graded {sum(expected):g}/9" in out, out
    assert "4 submission(s)" in out and "2 worker(s)" in out


def test_json_report_per_submission(graded: ClassRoom) -> None:
    """reports/<assignment>/<student>.json holds exercise -> score and the parts with expected/found/hint."""
    report = graded.report("partial", A)
    assert report["status"] == "graded" and report["score"] == 5 and report["max_score"] == 9
    ex1 = report["exercises"]["ch01-ex1"]
    assert ex1["score"] == 2 and ex1["max_score"] == 3
    failed = [p for p in ex1["parts"] if not p["passed"]]
    assert [p["name"] for p in failed] == ["a non-empty label maintainer set by this image"]
    assert "LABEL maintainer" in failed[0]["hint"]
    assert graded.report("blank", A)["score"] == 0


def test_regrade_is_idempotent_and_keeps_manual_grades(graded: ClassRoom) -> None:
    """Grading again gives the same scores; a manual grade entered in between survives."""
    graded.set_manual("partial", A, A, "ch01-ex3-check", 1.5)
    before = graded.gradebook(A)
    done = graded.grade(A, "--student", "partial")
    assert done.returncode == 0, done.stdout + done.stderr
    after = graded.gradebook(A)
    assert after == before
    assert after["partial"]["ch01-ex3-check"] == 1.5
    exercise = graded.report("partial", A)["exercises"]["ch01-ex3"]
    assert exercise["manual_score"] == 1.5 and exercise["auto_score"] == 0
    assert graded.export_csv()[("partial", A)] == 6.5


def test_feedback_follows_the_hidden_test_policy(graded: ClassRoom) -> None:
    """Hidden tests (ch01-ex3's check) show score only / hints / everything; visible ones show all."""
    from grader.nbgrader_glue.feedback import generate_feedback

    pages = {}
    for policy in ("score", "hint", "full"):
        written = generate_feedback(A, policy=policy, student="blank", course=graded.course)
        pages[policy] = written[0].read_text()
        html = (graded.course.root / "feedback" / "blank" / A / f"{A}.html").read_text()
        assert "ch01-ex1" in html
        if policy != "full":
            assert 'check("ch01-ex3")' not in html
    hidden_hint = "--build-arg APP_VERSION=2.0"  # the hint of the missing image, hidden unless allowed
    ex3 = {p: page.split("ch01-ex3", 1)[1] for p, page in pages.items()}
    assert hidden_hint not in ex3["score"] and "expected:" not in ex3["score"]
    assert hidden_hint in ex3["hint"] and "expected:" not in ex3["hint"]
    assert hidden_hint in ex3["full"] and "expected:" in ex3["full"]
    assert "expected:" in pages["score"].split("ch01-ex3", 1)[0]  # a visible test keeps its details


def test_parallel_students_with_the_same_names_get_only_their_own_credit() -> None:
    """Two students build the same image names with different content, graded at the same time."""
    room = ClassRoom(FIXTURES)
    room.release(A)
    solutions = room.solutions(A)
    room.submit(
        "iso-a",
        A,
        {
            "ch01-ex1-dockerfile": FULL_EX1,
            "ch01-ex1-build": BUILD_EX1,
            "ch01-ex2-dockerfile": WRONG_MOTD,
            "ch01-ex2-build": BUILD_EX2,
        },
    )
    room.submit(
        "iso-b",
        A,
        {
            "ch01-ex1-dockerfile": NO_LABEL_EX1,
            "ch01-ex1-build": BUILD_EX1,
            "ch01-ex2-dockerfile": solutions["ch01-ex2-dockerfile"],
            "ch01-ex2-build": BUILD_EX2,
        },
    )
    done = room.grade(A, "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    book = room.gradebook(A)
    assert per_exercise(book["iso-a"]) == {"ch01-ex1-check": 3, "ch01-ex2-check": 1, "ch01-ex3-check": 0}
    assert per_exercise(book["iso-b"]) == {"ch01-ex1-check": 2, "ch01-ex2-check": 3, "ch01-ex3-check": 0}
    spans = []
    for student in ("iso-a", "iso-b"):
        report = room.report(student, A)
        end = datetime.fromisoformat(report["graded_at"]).timestamp()
        spans.append((end - report["seconds"], end))
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], f"not graded at the same time: {spans}"
    assert not grading_leftovers(room)


def test_a_dead_kernel_and_an_endless_notebook_keep_what_they_earned() -> None:
    """A kernel that kills itself and a notebook past its time limit: the checks that ran keep their credit."""
    room = ClassRoom(FIXTURES)
    room.release(A)
    solutions = room.solutions(A)
    room.submit("dies", A, {**solutions, "ch01-ex2-build": "import os\nos._exit(1)"})
    room.submit("endless", A, {**solutions, "ch01-ex2-build": "import time\ntime.sleep(3600)"})
    done = room.grade(A, "--workers", "2", "--timeout", "60")
    assert done.returncode == 0, done.stdout + done.stderr
    book = room.gradebook(A)
    expected = {"dies": (3, 0, 3), "endless": (3, 0, 0)}  # after the time limit no cell runs: ex3 scores 0
    for student, verdict in (("dies", "kernel died at cell 9"), ("endless", "timeout")):
        report = room.report(student, A)
        assert report["status"] == "graded" and report["verdict"] == verdict and report["message"], report
        checks = dict(zip(["ch01-ex1-check", "ch01-ex2-check", "ch01-ex3-check"], expected[student], strict=True))
        assert per_exercise(book[student]) == checks, (student, book[student])
    assert "exited with code 1" in room.report("dies", A)["message"]
    assert "60 s" in room.report("endless", A)["message"]
    assert not grading_leftovers(room)
