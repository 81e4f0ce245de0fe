"""An exercise's timeline (:mod:`grader.services.timeline`) as a small HTML table for a notebook."""

from __future__ import annotations

from html import escape

from grader.facts.journal import clock
from grader.services.timeline import Timeline


def timeline_html(timeline: Timeline) -> str:
    """The timeline's coverage sentence, then one row per entry (time, object, what happened)."""
    head = f"<p><b>What you did for {escape(timeline.exercise)}</b>: {escape(timeline.coverage)}.</p>"
    if not timeline.entries:
        empty = "nothing of this exercise's objects in that period" if timeline.available else ""
        return head + (f"<p><i>{escape(empty)}</i></p>" if empty else "")
    rows = "".join(
        f"<tr><td><code>{escape(clock(e.t))}</code></td><td>{escape(e.kind)} <code>{escape(e.name)}</code></td>"
        f"<td>{escape(e.text)}</td></tr>"
        for e in timeline.entries
    )
    return f'{head}<table class="docker-course-timeline">{rows}</table>'
