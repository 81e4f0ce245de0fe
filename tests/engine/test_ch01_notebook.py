"""The chapter 01 notebook executed inside the test lab: the source version scores full marks and
its demonstrations clean up after themselves; the released version (real nbgrader) runs without
errors outside the check cells, keeps no solution, and scores 0."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import nbformat
import pytest

from grader.chapters import registry
from grader.engine.catalogue import COURSE_BASE_TAGS
from tests.support import ARTIFACTS, REPO, EngineSession, errors_in, release, scores

pytestmark = pytest.mark.engine

CHAPTER = REPO / "course" / "01-dockerfile"
EXERCISES = {e.id: e.max_score for e in registry().values() if e.chapter == "01"}
ANSWER_IMAGES = {
    "course/hello:1.0",
    "course/motd:1.0",
    "course/config:2.0",
    "course/app-user:1.0",
    "course/files:1.0",
    "course/volume-port:1.0",
    "course/echo:1.0",
    "course/onbuild-base:1.0",
    "course/onbuild-child:1.0",
}


def check_cell_errors(nb: nbformat.NotebookNode) -> list[str]:
    graded = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    return [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in graded]


def chapter_copy() -> Path:
    """The chapter's shipped files in a fresh folder: the notebook's answers never land in course/."""
    folder = ARTIFACTS / f"ch01-source-{uuid.uuid4().hex[:6]}" / "01-dockerfile"
    shutil.copytree(CHAPTER, folder, ignore=shutil.ignore_patterns("ex*", "demo", ".ipynb_checkpoints"))
    return folder


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind."""
    folder = chapter_copy()
    try:
        nb = engine.execute_notebook(folder / "01-dockerfile.ipynb")
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (points, points) for ex, points in EXERCISES.items()}
    assert not engine.client.containers.list(all=True), "a demonstration left a container"
    assert not engine.client.volumes.list(), "a demonstration or a check left a volume"
    tags = {t for image in engine.client.images.list() for t in image.tags}
    assert tags == set(COURSE_BASE_TAGS) | ANSWER_IMAGES, tags ^ (set(COURSE_BASE_TAGS) | ANSWER_IMAGES)
    assert not engine.client.images.list(filters={"dangling": True}), "demonstrations left dangling images"


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    folder = release("01-dockerfile")
    released = nbformat.read(str(folder / "01-dockerfile.ipynb"), as_version=4)
    sources = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in sources and "NotImplementedError" not in sources
    assert 'ENTRYPOINT ["echo"]' not in sources and "ONBUILD COPY . /src" not in sources
    assert not list(folder.glob("ex*/Dockerfile")), "learners' answers were copied into the release"
    assert (folder / "assets" / "site.tar").is_file()
    nb = engine.execute_notebook(folder / "01-dockerfile.ipynb")
    assert not check_cell_errors(nb), check_cell_errors(nb)
    got = scores(nb)
    assert set(got) == {f"{ex}-check" for ex in EXERCISES}
    assert all(score == 0 for score, _ in got.values()), got
    assert not engine.client.containers.list(all=True) and not engine.client.volumes.list()
