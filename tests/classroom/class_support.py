"""A test classroom: an nbgrader course root under build/, released assignments, fake submissions,
the real `docker-course grade` and `nbgrader export` commands, and what the host engine holds."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.api import Gradebook

from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.fresh_lab import LAB_PREFIX
from tests.support import ARTIFACTS, REPO, host_inventory

FIXTURES = REPO / "tests" / "fixtures"
KEEP = object()  # leave the released stub as it is


class ClassRoom:
    """An nbgrader course root with its own gradebook; ``source`` holds the source assignments."""

    def __init__(self, source: Path) -> None:
        root = ARTIFACTS / f"class-{uuid.uuid4().hex[:6]}"
        root.mkdir(parents=True)
        self.course = CourseRoot(root, source, f"sqlite:///{root / 'gradebook.db'}")

    def release(self, assignment: str) -> Path:
        """`nbgrader generate_assignment` (the real one, with the course config)."""
        self.course.nbgrader("generate_assignment", assignment, "--force")
        return self.course.root / "release" / assignment

    def solutions(self, assignment: str) -> dict[str, str]:
        """grade_id -> reference answer of every answer cell of the source notebook(s)."""
        out = {}
        for path in sorted((self.course.source / assignment).glob("*.ipynb")):
            for cell in nbformat.read(str(path), as_version=4).cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    out[meta["grade_id"]] = cell.source
        return out

    def submit(self, student: str, assignment: str, answers: dict[str, Any]) -> Path:
        """Lay out ``submitted/<student>/<assignment>/`` from the released version with ``answers``.

        ``answers`` maps grade_id to new cell source; unnamed answer cells keep the stub.
        """
        released = self.course.root / "release" / assignment
        target = self.course.submitted(student, assignment)
        shutil.copytree(released, target, dirs_exist_ok=True)
        for path in sorted(target.glob("*.ipynb")):
            nb = nbformat.read(str(path), as_version=4)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in answers and answers[grade_id] is not KEEP:
                    cell.source = answers[grade_id]
            nbformat.write(nb, str(path))
        (target / "timestamp.txt").write_text("2025-01-15 10:00:00.000000 UTC")
        return target

    def grade(
        self, assignment: str, *args: str, timeout: float = 1500, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`docker-course grade ASSIGNMENT ARGS` on this course (``env``: extra variables, e.g. limits)."""
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "grader.cli", "grade", assignment, *args],
            cwd=REPO,
            env={**self.course.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def gradebook(self, assignment: str) -> dict[str, dict[str, float]]:
        """student -> grade_id -> score, as the real gradebook holds them."""
        out: dict[str, dict[str, float]] = {}
        with Gradebook(self.course.db_url) as gb:
            for submission in gb.assignment_submissions(assignment):
                out[submission.student.id] = {
                    g.name: float(g.score or 0) for nb in submission.notebooks for g in nb.grades
                }
        return out

    def export_csv(self) -> dict[tuple[str, str], float]:
        """(student, assignment) -> score from `nbgrader export` (its CSV exporter)."""
        path = self.course.root / "grades.csv"
        self.course.nbgrader("export", "--to", str(path))
        with open(path, newline="") as f:
            return {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(f)}

    def runs(self) -> set[str]:
        """Ids of the grading runs that wrote this course's reports."""
        return {json.loads(p.read_text()).get("run", "") for p in (self.course.root / "reports").glob("*/*.json")} - {
            ""
        }

    def report(self, student: str, assignment: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.course.report(student, assignment).read_text())
        return data

    def set_manual(self, student: str, assignment: str, notebook: str, grade_id: str, score: float) -> None:
        """An instructor's manual grade (as formgrader would store it)."""
        with Gradebook(self.course.db_url) as gb:
            grade = gb.find_grade(grade_id, notebook, assignment, student)
            grade.manual_score = score
            gb.db.commit()


def grading_leftovers(room: ClassRoom | None = None) -> dict[str, list[str]]:
    """Grading labs, their volumes and networks still on the host engine (should be none).

    With ``room``: only those of the runs that graded its submissions (other runs, of other
    tests or people on the same machine, may be under way).
    """
    prefixes = (LAB_PREFIX,) if room is None else tuple(f"{LAB_PREFIX}{run}" for run in room.runs())
    inventory = host_inventory()
    return {
        k: sorted(n for n in v if n.startswith(prefixes))
        for k, v in inventory.items()
        if any(n.startswith(prefixes) for n in v)
    }


def per_exercise(scores: dict[str, float]) -> dict[str, float]:
    """Only the check cells' scores, keyed by grade_id."""
    return {k: v for k, v in scores.items() if k.endswith("-check")}


def run_leftovers(run_id: str) -> dict[str, list[str]]:
    """Objects of grading run ``run_id`` still on the host or labs engine (should be none)."""
    prefix = f"{LAB_PREFIX}{run_id}"
    return {
        k: sorted(n for n in v if n.startswith(prefix))
        for k, v in host_inventory().items()
        if any(n.startswith(prefix) for n in v)
    }


def foreign(names: set[str]) -> set[str]:
    """Names that are not another engineer's or another run's labs and test objects (ours to compare)."""
    return {n for n in names if not n.startswith((LAB_PREFIX, "docker-course-", "dchub-", "dcl-"))}
