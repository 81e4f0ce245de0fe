"""Faulty and hostile submissions on the small fixture (tests/fixtures/01-mini): each ends in a verdict
with a reason, keeps the credit it earned before the fault, leaves nothing behind, loses no gradebook row.

One class of faulty students is graded once with the real `docker-course grade` (2 workers, a short
per-cell limit); each test then reads the gradebook, the reports and the graded notebooks. The full
hostile suite (fork bombs, disk fill, engine killed, ...) is `tests/hostile` (`-m hostile`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest

from tests.classroom.class_support import FIXTURES, ClassRoom, foreign, per_exercise, run_leftovers
from tests.support import host_inventory

pytestmark = [pytest.mark.slow, pytest.mark.engine]
A = "01-mini"
CELL_LIMIT = 30  # seconds per cell: prepare() and the fixture's builds take a few
FLOOD = "for _ in range(300):\n    print('x' * 1_000_000)\n!docker build -q -t course/motd:1.0 ex2"
RUNAWAY = (
    "!docker run -d --name spinner busybox sh -c 'trap \"\" TERM; while :; do :; done'\nimport time\ntime.sleep(3600)"
)

# student -> (answers replacing the solution's, expected check scores ex1, ex2, ex3, verdict)
CASES: dict[str, tuple[dict[str, str], tuple[float, float, float], str]] = {
    "exits-os": ({"ch01-ex2-build": "import os\nos._exit(1)"}, (3, 0, 3), "kernel died at cell 9"),
    "sleeps": ({"ch01-ex2-build": "import time\ntime.sleep(3600)"}, (3, 0, 3), "timeout"),
    "runaway": ({"ch01-ex2-build": RUNAWAY}, (3, 0, 3), "timeout"),
    "floods": ({"ch01-ex2-build": FLOOD}, (3, 3, 3), "graded"),
    "exits-sys": ({"ch01-ex2-build": "import sys\nsys.exit(1)"}, (3, 0, 3), "graded"),
    "asks": ({"ch01-ex2-build": "input('your name? ')"}, (3, 0, 3), "graded"),
    "no-check": ({}, (3, 3, 3), "graded"),  # deletes ch01-ex1's check cell: the gradebook's runs
    "edits-check": ({"ch01-ex1-check": "print('all good')"}, (3, 3, 3), "graded"),
    "dup-check": ({}, (3, 3, 3), "graded"),  # ch01-ex1's check cell twice: counted once
    "cheats": ({"ch01-ex2-build": "check = lambda *a, **k: None"}, (3, 0, 3), "graded"),  # redefines check()
    "broken": ({}, (0, 0, 0), "malformed notebook"),  # not JSON at all
}
CHECKS = ("ch01-ex1-check", "ch01-ex2-check", "ch01-ex3-check")
A1_CHECK = CHECKS[0]


def _submit(room: ClassRoom, student: str) -> None:
    answers, _, _ = CASES[student]
    path = room.submit(student, A, {**room.solutions(A), **answers}) / f"{A}.ipynb"
    if student == "broken":
        path.write_text(path.read_text()[: len(path.read_text()) // 2])
    if student in ("no-check", "dup-check"):
        nb = nbformat.read(str(path), as_version=4)
        index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == A1_CHECK)
        if student == "no-check":
            del nb.cells[index]
        else:
            nb.cells.insert(index, nbformat.from_dict(nb.cells[index]))
        nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, Any]]:
    """The faulty class graded once; what the host held before and after."""
    room = ClassRoom(FIXTURES)
    room.release(A)
    for student in CASES:
        _submit(room, student)
    before = host_inventory()
    done = room.grade(A, "--workers", "2", env={"DOCKER_COURSE_CELL_TIMEOUT": str(CELL_LIMIT)})
    after = host_inventory()
    run_id = room.report("exits-os", A)["run"]
    yield {"room": room, "done": done, "before": before, "after": after, "run": run_id}
    assert not run_leftovers(run_id), run_leftovers(run_id)


def test_every_submission_gets_its_verdict_and_keeps_its_credit(faulty: dict[str, Any]) -> None:
    """Scores before the fault stay, the rest is graded as nbgrader would; the verdict names the reason."""
    room, done = faulty["room"], faulty["done"]
    assert done.returncode == 0, done.stdout + done.stderr
    book = room.gradebook(A)
    for student, (_, scores, verdict) in CASES.items():
        report = room.report(student, A)
        assert report["verdict"] == verdict, (student, report["verdict"], report["message"])
        assert per_exercise(book[student]) == dict(zip(CHECKS, scores, strict=True)), (student, book[student])
        assert report["score"] == sum(scores), (student, report)
        assert f"{student} {A}: {verdict}" in done.stdout + done.stderr, done.stderr


def test_the_dead_cell_is_named_in_report_and_notebook(faulty: dict[str, Any]) -> None:
    """The report says which cell killed the kernel; the graded notebook shows it there (feedback renders it)."""
    room = faulty["room"]
    report = room.report("exits-os", A)
    died = [i for i in report["incidents"] if i["kind"] == "kernel died"]
    assert died and died[0]["cell"] == 9 and died[0]["grade_id"] == "ch01-ex2-build", report["incidents"]
    assert "exited with code 1" in report["message"], report["message"]
    nb = nbformat.read(str(room.course.autograded("exits-os", A) / f"{A}.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ch01-ex2-build")
    assert any(o.get("ename") == "DeadKernelError" for o in cell.outputs), cell.outputs


def test_a_runaway_cell_is_stopped_with_what_it_started(faulty: dict[str, Any]) -> None:
    """The interrupted cell's container (ignoring SIGTERM) was killed; later exercises still graded."""
    report = faulty["room"].report("runaway", A)
    kinds = {i["kind"]: i for i in report["incidents"]}
    assert "timeout" in kinds and kinds["timeout"]["cell"] == 9, report["incidents"]
    assert "stopped 1 container(s)" in kinds["stopped"]["message"], report["incidents"]


