"""The three-way merge of a workspace notebook: the learner's work survives a new course version."""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from grader.workspace.cells import match, source
from grader.workspace.merge import merge_notebooks


def code(cell_id: str, text: str, grade_id: str | None = None, outputs: list[Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if grade_id:
        meta["nbgrader"] = {
            "grade_id": grade_id,
            "solution": True,
            "grade": False,
            "locked": False,
            "schema_version": 3,
        }
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": meta,
        "source": text,
        "outputs": outputs or [],
        "execution_count": None,
    }


def md(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def notebook(*cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "cells": list(cells),
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


STREAM = [{"output_type": "stream", "name": "stdout", "text": "built\n"}]


def chapter_v1() -> dict[str, Any]:
    return notebook(
        md("intro", "# Chapter\nRead this."),
        code("setup", "prepare('01')"),
        md("task", "Write a Dockerfile."),
        code("answer", "%%writefile ex1/Dockerfile\n# TODO: FROM", grade_id="ch01-ex1-dockerfile"),
        code("check", "check('ch01-ex1')", grade_id="ch01-ex1-check"),
        md("outro", "Done."),
    )


def texts(nb: dict[str, Any]) -> list[str]:
    return [source(c) for c in nb["cells"]]


def test_answered_added_and_edited_markdown_cells_survive_a_course_change() -> None:
    """Answers, a cell the learner added (in place) and a markdown note stay; course changes arrive."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][3]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"
    learner["cells"][3]["outputs"] = STREAM
    learner["cells"][5]["source"] = "Done. My note: remember -t."
    learner["cells"].insert(4, code("mine", "!docker images"))
    course = copy.deepcopy(base)
    course["cells"][0]["source"] = "# Chapter (revised)\nRead this first."
    course["cells"].insert(2, md("new", "A new explanation."))

    result = merge_notebooks(base, learner, course, when="2026-12-01")

    assert texts(result.notebook) == [
        "# Chapter (revised)\nRead this first.",
        "prepare('01')",
        "A new explanation.",
        "Write a Dockerfile.",
        "%%writefile ex1/Dockerfile\nFROM busybox",
        "!docker images",
        "check('ch01-ex1')",
        "Done. My note: remember -t.",
    ]
    assert result.notebook["cells"][4]["outputs"] == STREAM, "the learner's outputs stay with their cell"
    assert not result.conflicts
    assert not result.learner_untouched
    nbformat.validate(nbformat.from_dict(result.notebook))


def test_a_cell_both_sides_changed_keeps_both_texts_and_is_reported() -> None:
    """The learner's cell stays; the course's new text follows in a marked markdown cell."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][5]["source"] = "Done. I liked it."
    course = copy.deepcopy(base)
    course["cells"][5]["source"] = "Done: now chapter 02."

    result = merge_notebooks(base, learner, course, when="2026-12-01")

    cells = result.notebook["cells"]
    assert source(cells[5]) == "Done. I liked it."
    assert cells[6]["cell_type"] == "markdown"
    assert "Course update (2026-12-01)" in source(cells[6])
    assert "Done: now chapter 02." in source(cells[6])
    assert result.conflicts == ["cell outro"]
    nbformat.validate(nbformat.from_dict(result.notebook))


def test_merging_again_does_not_mark_the_same_conflict_twice() -> None:
    """An update interrupted before its base was saved runs again: one marked cell, not two."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][3]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"
    course = copy.deepcopy(base)
    course["cells"][3]["source"] = "%%writefile ex1/Dockerfile\n# TODO: FROM busybox, then a LABEL"

    once = merge_notebooks(base, learner, course).notebook
    twice = merge_notebooks(base, once, course)

    assert texts(twice.notebook) == texts(once)
    assert not twice.conflicts


def test_untouched_notebook_becomes_the_new_version() -> None:
    """A learner who changed nothing (only ran cells) gets the course's version, cell for cell."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][1]["outputs"] = STREAM
    course = copy.deepcopy(base)
    course["cells"][1]["source"] = "prepare('01')  # builds what the chapter needs"
    del course["cells"][2]
    course["cells"].append(md("next", "Next chapter."))

    result = merge_notebooks(base, learner, course)

    assert texts(result.notebook) == texts(course)
    assert result.notebook["cells"][1]["outputs"] == [], "outputs of the old code go with it"
    assert result.learner_untouched


def test_course_metadata_comes_from_the_course_learner_metadata_stays() -> None:
    """Grading metadata (points, locks) follows the course; the learner's collapsed state stays."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][4]["metadata"]["collapsed"] = True
    course = copy.deepcopy(base)
    course["cells"][4]["metadata"]["nbgrader"]["points"] = 5

    cell = merge_notebooks(base, learner, course).notebook["cells"][4]

    assert cell["metadata"]["nbgrader"]["points"] == 5
    assert cell["metadata"]["collapsed"] is True


def test_deleted_cells_stay_deleted_unless_the_course_changed_them() -> None:
    base = chapter_v1()
    learner = copy.deepcopy(base)
    del learner["cells"][5]  # outro
    del learner["cells"][0]  # intro
    course = copy.deepcopy(base)
    course["cells"][0]["source"] = "# Chapter, new intro"

    result = merge_notebooks(base, learner, course)

    assert texts(result.notebook)[0] == "# Chapter, new intro"
    assert "Done." not in texts(result.notebook)
    assert result.restored == ["cell intro"]


def test_a_cell_the_course_removed_is_kept_when_the_learner_changed_it() -> None:
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"][2]["source"] = "Write a Dockerfile. (my notes)"
    course = copy.deepcopy(base)
    del course["cells"][2]
    del course["cells"][0]  # the learner did not touch this one: it goes

    result = merge_notebooks(base, learner, course)

    assert texts(result.notebook)[:3] == ["prepare('01')", "Write a Dockerfile. (my notes)", texts(base)[3]]
    assert result.kept_removed == ["cell task"]


def test_learner_cells_added_at_the_top_and_after_removed_cells_keep_their_place() -> None:
    base = chapter_v1()
    learner = copy.deepcopy(base)
    learner["cells"].insert(0, md("top", "My plan"))
    learner["cells"].insert(3, code("after-setup", "x = 1"))  # after `setup`
    course = copy.deepcopy(base)
    del course["cells"][1]  # `setup` removed by the course: the learner's cell follows `intro`

    result = merge_notebooks(base, learner, course)

    assert texts(result.notebook)[:3] == ["My plan", "# Chapter\nRead this.", "x = 1"]


def test_a_pasted_copy_of_a_graded_cell_does_not_steal_its_identity() -> None:
    """JupyterLab copies keep the grade_id but get a new id: the original stays matched."""
    base = chapter_v1()
    learner = copy.deepcopy(base)
    pasted = copy.deepcopy(learner["cells"][3])
    pasted["id"] = "pasted"
    pasted["source"] = "%%writefile ex1/Dockerfile\nFROM scratch"
    learner["cells"].insert(1, pasted)
    learner["cells"][4]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"

    pairs = match(base["cells"], learner["cells"])

    assert pairs[4] == 3 and 1 not in pairs


def test_cells_without_ids_are_matched_by_source_and_place() -> None:
    """Old notebooks (nbformat 4.4) have no cell ids: sources and positions identify cells."""
    base = chapter_v1()
    for cell in base["cells"]:
        del cell["id"]
        cell["metadata"].pop("nbgrader", None)
    learner = copy.deepcopy(base)
    learner["cells"][3]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"
    learner["cells"].insert(5, md(None, "mine"))  # type: ignore[arg-type]
    del learner["cells"][5]["id"]
    course = copy.deepcopy(base)
    course["cells"][0]["source"] = "# Chapter (revised)"

    result = merge_notebooks(base, learner, course)

    assert texts(result.notebook) == [
        "# Chapter (revised)",
        "prepare('01')",
        "Write a Dockerfile.",
        "%%writefile ex1/Dockerfile\nFROM busybox",
        "check('ch01-ex1')",
        "mine",
        "Done.",
    ]
