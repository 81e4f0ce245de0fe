"""The Check button under an exercise: the same checks as ``check()``, a result panel, live mode.

Live mode re-checks every few seconds while the learner works, inspecting only
(``run_exercise(..., inspect_only=True)``: no probe container is ever created),
and stops when the exercise passes, when only the parts that need a probe are
left (those run on an explicit Check), or after ``LIVE_LIMIT`` seconds.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from grader.checks.result import CheckResult
from grader.services.checking import Runner, check_and_record, collect_answers
from grader.widgets.answer_buttons import AnswerButtons
from grader.widgets.hadolint import tips_html

LIVE_INTERVAL = 3.0
LIVE_LIMIT = 30 * 60
_LATEST: dict[str, CheckWidget] = {}


def live_view(result: CheckResult) -> str:
    """HTML of an inspect-only result: the parts it checked, then what waits for the Check button."""
    if not result.skipped:
        return result.to_html()
    checked = CheckResult(result.exercise, result.title, [p for p in result.parts if p.name not in result.skipped])
    waiting = "".join(f"<li>{html.escape(name)}</li>" for name in result.skipped)
    return (
        checked.to_html()
        + "<div class='course-live-pending' style='color:#57606a;font-family:sans-serif;margin:2px 10px'>"
        "Checked when you click <b>Check</b> (they run a short-lived container):"
        f"<ul style='margin:2px 0'>{waiting}</ul></div>"
    )


def _message(text: str, color: str = "#57606a") -> str:
    return f"<div style='color:{color};font-family:sans-serif;margin:4px 0'>{html.escape(text)}</div>"


class CheckWidget:
    """A Check button, a Live toggle, Hint and Show solution, the result panel and (Dockerfiles) hadolint tips.

    Example::

        from grader.widgets import check_widget
        check_widget("ch01-ex1", dockerfile="ex1/Dockerfile")
    """

    def __init__(
        self,
        exercise_id: str,
        dockerfile: str | Path | None = None,
        live: bool = False,
        interval: float = LIVE_INTERVAL,
        runner: Runner | None = None,
        answers: Callable[[], dict[str, Any]] | None = None,
        help_buttons: AnswerButtons | None = None,
    ):
        self.exercise_id = exercise_id
        self.dockerfile = Path(dockerfile) if dockerfile else None
        self.interval = interval
        self._run = runner
        self._answers = answers or self._notebook_answers
        self._lock = threading.Lock()  # one check at a time: the button and the live loop share the engine
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: CheckResult | None = None
        self.button = w.Button(description="Check", button_style="primary", icon="check", tooltip=exercise_id)
        self.live = w.ToggleButton(value=False, description="Live", icon="eye", tooltip="re-check as you work")
        self.status = w.HTML(_message(f"{exercise_id}: click Check when your answer is ready."))
        self.panel = w.HTML("")
        self.tips = w.HTML("")
        self.button.on_click(lambda _: self.check())
        self.live.observe(self._toggle_live, names="value")
        self.help = help_buttons or AnswerButtons(exercise_id)
        self.widget = w.VBox(
            [w.HBox([self.button, self.live, *self.help.buttons, self.status]), self.panel, self.help.panel, self.tips],
            layout=w.Layout(border="1px solid #d0d7de", padding="6px", margin="6px 0"),
        )
        self.widget.add_class("course-check-widget")
        # re-running the cell makes a new widget: the old one's live loop must not keep polling
        previous = _LATEST.get(exercise_id)
        if previous is not None:
            previous.stop_live(wait=False)
        _LATEST[exercise_id] = self
        if live:
            self.live.value = True

    def _notebook_answers(self) -> dict[str, Any]:
        return collect_answers(self.exercise_id, {})

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def check(self) -> CheckResult | None:
        """An explicit check (probes included): show it, record progress, refresh the tips."""
        self.button.disabled = True
        self.status.value = _message("checking against the course engine...")
        try:
            with self._lock:
                result = check_and_record(self.exercise_id, self._answers(), via="widget", runner=self._run)
            self.last = result
            self.panel.value = result.to_html()
            self.status.value = _message(self._summary(result), "#1a7f37" if result.passed else "#57606a")
            if result.passed:
                self.live.value = False
            return result
        except Exception as e:  # noqa: BLE001 - the learner sees one line, never a traceback
            self.status.value = _message(f"The check could not run: {type(e).__name__}: {e}", "#cf222e")
            return None
        finally:
            self.button.disabled = False
            self.show_tips()

    def show_tips(self) -> None:
        """Hadolint's advice on the exercise's Dockerfile (not graded)."""
        if self.dockerfile is not None:
            self.tips.value = tips_html(self.dockerfile)

    def check_live(self) -> CheckResult | None:
        """One inspect-only check; stops live mode when there is nothing left to watch."""
        with self._lock:
            result = check_and_record(
                self.exercise_id, self._answers(), via="live", inspect_only=True, runner=self._run
            )
        self.last = result
        view = live_view(result)
        if self.panel.value != view:
            self.panel.value = view
            self.show_tips()
        waiting_only = bool(result.skipped) and all(p.passed for p in result.parts if p.name not in result.skipped)
        if result.passed:
            self.status.value = _message(self._summary(result), "#1a7f37")
            self._stop.set()
        elif waiting_only:
            self.status.value = _message("Looks right so far: click Check to finish.", "#1a7f37")
            self._stop.set()
        else:
            self.status.value = _message(f"live: re-checking every {self.interval:g} s (inspecting only)")
        return result

    def _toggle_live(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.start_live()
        else:
            self._stop.set()

    def start_live(self) -> None:
        """Start the live loop in a background thread (the kernel stays free)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._live_loop, name=f"live-{self.exercise_id}", daemon=True)
        self._thread.start()

    def stop_live(self, wait: bool = True) -> None:
        """Stop the live loop (and wait for its current round unless ``wait`` is False)."""
        self._stop.set()
        if wait and self._thread is not None:
            self._thread.join(timeout=self.interval + 30)

    def _live_loop(self) -> None:
        deadline = time.monotonic() + LIVE_LIMIT
        while not self._stop.is_set():
            try:
                self.check_live()
            except Exception as e:  # noqa: BLE001 - a failed round must not kill the loop silently
                self.status.value = _message(f"live check failed: {type(e).__name__}: {e}", "#cf222e")
            if time.monotonic() > deadline:
                self.status.value = _message("Live mode paused after 30 minutes: switch it on again.")
                break
            self._stop.wait(self.interval)
        self.live.value = False

    @staticmethod
    def _summary(result: CheckResult) -> str:
        if result.passed:
            return f"Passed: {result.score:g}/{result.max_score:g} points."
        if result.error:
            return "The check could not run: see below."
        failed = sum(1 for p in result.parts if not p.passed)
        return f"{result.score:g}/{result.max_score:g} points: {failed} part(s) to fix, see the hints below."


def check_widget(exercise_id: str, dockerfile: str | Path | None = None, live: bool = False) -> None:
    """Show a Check button (and optional live mode) for ``exercise_id`` under the current cell."""
    from IPython.display import display

    display(CheckWidget(exercise_id, dockerfile=dockerfile, live=live))
