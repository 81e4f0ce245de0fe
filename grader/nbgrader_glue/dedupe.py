"""nbgrader's DeduplicateIds, leaving a valid notebook behind.

A learner who duplicates a check cell submits two cells with one ``grade_id``.
nbgrader keeps the last one and empties the other's nbgrader metadata, which its
own ``CheckCellMetadata`` then rejects ("the nbgrader metadata may be corrupted"),
so the whole notebook failed. Here the duplicate loses its nbgrader metadata
altogether: it becomes an ordinary cell and the notebook is graded.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds


class DeduplicateGradeIds(DeduplicateIds):
    """Keep the last cell of each grade id as nbgrader does; the others become ordinary cells."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, cell_index: int) -> tuple[NotebookNode, Any]:
        """Drop the nbgrader metadata of a cell whose grade id was already seen (cells come in reverse order)."""
        if not (utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)):
            return cell, resources
        grade_id = cell.metadata.nbgrader.get("grade_id")
        if grade_id in self.grade_ids:
            self.log.warning(
                "Cell with id '%s' exists multiple times: the earlier one is graded as an ordinary cell", grade_id
            )
            del cell.metadata["nbgrader"]
        else:
            self.grade_ids.add(grade_id)
        return cell, resources
