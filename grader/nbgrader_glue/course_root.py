"""The instructor's nbgrader course root: its folders, its gradebook, and the real nbgrader CLI.

The course's ``nbgrader_config.py`` reads ``DOCKER_COURSE_NBGRADER_ROOT``,
``DOCKER_COURSE_SOURCE`` and ``DOCKER_COURSE_GRADEBOOK``; every nbgrader run the
grader starts (on the host or inside a grading lab) goes through that file, so
the instructor's own ``nbgrader`` commands and ours see the same course.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.engine.settings import repo_root
from grader.errors import GraderError

SUBMITTED = "submitted"
AUTOGRADED = "autograded"
REPORTS = "reports"


class NbgraderFailed(GraderError):
    """An nbgrader command exited with an error; the message holds its last lines."""


def ensure_alembic_on_path() -> None:
    """nbgrader's Gradebook runs ``alembic`` from PATH when it creates a gradebook: put ours there."""
    import shutil

    if shutil.which("alembic") is None:
        os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"


@dataclass(frozen=True)
class CourseRoot:
    """Where nbgrader keeps a course: root folder, source assignments, gradebook."""

    root: Path
    source: Path
    db_url: str

    @classmethod
    def from_env(cls, root: Path | None = None) -> CourseRoot:
        """The course root in force: ``root``, else ``DOCKER_COURSE_NBGRADER_ROOT``, else the checkout."""
        env = os.environ
        base = Path(root or env.get("DOCKER_COURSE_NBGRADER_ROOT") or repo_root()).resolve()
        source = Path(env.get("DOCKER_COURSE_SOURCE") or repo_root() / "course").resolve()
        db_url = env.get("DOCKER_COURSE_GRADEBOOK") or f"sqlite:///{base / 'gradebook.db'}"
        return cls(base, source, db_url)

    def env(self) -> dict[str, str]:
        """Environment for an nbgrader process on this course (venv's bin first: nbgrader runs alembic)."""
        path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
        return dict(
            os.environ,
            DOCKER_COURSE_NBGRADER_ROOT=str(self.root),
            DOCKER_COURSE_SOURCE=str(self.source),
            DOCKER_COURSE_GRADEBOOK=self.db_url,
            PATH=path,
        )

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / SUBMITTED / student / assignment

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / AUTOGRADED / student / assignment

    def report(self, student: str, assignment: str) -> Path:
        """The per-submission JSON report, beside nbgrader's folders."""
        return self.root / REPORTS / assignment / f"{student}.json"

    def assignments(self) -> list[str]:
        """Source assignments: folders of the source directory with a notebook that has graded cells.

        The landing notebook (``00-start-here``) has none, so it is not an assignment.
        """
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and _has_graded_cells(p))

    def submissions(self, assignment: str, student: str | None = None) -> list[tuple[str, str]]:
        """(student, assignment) pairs found under ``submitted/``; ``assignment`` may be ``all``."""
        base = self.root / SUBMITTED
        if not base.is_dir():
            return []
        wanted = None if assignment == "all" else {assignment}
        pairs = []
        for student_dir in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if student and student_dir.name != student:
                continue
            for folder in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                if (wanted is None or folder.name in wanted) and any(folder.glob("*.ipynb")):
                    pairs.append((student_dir.name, folder.name))
        return pairs

    def nbgrader(self, *args: str, timeout: float = 900) -> str:
        """Run ``nbgrader ARGS`` on this course (cwd: the checkout, so the course config loads).

        Raises:
            NbgraderFailed: it exited non-zero (the message holds its last output lines).
        """
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, arguments passed separately
                [sys.executable, "-m", "nbgrader", *args],
                cwd=repo_root(),
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as e:
            raise NbgraderFailed(f"`nbgrader {' '.join(args)}` did not finish in {timeout:g} s.") from e
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
            raise NbgraderFailed(f"`nbgrader {' '.join(args)}` failed:\n{tail}")
        return done.stdout + done.stderr


def _has_graded_cells(folder: Path) -> bool:
    for notebook in folder.glob("*.ipynb"):
        try:
            text = notebook.read_text(errors="replace")
        except OSError:
            continue
        if re.search(r'"grade":\s*true', text):
            return True
    return False
