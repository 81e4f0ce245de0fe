"""The landing page's live parts: is the engine ready, and how far is the learner in each chapter."""

from __future__ import annotations

import html
from pathlib import Path

from grader import curriculum
from grader.errors import GraderError
from grader.services.progress import ChapterProgress, by_chapter, progress_path, views
from grader.services.status import engine_status

e = html.escape


def engine_status_html() -> str:
    """Escaped HTML: the course engine's mode, version and base images, or what to do when it is down."""
    try:
        status = engine_status(timeout=15, with_jupyter=False)
    except GraderError as err:
        return _not_ready(str(err))
    if not status.reachable:
        return _not_ready(status.error)
    present, version = status.present_images, status.engine_version or "?"
    missing = [t for t in status.base_images if t not in present]
    where = "inside your lab" if status.in_lab else f"{status.mode} mode"
    note = (
        f" Missing base images: {e(', '.join(missing))} (each chapter's first cell loads what it needs)."
        if missing
        else ""
    )
    return (
        "<div class='course-engine-status' data-ready='true' style='border-left:4px solid #1a7f37;"
        f"padding:4px 10px;font-family:sans-serif'><b>&#10004; The course engine is ready</b>: Docker {e(version)}, "
        f"{e(where)}; base images: {e(', '.join(present) or 'none yet')}.{note}</div>"
    )


def _not_ready(reason: str) -> str:
    return (
        "<div class='course-engine-status' data-ready='false' style='border-left:4px solid #cf222e;"
        f"padding:4px 10px;font-family:sans-serif'><b>The course engine is not ready.</b> {e(reason)}</div>"
    )


def chapter_notebook(course: Path, folder: str) -> str | None:
    """The chapter's main notebook, relative to the course folder (None while it is not written)."""
    directory = course / folder
    main = directory / f"{folder}.ipynb"
    if main.exists():
        return f"{folder}/{main.name}"
    found = sorted(directory.glob("*.ipynb")) if directory.is_dir() else []
    return f"{folder}/{found[0].name}" if found else None


def _bar(p: ChapterProgress) -> str:
    width = int(100 * p.passed / p.total) if p.total else 0
    color = "#1a7f37" if p.done else "#0969da"
    return (
        f"<div style='width:120px;height:8px;background:#eaeef2;border-radius:4px;display:inline-block'>"
        f"<div style='width:{width}%;height:8px;background:{color};border-radius:4px'></div></div>"
    )


def served_folder() -> Path:
    """The folder JupyterLab shows the chapters from: the learner's workspace when it is in use, else the source."""
    import os

    from grader.engine.settings import course_dir
    from grader.workspace.location import STATE_FOLDER, WORKSPACE_ENV

    workspace = Path(os.environ.get(WORKSPACE_ENV) or "/nonexistent")
    return workspace if (workspace / STATE_FOLDER).is_dir() else course_dir()


def views_html() -> str:
    """Escaped HTML: the hints and solutions the learner asked for, or nothing when none."""
    seen = views()
    hints = [f"{e(k)} ({int(v.get('hints', 0))})" for k, v in sorted(seen.items()) if v.get("hints")]
    solutions = [e(k) for k, v in sorted(seen.items()) if v.get("solution")]
    if not hints and not solutions:
        return ""
    parts = ([f"hints seen: {', '.join(hints)}"] if hints else []) + (
        [f"solutions seen: {', '.join(solutions)}"] if solutions else []
    )
    return f"<p class='course-views' style='color:#57606a'>{'; '.join(parts)}.</p>"


def chapters_html(course: Path | None = None) -> str:
    """Escaped HTML: the six chapters with links, the exercises passed in each, the hints and solutions seen."""
    course = course or served_folder()
    progress = by_chapter()
    rows = []
    for chapter in curriculum.CHAPTERS:
        number, title, about = chapter.number, chapter.title, chapter.summary
        p = progress.get(number, ChapterProgress(number, 0, 0, 0.0, 0.0))
        notebook = chapter_notebook(course, chapter.folder)
        # relative to this notebook (00-start-here/): JupyterLab opens such links in a new tab of its own
        name = f"<a href='../{e(notebook)}'>{number} {e(title)}</a>" if notebook else f"{number} {e(title)} (soon)"
        done = " &#10004;" if p.done else ""
        rows.append(
            f"<tr class='course-chapter' data-chapter='{number}' data-passed='{p.passed}' data-total='{p.total}'>"
            f"<td style='padding:3px 8px;text-align:left'>{name}</td>"
            f"<td style='padding:3px 8px;text-align:left;color:#57606a'>{e(about)}</td>"
            f"<td style='padding:3px 8px;text-align:left'>{_bar(p)} {p.passed}/{p.total} exercises{done}</td>"
            f"<td style='padding:3px 8px;text-align:left'>{p.points:g}/{p.max_points:g} points</td></tr>"
        )
    total = sum(p.passed for p in progress.values())
    count = sum(p.total for p in progress.values())
    return (
        "<div class='course-chapters' style='font-family:sans-serif'>"
        f"<table style='border-collapse:collapse'>{''.join(rows)}</table>"
        f"<p style='color:#57606a'>{total}/{count} exercises passed so far "
        f"(kept in {e(str(progress_path()))}).</p>{views_html()}</div>"
    )


def start_here() -> None:
    """The landing notebook's cell: engine status, then the chapters with progress."""
    from IPython.display import HTML, display

    display(HTML(engine_status_html() + chapters_html()))
