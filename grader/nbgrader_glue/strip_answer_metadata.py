"""Keep the answer key out of a release: drop the course's hint and explanation metadata.

``docker_course.hints`` and ``docker_course.explain`` belong to the source: hints
are shown one at a time on request and explanations with a solution, both read
from the source on the host. A released (student) notebook carries neither.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

COURSE_KEY = "docker_course"


class StripAnswerMetadata(NbGraderPreprocessor):
    """Remove the answer-key keys of ``metadata.docker_course`` from every cell."""

    keys = List(
        Unicode(), default_value=["hints", "explain"], help="Keys of metadata.docker_course that never reach a release."
    ).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        course = cell.metadata.get(COURSE_KEY)
        if isinstance(course, dict):
            for key in self.keys:
                course.pop(key, None)
            if not course:
                del cell.metadata[COURSE_KEY]
        return cell, resources
