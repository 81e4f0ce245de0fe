"""Hints and reference answers of one exercise, read from the instructor's source notebooks.

The student version has neither (nbgrader clears the solution regions; the
course's release strips ``docker_course.hints`` and ``docker_course.explain``),
so they are read here, on the host, from the source: the answer cells of an
exercise are its nbgrader solution cells whose ``grade_id`` starts with the
exercise id (``ch01-ex1-dockerfile``, ``ch01-ex1-build``); the answer is what
stands between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the whole cell
for a markdown answer), shown with the lines around it (``%%writefile
ex1/Dockerfile``). Hints are the ``docker_course.hints`` lists of the exercise's
cells, in cell order; ``docker_course.explain`` says why the answer is right.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.chapters import get as get_exercise
from grader.engine.settings import repo_root
from grader.errors import GraderError

BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
COURSE_KEY = "docker_course"


@dataclass(frozen=True)
class AnswerCell:
    """One answer cell of the reference solution."""

    grade_id: str
    cell_type: str
    answer: str  # the solution region(s)
    shown: str  # the cell as the learner would type it: the region(s) with the lines around them
    explain: str = ""


@dataclass(frozen=True)
class Solution:
    """An exercise's reference answer cells and hints."""

    exercise: str
    title: str
    notebook: str
    cells: list[AnswerCell] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "title": self.title,
            "notebook": self.notebook,
            "cells": [
                {
                    "grade_id": c.grade_id,
                    "cell_type": c.cell_type,
                    "answer": c.answer,
                    "shown": c.shown,
                    "explain": c.explain,
                }
                for c in self.cells
            ],
            "hints": self.hints,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Solution:
        """The solution :meth:`to_json` made (from the channel's answer)."""
        cells = [
            AnswerCell(
                str(c.get("grade_id", "")),
                str(c.get("cell_type", "code")),
                str(c.get("answer", "")),
                str(c.get("shown", "")),
                str(c.get("explain", "")),
            )
            for c in data.get("cells") or []
            if isinstance(c, dict)
        ]
        hints = [str(h) for h in data.get("hints") or []]
        return cls(
            str(data.get("exercise", "")), str(data.get("title", "")), str(data.get("notebook", "")), cells, hints
        )

    def to_text(self) -> str:
        """For a terminal: each answer cell under its grade_id, then its explanation."""
        out = [f"Solution of {self.exercise}: {self.title}", ""]
        for cell in self.cells:
            out += [f"--- {cell.grade_id} ({cell.cell_type})", cell.shown.rstrip(), ""]
            if cell.explain:
                out += [f"Why: {cell.explain}", ""]
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        """For a notebook: read-only, highlighted answer cells (HTML-escaped)."""
        parts = [f"<div class='dc-solution'><b>Solution of {html.escape(self.exercise)}</b>: {html.escape(self.title)}"]
        for cell in self.cells:
            parts.append(
                f"<div><code>{html.escape(cell.grade_id)}</code><pre style='background:#fff8dc;padding:6px'>"
                f"{html.escape(cell.shown.rstrip())}</pre>"
                + (f"<p><i>Why:</i> {html.escape(cell.explain)}</p>" if cell.explain else "")
                + "</div>"
            )
        return "".join(parts) + "</div>"


class NoSolution(GraderError):
    """The source has no reference answer for the exercise (or no source at all)."""


def source_dir() -> Path:
    """The instructor's source folders (``DOCKER_COURSE_SOURCE``, else the checkout's ``course/``)."""
    import os

    return Path(os.environ.get("DOCKER_COURSE_SOURCE") or repo_root() / "course")


def solution(exercise_id: str, source: Path | None = None) -> Solution:
    """The reference answer cells and hints of ``exercise_id``.

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: its chapter's source notebooks are not here, or hold no answer cell for it.
    """
    exercise_id, title, notebook, cells = _find(exercise_id, source or source_dir())
    return _solution_of(exercise_id, title, notebook, cells)


def hints(exercise_id: str, source: Path | None = None) -> list[str]:
    """The hints of ``exercise_id`` in the order they are shown (may be empty).

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: its chapter's source notebooks are not here.
    """
    _, _, _, cells = _find(exercise_id, source or source_dir())
    return [h for cell in cells for h in _hints_of(cell)]


