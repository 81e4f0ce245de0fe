"""The check-cell helper scored by the real `nbgrader autograde`: blank 0, partial exact, full.

nbgrader gives a test cell 0 only on an error or stderr output, a number as partial
credit, full credit otherwise; the helper is built to that rule and this proves it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.support import ARTIFACTS, REPO, EngineSession

pytestmark = pytest.mark.engine

ANSWER = """### BEGIN SOLUTION
import io
from grader.engine.client import course_engine
dockerfile = b'FROM busybox\\nLABEL maintainer="learner@example.com"\\n'
course_engine().images.build(fileobj=io.BytesIO(dockerfile), tag="course/hello:1.0", rm=True)
### END SOLUTION"""


def make_source(root: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    answer = nbformat.v4.new_code_cell(ANSWER)
    answer.metadata = {
        "nbgrader": {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": "ch01-ex1-answer",
            "schema_version": 3,
        },
        "docker_course": {"stub": "# TODO: build course/hello:1.0"},
    }
    check = nbformat.v4.new_code_cell('from grader.notebook import check\ncheck("ch01-ex1")')
    check.metadata = {
        "nbgrader": {
            "solution": False,
            "grade": True,
            "locked": True,
            "points": 3,
            "grade_id": "ch01-ex1-check",
            "schema_version": 3,
        }
    }
    nb.cells = [nbformat.v4.new_markdown_cell("Build course/hello:1.0"), answer, check]
    (root / "source" / "ps1").mkdir(parents=True)
    nbformat.write(nb, str(root / "source" / "ps1" / "ps1.ipynb"))


def nbgrader(root: Path, *args: str) -> None:
    env = dict(
        os.environ,
        DOCKER_COURSE_NBGRADER_ROOT=str(root),
        DOCKER_COURSE_SOURCE=str(root / "source"),
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def submit(root: Path, student: str, nb: nbformat.NotebookNode) -> None:
    folder = root / "submitted" / student / "ps1"
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / "ps1.ipynb"))


def test_blank_partial_full_through_nbgrader_autograde(engine: EngineSession) -> None:
    root = ARTIFACTS / f"autograde-{uuid.uuid4().hex[:6]}"
    try:
        make_source(root)
        nbgrader(root, "generate_assignment", "ps1", "--force")
        released = nbformat.read(str(root / "release" / "ps1" / "ps1.ipynb"), as_version=4)
        full = nbformat.read(str(root / "source" / "ps1" / "ps1.ipynb"), as_version=4)
        partial = nbformat.read(str(root / "source" / "ps1" / "ps1.ipynb"), as_version=4)
        without_label = partial.cells[1].source.replace('LABEL maintainer="learner@example.com"\\n', "")
        assert without_label != partial.cells[1].source
        partial.cells[1].source = without_label
        for student, nb in (("blank", released), ("partial", partial), ("full", full)):
            submit(root, student, nb)
        for student in ("blank", "partial", "full"):
            engine.reset()
            nbgrader(root, "autograde", "ps1", "--student", student, "--force")
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            got = {s: gb.find_submission("ps1", s).score for s in ("blank", "partial", "full")}
        assert got == {"blank": 0, "partial": 2, "full": 3}
    finally:
        shutil.rmtree(root, ignore_errors=True)
