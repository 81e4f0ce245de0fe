"""Cells of a notebook: their text, who owns which metadata, and which cell is which across versions.

A cell's identity across the base (the student version a workspace notebook was
made from), the learner's notebook and the course's new version is, in order:
its nbgrader ``grade_id``, its cell id, and for cells without either (notebooks
older than nbformat 4.5) its place in a source/position alignment.
"""

from __future__ import annotations

import difflib
from typing import Any

Cell = dict[str, Any]
# Metadata the course owns (grading, locking, course widgets); everything else is the learner's (collapsed, ...).
COURSE_METADATA = ("nbgrader", "docker_course", "tags", "editable", "deletable")


def source(cell: Cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def text(cell: Cell) -> tuple[str, str]:
    """What a change of a cell means: its type and its source."""
    return str(cell.get("cell_type", "")), source(cell)


def course_metadata(cell: Cell) -> dict[str, Any]:
    meta = cell.get("metadata") or {}
    return {k: meta[k] for k in COURSE_METADATA if k in meta}


def grade_id(cell: Cell) -> str | None:
    value = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
    return str(value) if value else None


def label(cell: Cell) -> str:
    """How a report names a cell: its grade_id, else its id, else its first line."""
    first = source(cell).strip().split("\n", 1)[0][:50]
    return grade_id(cell) or (f"cell {cell['id']}" if cell.get("id") else f"cell '{first}'")


def match(base: list[Cell], other: list[Cell]) -> dict[int, int]:
    """Map indices of ``other`` to indices of ``base``: the same cell in both.

    By grade_id and cell id together, then by grade_id, then by cell id (each base
    cell matched once, so a learner's copy of a cell, which keeps the grade_id but
    gets a new id, is a new cell wherever it was pasted); then base
    cells that have neither are aligned by source with what is left.
    """
    found: dict[int, int] = {}
    used: set[int] = set()
    for key in (_both, grade_id, _cell_id):
        index: dict[str, int] = {}
        for i, cell in enumerate(base):
            k = key(cell)
            if k and i not in used:
                index.setdefault(k, i)
        for j, cell in enumerate(other):
            k = key(cell)
            if j in found or not k or k not in index or index[k] in used:
                continue
            found[j] = index[k]
            used.add(index[k])
    _align_anonymous(base, other, found, used)
    return found


def _cell_id(cell: Cell) -> str | None:
    return str(cell["id"]) if cell.get("id") else None


def _both(cell: Cell) -> str | None:
    gid, cid = grade_id(cell), _cell_id(cell)
    return f"{gid}\0{cid}" if gid and cid else None


def _align_anonymous(base: list[Cell], other: list[Cell], found: dict[int, int], used: set[int]) -> None:
    """Pair base cells without grade_id or id with unmatched cells of ``other`` by source, then by place."""
    pool = [i for i, c in enumerate(base) if i not in used and not grade_id(c) and not c.get("id")]
    rest = [j for j in range(len(other)) if j not in found]
    if not pool or not rest:
        return
    a = [text(base[i]) for i in pool]
    b = [text(other[j]) for j in rest]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for di in range(i2 - i1):
                if tag == "equal" or a[i1 + di][0] == b[j1 + di][0]:
                    found[rest[j1 + di]] = pool[i1 + di]
                    used.add(pool[i1 + di])
