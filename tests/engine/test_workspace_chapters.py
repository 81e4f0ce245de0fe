"""A chapter's student version, with the reference answers typed into its answer cells, scores full marks.

The workspace notebook is what a learner gets (nbgrader's release, synced into a
workspace); the answers typed in are what ``docker-course solution ID`` shows
(the source's solution regions with the lines around them). Executed inside
the test lab from the workspace's chapter folder, as a learner's kernel runs it.
Chapter 01 only (about 5 minutes): for every chapter, the unit test
``test_typing_the_shown_solutions_gives_back_the_source_cell_for_cell`` proves
the typed student version is the source notebook cell for cell, and each
chapter's notebook test runs the source to full marks.
"""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from grader import curriculum
from grader.chapters import registry
from grader.workspace.cells import grade_id
from grader.workspace.solutions import solution
from grader.workspace.student_version import student_versions
from grader.workspace.update import sync
from tests.support import ARTIFACTS, EngineSession, errors_in, scores

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("chapter", ["01"])
def test_student_version_with_the_shown_solutions_scores_full_marks(engine: EngineSession, chapter: str) -> None:
    folder = curriculum.chapter(chapter).folder
    exercises = {e.id: e.max_score for e in registry().values() if e.chapter == chapter}
    # under build/ (which the test lab mounts); a learner's workspace is outside the checkout
    workspace = ARTIFACTS / f"workspace-{chapter}-{uuid.uuid4().hex[:6]}"
    workspace.mkdir(parents=True)
    try:
        sync(workspace, student_versions(names=[folder]))
        notebook = workspace / folder / f"{folder}.ipynb"
        nb = json.loads(notebook.read_text())
        answers = {c.grade_id: c.shown for ex in exercises for c in solution(ex).cells}
        typed = 0
        for cell in nb["cells"]:
            if grade_id(cell) in answers:
                cell["source"] = answers[grade_id(cell) or ""]
                typed += 1
        assert typed == len(answers), "every answer cell of the source is in the student version"
        notebook.write_text(json.dumps(nb, indent=1))
        ran = engine.execute_notebook(notebook)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    assert not errors_in(ran), errors_in(ran)
    assert scores(ran) == {f"{ex}-check": (points, points) for ex, points in exercises.items()}
