"""Progress for long work in a notebook: one panel updated in place, collapsed when done.

A :class:`LiveLog` is a ``Reporter`` (``report(message)``), so anything that
reports progress (provisioning, ``prepare``, the course-provided builds) can
show it in a notebook. Outside a kernel it prints lines like the CLI does.
:func:`build` streams a ``docker build`` into one.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.widgets.display import in_kernel

MAX_LINES = 400
REFRESH = 0.25  # seconds between two redraws: a build prints faster than a browser wants to repaint


class LiveLog:
    """A collapsible progress panel: the title and latest line on top, the whole log inside.

    Example::

        log = LiveLog("Preparing chapter 02")
        log("loading busybox")
        log.finish("ready in 3 s")
    """

    def __init__(self, title: str, in_notebook: bool | None = None):
        self.title = title
        self.lines: list[str] = []
        self.start = time.monotonic()
        self._drawn = 0.0
        self._handle: Any = None
        self._notebook = in_kernel() if in_notebook is None else in_notebook
        self.state = "running"
        if self._notebook:
            from IPython.display import HTML, display

            self._handle = display(HTML(self.html()), display_id=True)

    def __call__(self, message: str) -> None:
        for line in str(message).splitlines() or [""]:
            self.lines.append(line)
            if not self._notebook:
                print(f"[+{self.elapsed:5.1f}s] {line}", flush=True)
        del self.lines[:-MAX_LINES]
        if self._notebook and time.monotonic() - self._drawn > REFRESH:
            self._draw()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def finish(self, summary: str = "", ok: bool = True) -> None:
        """Collapse the panel (open it on failure, so the error shows)."""
        self.state = "done" if ok else "failed"
        if summary:
            self.lines.append(summary)
        if self._notebook:
            self._draw()
        elif summary:
            print(summary, flush=True)

    def _draw(self) -> None:
        from IPython.display import HTML

        self._drawn = time.monotonic()
        if self._handle is not None:
            self._handle.update(HTML(self.html()))

    def html(self) -> str:
        """Escaped HTML of the panel in its current state."""
        icon = {"running": "&#9203;", "done": "&#10004;", "failed": "&#10008;"}[self.state]
        color = {"running": "#0969da", "done": "#1a7f37", "failed": "#cf222e"}[self.state]
        last = html.escape(self.lines[-1]) if self.lines else "starting..."
        body = html.escape("\n".join(self.lines))
        opened = " open" if self.state == "failed" else ""
        return (
            f"<details class='course-progress' data-state='{self.state}'{opened} "
            f"style='font-family:sans-serif;margin:4px 0;border-left:4px solid {color};padding:2px 8px'>"
            f"<summary><span style='color:{color}'>{icon}</span> <b>{html.escape(self.title)}</b> "
            f"<small>({self.elapsed:.1f} s)</small>: {last}</summary>"
            f"<pre style='max-height:18em;overflow:auto;font-size:85%;margin:4px 0'>{body}</pre></details>"
        )


def build(path: str | Path, tag: str, build_args: dict[str, str] | None = None, no_cache: bool = False) -> bool:
    """Build ``path`` into ``tag`` on the course engine, streamed into a panel that collapses when done.

    Returns True when built; on failure the panel opens on Docker's error and False is returned.

    Example::

        build("ex1", "course/hello:1.0")
    """
    from grader.engine.client import course_engine

    log = LiveLog(f"docker build -t {tag} {path}")
    try:
        client = course_engine()
        stream = client.api.build(
            path=str(path), tag=tag, buildargs=build_args, nocache=no_cache, rm=True, forcerm=True, decode=True
        )
        for chunk in stream:
            if "error" in chunk:
                log.finish(f"Build failed: {str(chunk['error']).strip()}", ok=False)
                return False
            text = str(chunk.get("stream", "")).rstrip("\n")
            if text.strip():
                log(text)
    except (GraderError, OSError) as e:
        log.finish(f"Build failed: {e}", ok=False)
        return False
    except Exception as e:  # noqa: BLE001 - docker-py's errors (bad path, API error): one line, no traceback
        log.finish(f"Build failed: {type(e).__name__}: {e}", ok=False)
        return False
    log.finish(f"built {tag} in {log.elapsed:.1f} s")
    return True
