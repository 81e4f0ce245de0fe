"""Grade my chapter: the learner's chapter notebook graded in a fresh lab, as the class grader would.

A tiny source chapter (the fixture 01-mini as chapter 01), a workspace holding the learner's notebook with
ch01-ex1 half done; ``grade_my_chapter`` runs the real release, a fresh grading lab and nbgrader's autograde.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from grader.services.self_grade import NOT_HIDDEN, grade_my_chapter
from tests.classroom.class_support import FIXTURES

pytestmark = pytest.mark.engine
NO_LABEL_EX1 = "%%writefile ex1/Dockerfile\nFROM busybox\n"


def test_a_learners_chapter_is_graded_in_a_fresh_lab_with_a_printable_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    (source / "01-dockerfile").mkdir(parents=True)
    shutil.copy(FIXTURES / "01-mini" / "01-mini.ipynb", source / "01-dockerfile" / "01-dockerfile.ipynb")
    mine = tmp_path / "work" / "01-dockerfile"
    mine.mkdir(parents=True)
    nb = json.loads((source / "01-dockerfile" / "01-dockerfile.ipynb").read_text())
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ch01-ex1-dockerfile":
            cell["source"] = NO_LABEL_EX1
    (mine / "01-dockerfile.ipynb").write_text(json.dumps(nb))
    monkeypatch.setenv("DOCKER_COURSE_SOURCE", str(source))
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(tmp_path / "work"))
    graded = grade_my_chapter("1", report=print, timeout=600)
    scores = {k: (v["score"], v["max_score"]) for k, v in graded.exercises()}
    assert scores == {"ch01-ex1": (2, 3), "ch01-ex2": (3, 3), "ch01-ex3": (3, 3)}, graded.report
    failed = [p for p in dict(graded.exercises())["ch01-ex1"]["parts"] if not p["passed"]]
    assert failed and failed[0]["hint"]
    page = (tmp_path / "work" / "grades" / "01-dockerfile.html").read_text()
    assert graded.page.endswith("grades/01-dockerfile.html") and "8/9 points" in page
    assert html.escape(NOT_HIDDEN) in page
    assert "data-exercise='ch01-ex1'" in page and "expected" in page
