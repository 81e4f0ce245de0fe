"""Start one exercise over: its answer cells back to the student version, its engine objects gone.

The exercises that read its objects (``curriculum.dependents_of``: re-creating
``api`` breaks ``sidecar``) lose theirs too, so that none of them passes on a
leftover; their answer cells stay (the learner runs them again). Front ends ask
for a confirmation first, showing :func:`plan`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import docker

from grader import curriculum
from grader.chapters import get as get_exercise
from grader.engine.client import course_engine
from grader.engine.reset import ResetReport, remove_names
from grader.errors import GraderError
from grader.workspace.cells import grade_id
from grader.workspace.safe_fs import SafeTree
from grader.workspace.state import WorkspaceState, stamp
from grader.workspace.update import dump_notebook, parse_notebook


@dataclass(frozen=True)
class StartOverPlan:
    """What starting ``exercise`` over does."""

    exercise: str
    exercises: tuple[str, ...]  # it, then the exercises that depend on it
    names: curriculum.Names
    notebook: str  # relative to the workspace
    cells: tuple[str, ...]  # grade_ids of the answer cells restored

    def to_text(self) -> str:
        objects = ", ".join(self.names.all()) or "none"
        others = [e for e in self.exercises if e != self.exercise]
        return (
            f"Start {self.exercise} over: its answer cells ({', '.join(self.cells)}) in {self.notebook} go back to "
            f"the course's stubs, and these engine objects are removed: {objects}."
            + (
                f" {', '.join(others)} {'depends' if len(others) == 1 else 'depend'} on them: run "
                f"{'its' if len(others) == 1 else 'their'} cells again afterwards."
                if others
                else ""
            )
        )


@dataclass
class StartedOver:
    """What was done: the plan, the engine objects really removed, where the notebook was backed up."""

    plan: StartOverPlan
    removed: ResetReport = field(default_factory=ResetReport)
    backup: str = ""


def plan(workspace: Path, exercise_id: str) -> StartOverPlan:
    """What :func:`start_over` would do (for the confirmation).

    Raises:
        UnknownExercise: not an exercise of the course.
        GraderError: its chapter notebook is not in the workspace (run ``docker-course update``).
    """
    exercise = get_exercise(exercise_id).id
    exercises = (exercise, *curriculum.dependents_of(exercise))
    names = curriculum.Names()
    for each in exercises:
        names = names | curriculum.names_of(each)
    folder = curriculum.chapter_of(exercise).folder
    state = WorkspaceState.load(SafeTree(workspace))
    record = state.folders.get(folder)
    for notebook in record.notebooks if record else []:
        base = parse_notebook(state.read_base(folder, notebook) or b"") or {}
        answer_ids = tuple(grade_id(c) or "" for c in base.get("cells", []) if _is_answer_of(c, exercise))
        if answer_ids:
            return StartOverPlan(exercise, exercises, names, str(PurePosixPath(folder) / notebook), answer_ids)
    raise GraderError(
        f"The workspace {workspace} has no notebook of {exercise} (chapter folder {folder}): "
        "run `docker-course update` first."
    )


def start_over(workspace: Path, exercise_id: str, client: docker.DockerClient | None = None) -> StartedOver:
    """Restore the exercise's answer cells (after a backup) and remove the engine objects of :func:`plan`.

    Args:
        client: the course engine (default: connect to it now).

    Raises:
        UnknownExercise, GraderError: as :func:`plan`; UnsafePath: the notebook is a link.
        EngineUnavailable: the course engine does not answer (the notebook is restored already).
    """
    chosen = plan(workspace, exercise_id)
    tree = SafeTree(workspace)
    state = WorkspaceState.load(tree)
    folder, notebook = chosen.notebook.split("/", 1)
    mine_bytes = tree.read_bytes(chosen.notebook)
    mine = parse_notebook(mine_bytes)
    if mine is None:
        raise GraderError(f"{tree.root / chosen.notebook} is not a valid notebook: fix or delete it first.")
    base = parse_notebook(state.read_base(folder, notebook) or b"") or {}
    restored = restore_cells(mine, base, set(chosen.cells))
    done = StartedOver(chosen)
    if restored != mine:
        done.backup = str(state.backup(stamp(), folder, notebook, mine_bytes))
        tree.write_bytes(chosen.notebook, dump_notebook(restored))
    done.removed = remove_names(client or course_engine(), chosen.names)
    return done


def restore_cells(learner: dict[str, Any], base: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    """``learner`` with each cell whose grade_id is in ``wanted`` replaced by the base's (outputs cleared)."""
    originals = {grade_id(c): c for c in base.get("cells", []) if grade_id(c) in wanted}
    out = copy.deepcopy(learner)
    for i, cell in enumerate(out.get("cells", [])):
        original = originals.get(grade_id(cell))
        if original is not None:
            fresh = copy.deepcopy(original)
            fresh["id"] = cell.get("id", fresh.get("id"))
            if fresh.get("cell_type") == "code":
                fresh["outputs"], fresh["execution_count"] = [], None
            out["cells"][i] = fresh
    return out


def _is_answer_of(cell: dict[str, Any], exercise: str) -> bool:
    """An nbgrader solution cell of ``exercise`` (``ch01-ex1-dockerfile``, not its check cell)."""
    gid = grade_id(cell) or ""
    return gid.startswith(exercise + "-") and bool(((cell.get("metadata") or {}).get("nbgrader") or {}).get("solution"))