def test_output_is_bounded_and_says_it_was_cut(faulty: dict[str, Any]) -> None:
    """300 MB printed: the graded notebook stays small and the cell says its output was cut."""
    room = faulty["room"]
    path = room.course.autograded("floods", A) / f"{A}.ipynb"
    assert path.stat().st_size < 3_000_000, path.stat().st_size
    assert "output cut" in path.read_text()
    assert any(i["kind"] == "output cut" for i in room.report("floods", A)["incidents"])


def test_no_row_lost_nothing_left_host_unchanged(faulty: dict[str, Any]) -> None:
    """Every student has a gradebook row and a report; no lab of the run is left; the host lists are as before."""
    room = faulty["room"]
    assert set(room.gradebook(A)) == set(CASES)
    for student in CASES:
        assert json.loads(room.course.report(student, A).read_text())["student"] == student
    for kind in ("containers", "networks", "volumes"):
        assert foreign(faulty["after"][kind]) == foreign(faulty["before"][kind]), kind
    assert not run_leftovers(faulty["run"])


def test_regrade_gives_the_same_result(faulty: dict[str, Any]) -> None:
    """Grading a faulty submission again gives the same scores and verdict."""
    room = faulty["room"]
    before = (room.gradebook(A)["exits-os"], room.report("exits-os", A)["verdict"])
    done = room.grade(A, "--student", "exits-os", env={"DOCKER_COURSE_CELL_TIMEOUT": str(CELL_LIMIT)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (room.gradebook(A)["exits-os"], room.report("exits-os", A)["verdict"]) == before


def test_feedback_names_the_dead_cell(faulty: dict[str, Any]) -> None:
    """The learner's feedback (summary page and nbgrader's HTML of the graded notebook) says where the kernel died."""
    from grader.nbgrader_glue.feedback import generate_feedback

    room = faulty["room"]
    pages = generate_feedback(A, policy="hint", student="exits-os", course=room.course)
    assert any("cell 9 (ch01-ex2-build)" in page.read_text() for page in pages), pages
    html = (room.course.root / "feedback" / "exits-os" / A / f"{A}.html").read_text()
    assert "DeadKernelError" in html and "exited with code 1" in html
