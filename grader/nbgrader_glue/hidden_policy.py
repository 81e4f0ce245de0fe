"""How much of a hidden test's result feedback shows: ``score``, ``hint`` or ``full``.

A check cell is hidden when its source holds nbgrader's hidden-tests region (the
released notebook does not show it). ``HiddenTestPolicy`` is an nbgrader
preprocessor for ``GenerateFeedback``: it re-renders such cells' outputs by the
policy, so ``nbgrader generate_feedback`` itself applies it. ``render`` is the one
renderer, also used for the per-student summary page.
"""

from __future__ import annotations

import html
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum

from grader.checks.result import RESULT_MIME

POLICIES = ("score", "hint", "full")
HIDDEN_MARK = "BEGIN HIDDEN TESTS"


def is_hidden(cell: NotebookNode) -> bool:
    """True for a graded cell whose source holds a hidden-tests region."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and HIDDEN_MARK in cell.get("source", "")


def render(result: dict[str, Any], policy: str = "full") -> str:
    """Escaped HTML for one exercise result: score only, parts with hints, or everything."""
    e = html.escape
    score, max_score = float(result.get("score", 0)), float(result.get("max_score", 0))
    passed = bool(result.get("passed"))
    color = "#1a7f37" if passed else ("#9a6700" if score > 0 else "#cf222e")
    head = (
        f"<div style='font-weight:bold;color:{color}'>{e(str(result.get('exercise', '')))} "
        f"{e(str(result.get('title', '')))}: {score:g}/{max_score:g} points</div>"
    )
    if policy == "score":
        return f"<div class='course-check' data-policy='score' style='border-left:4px solid {color}'>{head}</div>"
    rows = []
    for part in result.get("parts", []):
        ok = bool(part.get("passed"))
        detail = ""
        if not ok and policy == "full":
            detail += f"<div><b>expected:</b> <code>{e(str(part.get('expected', '')))}</code></div>"
            detail += f"<div><b>found:</b> <code>{e(str(part.get('found', '')))}</code></div>"
        if not ok and part.get("hint"):
            detail += f"<div><b>hint:</b> {e(str(part['hint']))}</div>"
        rows.append(
            f"<li class='course-part {'passed' if ok else 'failed'}'>{'&#10004;' if ok else '&#10008;'} "
            f"{e(str(part.get('name', '')))} <small>({float(part.get('points', 0)):g}/"
            f"{float(part.get('max_points', 0)):g})</small>{detail}</li>"
        )
    error = f"<div style='color:#cf222e'>{e(str(result['error']))}</div>" if result.get("error") else ""
    return (
        f"<div class='course-check' data-policy='{policy}' style='border-left:4px solid {color};padding:6px 10px'>"
        f"{head}{error}<ul style='list-style:none'>{''.join(rows)}</ul></div>"
    )


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
        if cell.cell_type != "code" or not is_hidden(cell) or self.policy == "full":
            return cell, resources
        result = next((o["data"][RESULT_MIME] for o in cell.outputs if RESULT_MIME in o.get("data", {})), None)
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
