"""The single writer: copy one submission's automatic scores from its private gradebook.

SQLite is not safe for concurrent writers, so grading labs each write their own
gradebook and only the grading process's main thread writes the real one, here.
A manual grade an instructor entered is never touched: only ``auto_score`` (and
``needs_manual_grade`` where no manual grade exists) change, so re-grading is
idempotent and keeps manual work.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from grader.errors import GraderError
from grader.nbgrader_glue.course_root import ensure_alembic_on_path


class GradebookError(GraderError):
    """The gradebook lacks what grading needs (e.g. the assignment was never generated)."""


@contextmanager
def _gradebook(db_url: str) -> Iterator[Gradebook]:
    # nbgrader's own update_or_create_submission trips an SQLAlchemy autoflush warning: noise for users
    ensure_alembic_on_path()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(db_url) as gb:
            yield gb


def require_assignment(db_url: str, assignment: str) -> None:
    """Raise a clear error unless the gradebook knows ``assignment``.

    Raises:
        GradebookError: run ``nbgrader generate_assignment`` first.
    """
    with _gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry as e:
            raise GradebookError(
                f"The gradebook has no assignment {assignment!r}: run "
                f"`nbgrader generate_assignment {assignment}` with the course config first."
            ) from e


def merge_scores(db_url: str, worker_gradebook: Path, assignment: str, student: str) -> dict[str, float]:
    """Copy ``student``'s auto scores for ``assignment`` from ``worker_gradebook`` into ``db_url``.

    Returns grade_id -> auto score as merged. Raises GradebookError when the worker
    gradebook holds no such submission (nbgrader did not finish).
    """
    with _gradebook(f"sqlite:///{worker_gradebook}") as worker:
        try:
            submission = worker.find_submission(assignment, student)
        except MissingEntry as e:
            raise GradebookError(f"nbgrader recorded no submission of {student} for {assignment}.") from e
        timestamp: datetime | None = submission.timestamp
        scores = {
            (nb.name, grade.name): (grade.auto_score, grade.needs_manual_grade)
            for nb in submission.notebooks
            for grade in nb.grades
        }
    merged: dict[str, float] = {}
    with _gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        extra = {"timestamp": timestamp} if timestamp else {}
        gb.update_or_create_submission(assignment, student, **extra)
        for (notebook, grade_id), (auto, needs_manual) in scores.items():
            grade = gb.find_grade(grade_id, notebook, assignment, student)
            if auto is not None:
                # the worker gradebook was writable from the learner's lab: only a score in range is taken
                auto = min(max(float(auto), 0.0), float(grade.max_score or 0))
            grade.auto_score = auto
            if grade.manual_score is None:
                grade.needs_manual_grade = needs_manual
            merged[grade_id] = float(auto or 0)
        gb.db.commit()
    return merged


def zero_scores(db_url: str, assignment: str, student: str) -> dict[str, float]:
    """Record 0 automatic points for every graded cell (a notebook that could not be executed)."""
    merged: dict[str, float] = {}
    with _gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for nb in submission.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0
                if grade.manual_score is None:
                    grade.needs_manual_grade = False
                merged[grade.name] = 0.0
        gb.db.commit()
    return merged


def gradebook_scores(db_url: str, assignment: str, student: str) -> dict[str, dict[str, float | None]]:
    """grade_id -> {score, auto_score, manual_score, max_score} as the gradebook holds them now."""
    out: dict[str, dict[str, float | None]] = {}
    with _gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return out  # never graded (e.g. an infrastructure error on the first attempt)
        for nb in submission.notebooks:
            for grade in nb.grades:
                out[grade.name] = {
                    "score": float(grade.score or 0),
                    "auto_score": grade.auto_score,
                    "manual_score": grade.manual_score,
                    "max_score": float(grade.max_score or 0),
                }
    return out
