"""Demonstration cells that grading does not run again, while a submission's notebook is as released.

A chapter teaches by demonstration: most of its code cells build, run and show
things that no exercise depends on (chapter 01's take two thirds of the time
its notebook needs to run). The source notebook tags those cells ``demo`` (a
Check button cell is tagged ``course-widget``); the cells that the exercises
need (``prepare()``, the exercise folders, files an exercise builds from) carry
no such tag.

Grading skips a tagged cell only when the submitted cell is the instructor's
own, word for word, and the notebook holds no code of the learner's own outside
its answer cells: a learner who changed a demonstration or added a cell of
their own may rely on what the demonstrations leave behind, so their notebook
runs in full, as plain nbgrader would run it. Skipping never adds a mark:
checks read what the answer cells made.

The kit a grading lab mounts has no notebooks (no solutions), so it carries a
manifest instead (``MANIFEST``): for each notebook, the digests of its
skippable cells and of every code cell the instructor wrote outside the
answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

SKIP_TAGS = frozenset({"demo", "course-widget"})
MANIFEST = "demo_cells.json"


def digest(source: str) -> str:
    """A cell's source, as a digest (trailing blank lines ignored)."""
    return hashlib.sha256(source.rstrip().encode()).hexdigest()


def _outside_answers(cell: Any) -> bool:
    """A code cell that is not an nbgrader cell (answer, check or read-only)."""
    return bool(cell.get("cell_type") == "code" and not cell.get("metadata", {}).get("nbgrader"))


def instructor_cells(notebook: Any) -> dict[str, list[str]]:
    """``skip``: digests of the cells tagged as skippable; ``known``: of every code cell outside the answers."""
    skip, known = set(), set()
    for cell in notebook.cells:
        if _outside_answers(cell):
            known.add(digest(cell.source))
            if SKIP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                skip.add(digest(cell.source))
    return {"skip": sorted(skip), "known": sorted(known)}


def write_manifest(folder: Path, source: Path) -> Path:
    """``folder/MANIFEST`` for every source notebook under ``source`` (``assignment/notebook`` keys)."""
    manifest = {}
    for path in sorted(source.glob("*/*.ipynb")):
        try:
            manifest[f"{path.parent.name}/{path.stem}"] = instructor_cells(nbformat.read(str(path), as_version=4))
        except (OSError, ValueError):
            continue  # an unreadable source notebook: its submissions simply run in full
    target = folder / MANIFEST
    target.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return target


def entry_for(where: str, assignment: str, notebook: str) -> dict[str, list[str]] | None:
    """The manifest entry of one notebook from ``where``: a manifest file, or a source folder of notebooks."""
    path = Path(where) if where else None
    try:
        if path is not None and path.is_file():
            return dict(json.loads(path.read_text())).get(f"{assignment}/{notebook}")
        if path is not None and (path / assignment / f"{notebook}.ipynb").is_file():
            return instructor_cells(nbformat.read(str(path / assignment / f"{notebook}.ipynb"), as_version=4))
    except (OSError, ValueError):
        return None
    return None


@dataclass(frozen=True)
class Plan:
    """Which cells of a submitted notebook grading skips, and why none when none."""

    skip: frozenset[int]
    why_not: str = ""


def plan(notebook: Any, entry: dict[str, list[str]] | None) -> Plan:
    """The demonstration cells of ``notebook`` that need not run (see the module doc)."""
    if not entry:
        return Plan(frozenset(), "no list of the course's demonstration cells for this notebook")
    skip, known = set(entry.get("skip", [])), set(entry.get("known", []))
    chosen = set()
    for index, cell in enumerate(notebook.cells):
        if not _outside_answers(cell) or not cell.source.strip():
            continue
        found = digest(cell.source)
        if found not in known:
            return Plan(frozenset(), f"cell {index + 1} is the learner's own: every cell runs")
        if found in skip:
            chosen.add(index)
    return Plan(frozenset(chosen))
