"""ClearSolutions with sensible stubs for Dockerfile and shell answer cells.

nbgrader replaces a solution region with a Python stub (``raise
NotImplementedError()``), which is wrong inside ``%%writefile Dockerfile`` or a
``!docker ...`` cell. This preprocessor uses, per cell, the stub in the cell's
metadata (``docker_course.stub``), else a comment stub chosen by the cell's
kind, so the released notebook runs top to bottom and scores 0.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearSolutions
from traitlets import Unicode

STUB_KEY = "docker_course"


def cell_kind(source: str) -> str:
    """``dockerfile``, ``shell`` or ``python`` from a cell's source."""
    first = source.lstrip().split("\n", 1)[0]
    if first.startswith("%%writefile"):
        return "dockerfile" if "dockerfile" in first.lower() else "file"
    if first.startswith(("%%bash", "%%sh", "%%script")) or any(
        line.lstrip().startswith("!") for line in source.split("\n")
    ):
        return "shell"
    return "python"


class ClearSolutionsWithStubs(ClearSolutions):
    """Clear solution regions, stubbing each cell in its own language."""

    dockerfile_stub = Unicode(
        "# TODO: write the Dockerfile instructions here", help="Stub for %%writefile Dockerfile cells."
    ).tag(config=True)
    file_stub = Unicode("TODO: write this file", help="Stub for other %%writefile cells.").tag(config=True)
    shell_stub = Unicode(
        "# TODO: write your docker command(s) here (lines starting with !)", help="Stub for shell cells."
    ).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, cell_index)
        stub = (cell.metadata.get(STUB_KEY) or {}).get("stub")
        if stub is None:
            stub = {"dockerfile": self.dockerfile_stub, "file": self.file_stub, "shell": self.shell_stub}.get(
                cell_kind(cell.source)
            )
        if stub is None:
            return super().preprocess_cell(cell, resources, cell_index)
        language = resources["language"]
        saved: dict[str, str] = dict(self.code_stub)  # type: ignore[has-type]
        self.code_stub = {**saved, language: stub}
        try:
            return super().preprocess_cell(cell, resources, cell_index)
        finally:
            self.code_stub = saved
