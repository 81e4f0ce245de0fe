"""Three-way merge of a notebook, cell by cell: the learner's work survives a new course version.

``base`` is the student version the learner's notebook was made from, ``learner``
their notebook now, ``course`` the new student version. Per cell (identity: see
``cells.match``):

- only the course changed it: the new version (its old outputs go with the old code);
- only the learner changed it (an answer, a note in markdown): theirs, outputs kept;
- both changed it differently: the learner's cell, then a marked markdown cell
  with the course's new text right after it, and the conflict is reported;
- the learner added it: it stays after the cell it followed;
- the learner deleted it: it stays deleted, unless the course changed it (restored);
- the course removed it: it goes, unless the learner changed it (kept, reported).

Metadata the course owns (nbgrader's grading and locking, the course's own keys)
always comes from the course's version; the rest (collapsed, scrolled, ...) is
the learner's. Cells follow the course's order.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from grader.workspace.cells import COURSE_METADATA, Cell, course_metadata, label, match, source, text

MARK_KEY = "course_update"


@dataclass
class MergeResult:
    """The merged notebook and what the merge had to say about it."""

    notebook: dict[str, Any]
    conflicts: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept_removed: list[str] = field(default_factory=list)
    learner_edits: int = 0

    @property
    def learner_untouched(self) -> bool:
        """True when the learner had changed no cell (the result is the course's version)."""
        return self.learner_edits == 0 and not self.kept_removed


def merge_notebooks(
    base: dict[str, Any], learner: dict[str, Any], course: dict[str, Any], when: str = ""
) -> MergeResult:
    """Merge ``learner`` with the course's move from ``base`` to ``course`` (see the module docstring).

    Args:
        when: a date for the marked conflict cells (e.g. ``2026-12-01``).
    """
    b_cells, l_cells, c_cells = base.get("cells", []), learner.get("cells", []), course.get("cells", [])
    learner_to_base = match(b_cells, l_cells)
    course_to_base = match(b_cells, c_cells)
    base_to_learner = {b: lj for lj, b in learner_to_base.items()}
    base_in_course = set(course_to_base.values())
    result = MergeResult(notebook=_notebook_level(base, learner, course))
    extras = _extras(l_cells, b_cells, learner_to_base, base_in_course, result)
    cells: list[Cell] = [copy.deepcopy(l_cells[i]) for i in extras.get(None, [])]
    for cj, c_cell in enumerate(c_cells):
        b = course_to_base.get(cj)
        if b is None:
            cells.append(copy.deepcopy(c_cell))
            continue
        lj = base_to_learner.get(b)
        if lj is None:
            if _course_changed(b_cells[b], c_cell):
                cells.append(copy.deepcopy(c_cell))
                result.restored.append(label(c_cell))
            continue
        merged, conflict = _merge_cell(b_cells[b], l_cells[lj], c_cell, result)
        cells.append(merged)
        following = extras.get(lj, [])
        if conflict and not _already_marked(l_cells, following, c_cell):
            cells.append(_marked(c_cell, when))
            result.conflicts.append(label(c_cell))
        cells.extend(copy.deepcopy(l_cells[i]) for i in following)
    result.notebook["cells"] = cells
    return result


def _notebook_level(base: dict[str, Any], learner: dict[str, Any], course: dict[str, Any]) -> dict[str, Any]:
    """Notebook metadata: the learner's, with every key the course changed taken from the course."""
    meta = copy.deepcopy(learner.get("metadata") or {})
    b_meta, c_meta = base.get("metadata") or {}, course.get("metadata") or {}
    for key in set(b_meta) | set(c_meta):
        if b_meta.get(key) != c_meta.get(key):
            if key in c_meta:
                meta[key] = copy.deepcopy(c_meta[key])
            else:
                meta.pop(key, None)
    return {
        "cells": [],
        "metadata": meta,
        "nbformat": course.get("nbformat", 4),
        "nbformat_minor": course.get("nbformat_minor", 5),
    }


def _extras(
    l_cells: list[Cell],
    b_cells: list[Cell],
    learner_to_base: dict[int, int],
    base_in_course: set[int],
    result: MergeResult,
) -> dict[int | None, list[int]]:
    """Learner cells that are not a course cell, grouped by the nearest preceding learner cell that is."""
    groups: dict[int | None, list[int]] = {}
    anchor: int | None = None
    for i, cell in enumerate(l_cells):
        b = learner_to_base.get(i)
        if b is not None and b in base_in_course:
            anchor = i
            continue
        if b is not None:  # the course removed this cell
            if text(cell) == text(b_cells[b]):
                continue
            result.kept_removed.append(label(cell))
        else:
            result.learner_edits += 1
        groups.setdefault(anchor, []).append(i)
    return groups


def _course_changed(b_cell: Cell, c_cell: Cell) -> bool:
    return text(b_cell) != text(c_cell) or course_metadata(b_cell) != course_metadata(c_cell)


def _merge_cell(b_cell: Cell, l_cell: Cell, c_cell: Cell, result: MergeResult) -> tuple[Cell, bool]:
    """The merged cell, and whether both sides changed its text differently."""
    learner_changed = text(l_cell) != text(b_cell)
    course_changed = text(c_cell) != text(b_cell)
    result.learner_edits += int(learner_changed)
    merged = copy.deepcopy(c_cell if course_changed and not learner_changed else l_cell)
    meta = {k: v for k, v in (l_cell.get("metadata") or {}).items() if k not in COURSE_METADATA}
    meta.update(copy.deepcopy(course_metadata(c_cell)))
    merged["metadata"] = meta
    return merged, learner_changed and course_changed and text(l_cell) != text(c_cell)


def _digest(cell: Cell) -> str:
    """Names one new text of one course cell (two cells with the same stub get different marks)."""
    return hashlib.sha256("\0".join((label(cell), *text(cell))).encode()).hexdigest()[:16]


def _already_marked(l_cells: list[Cell], following: list[int], c_cell: Cell) -> bool:
    """True when an earlier (interrupted or repeated) update already put this text after the cell."""
    digest = _digest(c_cell)
    return any(
        ((l_cells[i].get("metadata") or {}).get("docker_course") or {}).get(MARK_KEY, {}).get("sha") == digest
        for i in following
    )


def _marked(c_cell: Cell, when: str) -> Cell:
    """A markdown cell holding the course's new text of a cell the learner also changed."""
    body = source(c_cell)
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    language = _language(c_cell)
    digest = _digest(c_cell)
    date = f" ({when})" if when else ""
    return {
        "cell_type": "markdown",
        "id": f"course-update-{digest}",
        "metadata": {"docker_course": {MARK_KEY: {"of": label(c_cell), "sha": digest, "at": when}}},
        "source": (
            f"**Course update{date}.** The course changed the cell above, and so had you: your version is kept. "
            f"The course's new version is below; copy what you need into your cell, then delete this cell.\n\n"
            f"{fence}{language}\n{body}\n{fence}"
        ),
    }


def _language(cell: Cell) -> str:
    if cell.get("cell_type") == "markdown":
        return "markdown"
    first = source(cell).lstrip().split("\n", 1)[0].lower()
    if first.startswith("%%writefile") and "dockerfile" in first:
        return "dockerfile"
    return "bash" if first.startswith(("%%bash", "%%sh")) else "python"


def _longest_backtick_run(body: str) -> int:
    longest = run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest
