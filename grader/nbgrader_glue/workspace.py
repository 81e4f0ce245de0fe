"""Folders a grading lab sees: a read-only kit of the grader, and one workspace per submission.

A grading lab mounts nothing else. The kit is a copy of the ``grader`` package,
the course's nbgrader config and the course's non-notebook files (not the
checkout: no solutions, no other student's files). The workspace is a private nbgrader course root holding this one
submission, the assignment's non-notebook source files, and a gradebook that knows
the assignment and this student only; nbgrader's autograde runs there, inside the
lab, and the grader merges its result into the real gradebook afterwards.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.engine.settings import repo_root
from grader.nbgrader_glue import demo_cells
from grader.nbgrader_glue.course_root import AUTOGRADED, SUBMITTED, CourseRoot
from grader.nbgrader_glue.private_gradebook import private_gradebook

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".mypy_cache")
# notebooks, and the folders a notebook writes its answers and demonstrations into
NOTEBOOKS = shutil.ignore_patterns("*.ipynb", "__pycache__", "*.pyc", ".ipynb_checkpoints", "ex[0-9]", "demo")


def make_kit(folder: Path, source: Path) -> Path:
    """Copy the grader package, the nbgrader config and the course's files into ``folder``.

    ``folder`` is mounted read-only in grading labs. ``source``'s files (chapter
    assets that checks compare against) come without notebooks: only what nbgrader
    releases to every learner anyway; the notebooks' demonstration cells only as digests
    (``demo_cells.MANIFEST``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repo_root() / "grader", folder / "grader", ignore=IGNORED, dirs_exist_ok=True)
    shutil.copytree(source, folder / "course", ignore=NOTEBOOKS, dirs_exist_ok=True)
    shutil.copy2(repo_root() / "nbgrader_config.py", folder / "nbgrader_config.py")
    demo_cells.write_manifest(folder, source)
    return folder


@dataclass(frozen=True)
class Workspace:
    """One submission's private nbgrader root (mounted read-write at the same path in its lab)."""

    path: Path
    student: str
    assignment: str

    @property
    def course(self) -> CourseRoot:
        return CourseRoot(self.path, self.path / "source", f"sqlite:///{self.path / 'gradebook.db'}")

    @property
    def gradebook(self) -> Path:
        return self.path / "gradebook.db"

    @property
    def autograded(self) -> Path:
        return self.path / AUTOGRADED / self.student / self.assignment

    @property
    def incidents(self) -> Path:
        """Where the grading executor records dead kernels, time-outs and cut output (one JSON per notebook)."""
        return self.path / "incidents"

    def lab_env(self, notebook_timeout: float | None = None) -> dict[str, str]:
        """nbgrader's settings for the autograde run inside the lab (the host's cell limit passes through)."""
        env = {
            "DOCKER_COURSE_NBGRADER_ROOT": str(self.path),
            "DOCKER_COURSE_SOURCE": str(self.path / "source"),
            "DOCKER_COURSE_GRADEBOOK": self.course.db_url,
            "DOCKER_COURSE_INCIDENTS": str(self.incidents),
        }
        if notebook_timeout:
            env["DOCKER_COURSE_NOTEBOOK_TIMEOUT"] = str(int(notebook_timeout))
        if os.environ.get("DOCKER_COURSE_CELL_TIMEOUT"):
            env["DOCKER_COURSE_CELL_TIMEOUT"] = os.environ["DOCKER_COURSE_CELL_TIMEOUT"]
        return env


def stage(course: CourseRoot, folder: Path, student: str, assignment: str, pristine: bool = True) -> Workspace:
    """Lay out ``folder`` for grading ``student``'s ``assignment``.

    Copies the submission, the assignment's source files except notebooks (nbgrader
    restores them over the submission), and a gradebook reduced to this student; with
    ``pristine``, a copy of that gradebook stays beside the folder (outside the lab's
    reach) for ``restage``.
    """
    ws = _lay_out(course, folder, student, assignment)
    private_gradebook(course.db_url, ws.gradebook, student)
    if pristine:
        shutil.copy2(ws.gradebook, _pristine(ws))
    return ws


def restage(course: CourseRoot, ws: Workspace) -> Workspace:
    """Lay ``ws`` out again as ``stage`` left it, for a second attempt (no read of the real gradebook)."""
    again = _lay_out(course, ws.path, ws.student, ws.assignment)
    shutil.copy2(_pristine(ws), again.gradebook)
    return again


def tampered(ws: Workspace) -> str:
    """Why ``ws``'s results cannot be trusted on the host ("" when the gradebook and notebooks are plain files).

    The lab could write the workspace: a gradebook or graded notebook replaced by a link
    would make the host read (or write) a file of its own choosing.
    """
    files = [ws.gradebook, *ws.autograded.glob("*.ipynb")]
    bad = [f.name for f in files if f.is_symlink() or (f.exists() and not f.is_file())]
    return f"the workspace was tampered with ({', '.join(bad)} not a plain file)" if bad else ""


def _pristine(ws: Workspace) -> Path:
    return ws.path.parent / f"{ws.path.name}.gradebook.db"


def _lay_out(course: CourseRoot, folder: Path, student: str, assignment: str) -> Workspace:
    if folder.exists():
        shutil.rmtree(folder)
    ws = Workspace(folder, student, assignment)
    # symlinks=True: a link in a learner's folder is copied as a link, never followed (one to / would copy the host)
    submitted = folder / SUBMITTED / student / assignment
    shutil.copytree(course.submitted(student, assignment), submitted, ignore=IGNORED, symlinks=True)
    shutil.copytree(course.source / assignment, folder / "source" / assignment, ignore=NOTEBOOKS)
    return ws
