"""A layer-size chart from live state: one stacked bar per image, one segment per build step.

The steps an image inherits from its base (python:3.11 or python:3.11-slim) form one
grey segment; the image's own steps that added bytes are coloured, and listed under
the bar with their sizes, so the fat and slim images of chapter 06 compare at a glance.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from grader.errors import GraderError
from grader.facts.images import HistoryStep, ImageFacts
from grader.facts.snapshot import EngineFacts
from grader.widgets.display import show

WIDTH, LEFT, BAR, ROW = 760, 170, 26, 16
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
BASE_COLOUR = "#b8c2cc"


@dataclass(frozen=True)
class Segment:
    """A part of a bar: a build step (or the whole inherited base) and its size in bytes."""

    label: str
    size: int
    inherited: bool = False


@dataclass
class Bar:
    """One image: its tag, its segments (oldest first), or why it could not be drawn."""

    tag: str
    segments: list[Segment] = field(default_factory=list)
    missing: str = ""

    @property
    def size(self) -> int:
        return sum(s.size for s in self.segments)


def step_label(step: HistoryStep) -> str:
    """A history line as the Dockerfile instruction that made it (``RUN pip install ...``)."""
    text = step.created_by.strip()
    if "#(nop)" in text:
        text = text.split("#(nop)", 1)[1].strip()
    elif text.startswith("/bin/sh -c "):
        text = "RUN " + text[len("/bin/sh -c ") :]
    # COPY/ADD show a content hash: 12 hex digits identify it as well as 64
    text = re.sub(r"\b(file|dir):([0-9a-f]{12})[0-9a-f]{52}\b", r"\1:\2...", text)
    return text or "(imported base filesystem)"


def bar_for(image: ImageFacts, bases: dict[str, ImageFacts]) -> Bar:
    """The bar of ``image``: its base's steps folded into one segment, then its own steps with bytes."""
    bar = Bar(image.ref)
    base_name, base = next(((n, b) for n, b in bases.items() if image.starts_with(b)), ("", None))
    if base is not None:
        inherited = image.history[: len(base.history)]
        bar.segments.append(Segment(f"FROM {base_name}", sum(s.size for s in inherited), inherited=True))
    bar.segments += [Segment(step_label(s), s.size) for s in image.own_history(base) if s.size > 0]
    return bar


def live_bars(
    facts: EngineFacts,
    tags: tuple[str, ...] = ("course/app:fat", "course/app:slim"),
    bases: tuple[str, ...] = ("python:3.11", "python:3.11-slim"),
) -> list[Bar]:
    """Bars for ``tags`` read from the engine now; a missing image becomes an empty bar saying so."""
    known = {}
    for name in bases:
        try:
            known[name] = facts.image(name)
        except GraderError:
            continue
    bars = []
    for tag in tags:
        try:
            bars.append(bar_for(facts.image(tag), known))
        except GraderError as e:
            bars.append(Bar(tag, missing=str(e)))
    return bars


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def layer_chart_svg(bars: list[Bar]) -> str:
    """The chart as an SVG document (every label escaped)."""
    e = html.escape
    scale = (WIDTH - LEFT - 90) / max([b.size for b in bars] + [1])
    parts, y = [], 10
    for bar in bars:
        parts.append(f'<text x="0" y="{y + 17}" font-weight="bold">{e(bar.tag)}</text>')
        if bar.missing:
            parts.append(f'<text x="{LEFT}" y="{y + 17}" fill="#cf222e">{e(bar.missing)}</text>')
            y += BAR + 14
            continue
        x, own = float(LEFT), 0
        for seg in bar.segments:
            colour = BASE_COLOUR if seg.inherited else COLOURS[own % len(COLOURS)]
            own += 0 if seg.inherited else 1
            w = max(seg.size * scale, 1.5)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}" stroke="white">'
                f"<title>{e(seg.label)}: {megabytes(seg.size)}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 17}">{megabytes(bar.size)}</text>')
        y += BAR + 4
        own = 0
        for seg in bar.segments:
            colour = BASE_COLOUR if seg.inherited else COLOURS[own % len(COLOURS)]
            own += 0 if seg.inherited else 1
            label = seg.label if len(seg.label) <= 72 else seg.label[:69] + "..."
            parts.append(f'<rect x="{LEFT}" y="{y + 3}" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{LEFT + 16}" y="{y + 12}">{megabytes(seg.size)}: {e(label)}</text>')
            y += ROW
        y += 14
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" '
        f'font-family="sans-serif" font-size="12" class="course-layer-chart">{"".join(parts)}</svg>'
    )


def layer_chart_text(bars: list[Bar]) -> str:
    """The same chart as text (for a terminal)."""
    lines = []
    for bar in bars:
        lines.append(f"{bar.tag}: {bar.missing or megabytes(bar.size)}")
        lines += [f"  {megabytes(s.size):>10}  {s.label}" for s in bar.segments]
    return "\n".join(lines)


def show_layer_chart(tags: tuple[str, ...] = ("course/app:fat", "course/app:slim")) -> None:
    """Draw the chart for ``tags`` from the course engine now (HTML in a notebook, text elsewhere).

    Example::

        from grader.pictures.layers import show_layer_chart
        show_layer_chart()
    """
    from grader.engine.client import course_engine

    try:
        bars = live_bars(EngineFacts(course_engine()), tags)
    except GraderError as e:
        print(f"No chart: {e}")
        return
    show(layer_chart_svg(bars), layer_chart_text(bars))
