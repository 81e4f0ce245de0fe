"""Bounding a graded notebook's output: what a cell may still keep, and how big a message is."""

from __future__ import annotations

import json
from typing import Any

from nbformat import NotebookNode

OUTPUT_CUT = "[output cut: this cell printed more than {limit} bytes; the rest was not kept]\n"


def stream(text: str) -> NotebookNode:
    """A stdout stream output (stdout: a note on a check cell must not make nbgrader score it 0)."""
    return NotebookNode(output_type="stream", name="stdout", text=text)


def room(cell_cap: int, cell_used: int, nb_cap: int, nb_used: int) -> int | None:
    """Bytes a cell may still add (None: no limit); a cut cell (used < 0) gets none."""
    if cell_used < 0:
        return -1
    rooms = [cap - used for cap, used in ((cell_cap, cell_used), (nb_cap, nb_used)) if cap > 0]
    return max(0, min(rooms)) if rooms else None


def size_of(content: dict[str, Any]) -> int:
    """Roughly how many bytes an output message adds to the notebook."""
    if "text" in content:
        return len(str(content["text"]))
    data = content.get("data") or {}
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values()) + 64