@dataclass(frozen=True)
class ReferenceRun:
    """The code cells that do an exercise in a fresh copy of its chapter, as the source notebook has them."""

    setup: list[str]  # the chapter's code before its first section: prepare(), the exercise folders
    answers: list[str]  # the reference answer cells, as a learner would type them
    checks: list[str]  # the exercise's check cell(s)


def reference_run(exercise_id: str, source: Path | None = None) -> ReferenceRun:
    """What a learner runs for ``exercise_id``: its chapter's setup, the reference answer, its check.

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: no source notebook, or it has no code answer or no check cell for the exercise.
    """
    source = source or source_dir()
    exercise, _, notebook, cells = _find(exercise_id, source)
    setup: list[str] = []
    for cell in json.loads((source / notebook).read_text()).get("cells", []):
        if cell.get("cell_type") == "markdown" and _text(cell).lstrip().startswith("## "):
            break
        if cell.get("cell_type") == "code":
            setup.append(_text(cell))
    code = [c for c in cells if c.get("cell_type") == "code"]
    answers = [split_solution(_text(c))[1] for c in code if _nbgrader(c).get("solution")]
    checks = [_text(c) for c in code if _nbgrader(c).get("grade") and not _nbgrader(c).get("solution")]
    if not answers or not checks:
        raise NoSolution(f"The source of {exercise} ({notebook}) lacks a code answer or a check cell for it.")
    return ReferenceRun(setup, answers, checks)


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _find(exercise_id: str, source: Path) -> tuple[str, str, Path, list[dict[str, Any]]]:
    exercise = get_exercise(exercise_id)
    folders = sorted(source.glob(f"{exercise.chapter}-*")) if source.is_dir() else []
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            cells = _exercise_cells(path, exercise.id + "-")
            if cells:
                return exercise.id, exercise.title, path.relative_to(source), cells
    raise NoSolution(
        f"No source notebook of {exercise.id} in {source}: hints and solutions are read from the course's "
        "source (the checkout's course/ folder, or DOCKER_COURSE_SOURCE)."
    )


def _hints_of(cell: dict[str, Any]) -> list[str]:
    raw = ((cell.get("metadata") or {}).get(COURSE_KEY) or {}).get("hints") or []
    return [str(h) for h in raw if str(h).strip()] if isinstance(raw, list) else []


def _exercise_cells(path: Path, prefix: str) -> list[dict[str, Any]]:
    try:
        nb = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [c for c in nb.get("cells", []) if str(_nbgrader(c).get("grade_id", "")).startswith(prefix)]


def _nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _solution_of(exercise: str, title: str, notebook: Path, cells: list[dict[str, Any]]) -> Solution:
    answers = []
    for cell in cells:
        course = (cell.get("metadata") or {}).get(COURSE_KEY) or {}
        if not _nbgrader(cell).get("solution"):
            continue
        answer, shown = split_solution(_text(cell))
        answers.append(
            AnswerCell(
                _nbgrader(cell)["grade_id"],
                cell.get("cell_type", "code"),
                answer,
                shown,
                str(course.get("explain", "") or ""),
            )
        )
    if not answers:
        raise NoSolution(f"The source of {exercise} ({notebook}) has no answer cell for it.")
    return Solution(exercise, title, str(notebook), answers, [h for cell in cells for h in _hints_of(cell)])


def split_solution(text: str) -> tuple[str, str]:
    """(the solution regions, the cell without its delimiter lines); a cell without regions is all answer."""
    lines = text.split("\n")
    if not any(BEGIN in line for line in lines):
        return text, text
    region: list[str] = []
    shown: list[str] = []
    inside = False
    for line in lines:
        if BEGIN in line:
            inside = True
            continue
        if END in line:
            inside = False
            continue
        shown.append(line)
        if inside:
            region.append(line)
    return "\n".join(region), "\n".join(shown)


def solution_regions(text: str) -> list[str]:
    """Each solution region of a cell's source, separately (for tests that look for leaks)."""
    regions: list[str] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        if BEGIN in line:
            current = []
        elif END in line and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions
