"""How much of a hidden test's result feedback shows: ``score``, ``hint`` or ``full``.

A check cell is hidden when its source holds nbgrader's hidden-tests region (the
released notebook does not show it). ``HiddenTestPolicy`` is an nbgrader
preprocessor for ``GenerateFeedback``: it re-renders such cells' outputs by the
policy, so ``nbgrader generate_feedback`` itself applies it. ``render`` renders a
result's JSON copy with the one renderer (:func:`grader.checks.result.render_html`),
also for the per-student summary page.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum

from grader.checks.result import POLICIES, RESULT_MIME, CheckResult, Verdict, render_html

__all__ = ["POLICIES", "RESULT_MIME", "HiddenTestPolicy", "is_hidden", "render"]
HIDDEN_MARK = "BEGIN HIDDEN TESTS"


def is_hidden(cell: NotebookNode) -> bool:
    """True for a graded cell whose source holds a hidden-tests region."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and HIDDEN_MARK in cell.get("source", "")


def render(result: dict[str, Any], policy: str = "full") -> str:
    """Escaped HTML for one exercise result's JSON copy, by ``policy`` (see :func:`render_html`).

    The head line shows the score the JSON carries (a grade report's may include a manual grade)
    and the version of the checks that gave it.
    """
    return render_html(CheckResult.from_json(result), policy, verdict=Verdict.from_json(result), show_version=True)


class HiddenTestPolicy(NbGraderPreprocessor):
    """Re-render hidden check cells' outputs in feedback by ``policy``."""

    policy = Enum(
        list(POLICIES),
        default_value="hint",
        help="What feedback shows of a hidden test: 'score' only, parts with 'hint's, or 'full' "
        "(expected / found / hint).",
    ).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code":
            return cell, resources
        result = next((o["data"][RESULT_MIME] for o in cell.outputs if RESULT_MIME in o.get("data", {})), None)
        if not is_hidden(cell) or self.policy == "full":
            for output in cell.outputs:  # feedback names the version of the checks that graded the cell
                if RESULT_MIME in output.get("data", {}) and "text/html" in output["data"]:
                    output["data"]["text/html"] = render(output["data"][RESULT_MIME], "full")
            return cell, resources
        outputs = []
        if result is not None:
            outputs.append(
                NotebookNode(output_type="display_data", metadata={}, data={"text/html": render(result, self.policy)})
            )
        for output in cell.outputs:
            if output.get("output_type") == "error":
                # the one-line failure names the hint or what was found: keep only the verdict
                outputs.append(
                    NotebookNode(output_type="error", ename=output.ename, evalue="hidden test failed", traceback=[])
                )
        cell.outputs = outputs
        # the hidden test's code itself stays hidden in feedback too
        cell.source = "# hidden test"
        return cell, resources
