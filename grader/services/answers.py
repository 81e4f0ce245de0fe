"""Hints and solutions on request, each view recorded in the learner's progress.

``docker-course hint`` / ``solution`` and the notebook's Hint and Show solution
buttons call these. They read the instructor's source (``grader.workspace.solutions``),
which exists on the host; called inside a learner's lab, where the source is not,
they refuse with a sentence that says to run them on the computer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.services import progress
from grader.workspace.service import on_the_host
from grader.workspace.solutions import Solution, hints, solution


@dataclass(frozen=True)
class HintView:
    """The hints of an exercise shown so far (the newest last), out of ``total``."""

    exercise: str
    shown: list[str]
    total: int

    @property
    def newest(self) -> str:
        return self.shown[-1] if self.shown else ""

    def to_text(self) -> str:
        if not self.total:
            return f"{self.exercise} has no hints: its check's hints say what is missing, or see its solution."
        lines = [f"Hint {i} of {self.total} for {self.exercise}: {h}" for i, h in enumerate(self.shown, 1)]
        if len(self.shown) == self.total:
            lines.append(f"That was the last hint; `docker-course solution {self.exercise}` shows the answer.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "shown": self.shown, "total": self.total}


def next_hint(exercise_id: str, source: Path | None = None) -> HintView:
    """One more hint of ``exercise_id`` than the learner has seen (all of them once seen), recorded.

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: the course's source is not here.
    """
    on_the_host(f"`docker-course hint {exercise_id}`")
    found = hints(exercise_id, source)
    exercise = exercise_id.strip().lower()
    seen = int(progress.views().get(exercise, {}).get("hints", 0))
    count = min(seen + 1, len(found))
    if count:
        progress.record_view(exercise, hints=count)
    return HintView(exercise, found[:count], len(found))


def show_solution(exercise_id: str, source: Path | None = None) -> Solution:
    """The reference answer of ``exercise_id``, recorded as seen.

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: the course's source is not here, or has no answer cell for it.
    """
    on_the_host(f"`docker-course solution {exercise_id}`")
    found = solution(exercise_id, source)
    progress.record_view(found.exercise, solution=True)
    return found
