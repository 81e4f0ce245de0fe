"""Hints and solutions on request, each view recorded in the learner's progress.

``docker-course hint`` / ``solution`` and the notebook's Hint and Show solution
buttons call these. They read the instructor's source (``grader.workspace.solutions``),
which exists on the host. Called inside a learner's lab, where the source is not,
they ask the course on the host through the lab's channel (:mod:`grader.services.channel`),
which answers with these same functions and records the view on the host.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.engine.settings import in_lab
from grader.services import channel, progress
from grader.workspace.solutions import Solution, hints, solution

CODE_SPAN, CODE_HTML = re.compile(r"`([^`]+)`"), r"<code>\1</code>"


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HintView:
        """The view :meth:`to_json` made (from the channel's answer)."""
        return cls(str(data.get("exercise", "")), [str(h) for h in data.get("shown") or []], int(data.get("total", 0)))

    def to_html(self) -> str:
        """For a notebook: the hints shown so far, numbered (HTML-escaped)."""
        if not self.total:
            return f"<div class='dc-hints'>{html.escape(self.to_text())}</div>"
        # the source's hints are markdown: their `code` spans shown as code, the rest escaped
        items = "".join(f"<li>{CODE_SPAN.sub(CODE_HTML, html.escape(h))}</li>" for h in self.shown)
        last = "<p>That was the last hint: <b>Show solution</b> shows the answer.</p>"
        return (
            f"<div class='dc-hints'><b>Hints for {html.escape(self.exercise)}</b> "
            f"({len(self.shown)} of {self.total}):<ol>{items}</ol>"
            + (last if len(self.shown) == self.total else "")
            + "</div>"
        )


def next_hint(exercise_id: str, source: Path | None = None, progress_file: Path | None = None) -> HintView:
    """One more hint of ``exercise_id`` than the learner has seen (all of them once seen), recorded.

    Args:
        progress_file: where the view is recorded (default: the learner's progress in force).

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: the course's source is not here.
        ChannelUnavailable: inside a lab, when the course on the host does not answer.
    """
    if in_lab():
        return HintView.from_json(channel.request("hint", exercise=exercise_id))
    return hint_here(exercise_id, source, progress_file)


def hint_here(exercise_id: str, source: Path | None = None, progress_file: Path | None = None) -> HintView:
    """:func:`next_hint` from the source on this machine (the host; the channel's server calls it)."""
    found = hints(exercise_id, source)
    exercise = exercise_id.strip().lower()
    seen = int(progress.views(progress_file).get(exercise, {}).get("hints", 0))
    count = min(seen + 1, len(found))
    if count:
        progress.record_view(exercise, hints=count, path=progress_file)
    return HintView(exercise, found[:count], len(found))


def show_solution(exercise_id: str, source: Path | None = None, progress_file: Path | None = None) -> Solution:
    """The reference answer of ``exercise_id``, recorded as seen.

    Args:
        progress_file: where the view is recorded (default: the learner's progress in force).

    Raises:
        UnknownExercise: not an exercise of the course.
        NoSolution: the course's source is not here, or has no answer cell for it.
        ChannelUnavailable: inside a lab, when the course on the host does not answer.
    """
    if in_lab():
        return Solution.from_json(channel.request("solution", exercise=exercise_id))
    return solution_here(exercise_id, source, progress_file)


def solution_here(exercise_id: str, source: Path | None = None, progress_file: Path | None = None) -> Solution:
    """:func:`show_solution` from the source on this machine (the host; the channel's server calls it)."""
    found = solution(exercise_id, source)
    progress.record_view(found.exercise, solution=True, path=progress_file)
    return found
