"""Hint and Show solution buttons under an exercise, beside its Check button.

"Hint" shows one more of the exercise's hints each click; "Show solution" asks
first, then shows the exercise's reference answer cells (read-only, highlighted,
with why they are right). Both come from the course on the host (in a lab, through
the lab's channel: the answer key is never in the lab) and are recorded in the
learner's progress, which the landing page lists.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from grader.services.answers import HintView, next_hint, show_solution
from grader.workspace.solutions import Solution


def _note(text: str, color: str = "#57606a") -> str:
    return f"<div style='color:{color};font-family:sans-serif;margin:4px 0'>{html.escape(text)}</div>"


class AnswerButtons:
    """The Hint button, the Show solution button with its confirmation, and the panel they fill.

    Args:
        exercise_id: the exercise.
        hint: how a hint is fetched (default: :func:`grader.services.answers.next_hint`).
        reveal: how the solution is fetched (default: :func:`grader.services.answers.show_solution`).
    """

    def __init__(
        self,
        exercise_id: str,
        hint: Callable[[str], HintView] | None = None,
        reveal: Callable[[str], Solution] | None = None,
    ) -> None:
        self.exercise_id = exercise_id
        self._hint = hint or next_hint
        self._reveal = reveal or show_solution
        self.hint_button = w.Button(description="Hint", icon="lightbulb-o", tooltip=f"the next hint of {exercise_id}")
        self.solution_button = w.Button(description="Show solution", icon="key", tooltip="asks first")
        self.yes = w.Button(description="Yes, show it", button_style="warning")
        self.no = w.Button(description="Not now")
        self.question = w.HTML(
            _note(f"Show the reference answer of {exercise_id}? It is recorded in your progress.", "#9a6700")
        )
        self.confirm = w.HBox([self.question, self.yes, self.no], layout=w.Layout(display="none"))
        self.hints = w.HTML("")
        self.solution = w.HTML("")
        self.hint_button.add_class("course-hint-button")
        self.solution_button.add_class("course-solution-button")
        self.yes.add_class("course-solution-yes")
        self.hint_button.on_click(lambda _: self.show_hint())
        self.solution_button.on_click(lambda _: self.ask())
        self.yes.on_click(lambda _: self.show_solution())
        self.no.on_click(lambda _: self._hide_question())
        self.buttons = [self.hint_button, self.solution_button]
        self.panel = w.VBox([self.confirm, self.hints, self.solution])

    def show_hint(self) -> HintView | None:
        """Fetch and show the next hint (all of them once every hint was seen)."""
        return self._fetch(lambda: self._hint(self.exercise_id), self.hints, lambda v: v.to_html())

    def ask(self) -> None:
        """The confirmation before the solution is shown."""
        self.confirm.layout.display = "flex"

    def _hide_question(self) -> None:
        self.confirm.layout.display = "none"

    def show_solution(self) -> Solution | None:
        """Fetch and show the reference answer (the learner confirmed)."""
        self._hide_question()
        return self._fetch(lambda: self._reveal(self.exercise_id), self.solution, lambda s: s.to_html())

    def _fetch(self, get: Callable[[], Any], target: w.HTML, render: Callable[[Any], str]) -> Any:
        for button in self.buttons:
            button.disabled = True
        try:
            found = get()
            target.value = render(found)
            return found
        except Exception as e:  # noqa: BLE001 - the learner sees one sentence, never a traceback
            target.value = _note(str(e) or type(e).__name__, "#cf222e")
            return None
        finally:
            for button in self.buttons:
                button.disabled = False
