"""Score a check cell in the grader, from the engine, instead of in the learner's kernel.

A graded cell whose source (the gradebook's, restored by nbgrader) is one call
``check("chNN-exM")`` is not sent to the kernel: the grading executor runs the
same exercise check itself, against the same engine, and writes the outputs that
``grader.notebook.check`` would have shown (the result, an error at 0 points, the
score when partial). So a learner who redefines ``check`` (or ``run_exercise``)
in the kernel scores nothing by it, and a kernel that died earlier does not stop
the remaining exercises from being scored. Only the exercise's declared answer
variables are read from the kernel, as values.
"""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from grader.checks.result import RESULT_MIME
from grader.errors import GraderError

CHECK_FUNCTION = "check"


def parse_check_call(source: str) -> tuple[str, dict[str, Any]] | None:
    """``check("ID", NAME=literal, ...)`` as (ID, answers given); None for any other cell source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == CHECK_FUNCTION):
        return None
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return None
    given: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        try:
            given[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            return None  # an answer passed as an expression: only the kernel can evaluate it
    return call.args[0].value, given


def answer_names(exercise_id: str) -> list[str]:
    """The answer variables the exercise reads from the notebook (none for an unknown id)."""
    from grader.chapters import get

    try:
        return list(get(exercise_id).answers)
    except GraderError:
        return []


def kernel_answers(executor: Any, names: list[str]) -> dict[str, Any]:
    """The values of ``names`` in the kernel of ``executor`` (an nbclient client), those that exist."""
    if not names:
        return {}
    msg_id = executor.kc.execute("", silent=True, store_history=False, user_expressions={n: n for n in names})
    reply = executor.wait_for_reply(msg_id) or {}
    answers = {}
    for name, expression in reply.get("content", {}).get("user_expressions", {}).items():
        found, value = value_of(expression)
        if found:
            answers[name] = value
    return answers


def value_of(expression_reply: dict[str, Any]) -> tuple[bool, Any]:
    """(found, value) from one of the kernel's ``user_expressions`` replies (``repr`` of the variable)."""
    if expression_reply.get("status") != "ok":
        return False, None
    text = expression_reply.get("data", {}).get("text/plain", "")
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return True, text


def outputs_for(exercise_id: str, answers: dict[str, Any], cwd: str | None) -> list[NotebookNode]:
    """Run the check and return the cell outputs ``grader.notebook.check`` would have produced."""
    from grader.chapters.runner import run_exercise

    with contextlib.chdir(cwd) if cwd and Path(cwd).is_dir() else contextlib.nullcontext():
        result = run_exercise(exercise_id, answers)
    data = {"text/html": result.to_html(), RESULT_MIME: result.to_json()}
    outputs = [NotebookNode(output_type="display_data", data=data, metadata={})]
    if result.score <= 0:
        reason = result.error or next((p.hint or p.found for p in result.parts if not p.passed), "")
        text = f"{exercise_id}: 0/{result.max_score:g} points. {reason}".strip()
        outputs.append(NotebookNode(output_type="error", ename="CheckFailed", evalue=text, traceback=[text]))
    elif result.score < result.max_score:
        outputs.append(
            NotebookNode(
                output_type="execute_result", data={"text/plain": repr(result.score)}, metadata={}, execution_count=None
            )
        )
    return outputs


def is_check_cell(cell: NotebookNode) -> bool:
    """A graded code cell that is not an answer (its source is the gradebook's)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"))


def score_cell(executor: Any, cell: NotebookNode, exercise_id: str, given: dict[str, Any]) -> None:
    """Give ``cell`` the outputs of the grader's own run of the check (answers read from the kernel)."""
    names = [n for n in answer_names(exercise_id) if n not in given]
    answers = {**kernel_answers(executor, names), **given}
    cwd = (executor.resources or {}).get("metadata", {}).get("path")
    try:
        cell.outputs = outputs_for(exercise_id, answers, cwd)
    except Exception as e:  # noqa: BLE001 - a check that cannot run scores 0 and says why, never stops grading
        text = f"{exercise_id}: the check could not run: {e}"
        cell.outputs = [NotebookNode(output_type="error", ename="CheckFailed", evalue=text, traceback=[text])]
