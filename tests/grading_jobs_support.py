"""Helpers for the Kubernetes grading tests: a course of two learners, and an autograde that leaves
an already-graded private gradebook (what nbgrader's autograde leaves in a grading pod)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from grader.nbgrader_glue.course_root import CourseRoot, ensure_alembic_on_path
from grader.nbgrader_glue.fresh_lab import LabRun
from grader.nbgrader_glue.grading_job_entry import Autograde
from grader.nbgrader_glue.workspace import Workspace

A = "a1"
GRADES = ("ch01-ex1-check", "ch01-ex2-check")
STUDENTS = ("ann", "ben", "cat")


def class_gradebook(db_url: str, students: tuple[str, ...] = STUDENTS) -> str:
    """Add to the gradebook at ``db_url`` assignment ``a1`` (two 3-point check cells) and ``students``.

    Making an SQLite one costs nbgrader's alembic run (seconds): tests make it once and copy it.
    """
    ensure_alembic_on_path()
    with Gradebook(db_url) as gb:
        gb.update_or_create_assignment(A)
        gb.update_or_create_notebook("nb", A)
        for name in GRADES:
            gb.update_or_create_grade_cell(name, "nb", A, max_score=3, cell_type="code")
        for student in students:
            gb.update_or_create_student(student)
    return db_url


def small_course(root: Path, db_url: str, students: tuple[str, ...] = ("ann", "ben")) -> CourseRoot:
    """A course root on the gradebook ``db_url`` with one (blank) submission of ``a1`` per student."""
    (root / "source" / A).mkdir(parents=True)
    (root / "source" / A / "Dockerfile").write_text("FROM busybox\n")  # a non-notebook file the Job gets
    course = CourseRoot(root, root / "source", db_url)
    for student in students:
        submit(course, student)
    return course


def submit(course: CourseRoot, student: str) -> None:
    folder = course.submitted(student, A)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "nb.ipynb"))


def already_graded(full: set[str], graded: list[str] | None = None) -> Autograde:
    """An autograde that scores the students in ``full`` 3 per cell and everyone else 0.

    It writes what nbgrader's autograde leaves in the workspace: the submission in the
    private gradebook with its auto scores, the graded notebook under ``autograded/``.
    """

    def autograde(kit: Path, ws: Workspace, timeout: float) -> LabRun:
        assert (kit / "grader" / "__init__.py").is_file(), "the Job's kit holds the grader"
        with warnings.catch_warnings(), Gradebook(ws.course.db_url) as gb:
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own autoflush noise
            assert [s.id for s in gb.students] == [ws.student], "a Job's gradebook knows its student only"
            gb.update_or_create_submission(ws.assignment, ws.student)
            for nb in gb.find_submission(ws.assignment, ws.student).notebooks:
                for grade in nb.grades:
                    grade.auto_score = 3 if ws.student in full else 0
            gb.db.commit()
        ws.autograded.mkdir(parents=True, exist_ok=True)
        for notebook in (ws.path / "submitted" / ws.student / ws.assignment).glob("*.ipynb"):
            shutil.copy2(notebook, ws.autograded / notebook.name)
        if graded is not None:
            graded.append(ws.student)
        return LabRun("ran", 0, "[AutogradeApp] graded", 1.0, 2.0)

    return autograde
