"""The landing page's "Grade my chapter": a chapter graded as the instructor's autograder would.

The grading runs on the host (in a lab, asked through the lab's channel), in a
fresh lab of its own: the learner's lab and notebooks are untouched. It takes
minutes, so it runs in a background thread and the kernel stays free.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import ipywidgets as w

from grader import curriculum
from grader.services.self_grade import ChapterGrade, grade_my_chapter


def _note(text: str, color: str = "#57606a") -> str:
    return f"<div style='color:{color};font-family:sans-serif;margin:4px 0'>{html.escape(text)}</div>"


class GradePanel:
    """A chapter picker, the Grade my chapter button, a status line and the result.

    Args:
        grade: how a chapter is graded (default: :func:`grader.services.self_grade.grade_my_chapter`).
    """

    def __init__(self, grade: Callable[[str], ChapterGrade] | None = None) -> None:
        self._grade = grade or grade_my_chapter
        options = [(f"{c.number} {c.title}", c.number) for c in curriculum.CHAPTERS]
        self.chapter = w.Dropdown(options=options, value=options[0][1], description="Chapter")
        self.button = w.Button(description="Grade my chapter", icon="graduation-cap", button_style="info")
        self.button.add_class("course-grade-button")
        self.status = w.HTML(
            _note("Runs your chapter notebook top to bottom in a fresh lab, as the autograder does (minutes).")
        )
        self.result = w.HTML("")
        self.button.on_click(lambda _: self.start())
        self.thread: threading.Thread | None = None
        self.widget = w.VBox([w.HBox([self.chapter, self.button]), self.status, self.result])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def start(self) -> None:
        """Grade the chosen chapter in a background thread."""
        if self.thread is not None and self.thread.is_alive():
            return
        self.thread = threading.Thread(target=self.run, args=(str(self.chapter.value),), daemon=True)
        self.thread.start()

    def run(self, chapter: str) -> ChapterGrade | None:
        """Grade ``chapter`` now and show the result (or one sentence when it could not run)."""
        self.button.disabled = True
        self.status.value = _note(f"grading chapter {chapter} in a fresh lab...")
        try:
            graded = self._grade(chapter)
        except Exception as e:  # noqa: BLE001 - the learner sees one sentence, never a traceback
            self.status.value = _note(str(e) or type(e).__name__, "#cf222e")
            return None
        finally:
            self.button.disabled = False
        where = f" Printable page: {graded.page}" if graded.page else ""
        self.status.value = _note(f"Graded: {graded.score:g}/{graded.max_score:g} points.{where}", "#1a7f37")
        self.result.value = graded.to_html()
        return graded


def grade_panel() -> None:
    """Show the Grade my chapter panel under the current cell."""
    from IPython.display import display

    display(GradePanel())
