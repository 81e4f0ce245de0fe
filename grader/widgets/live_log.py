"""Progress for long work in a notebook: one panel updated in place, collapsed when done.

A :class:`LiveLog` is a ``Reporter`` (``report(message)``), so anything that
reports progress (provisioning, ``prepare``, the course-provided builds) can
show it in a notebook. Outside a kernel it prints lines like the CLI does.
:func:`build` streams a ``docker build`` into one (BuildKit where the CLI has buildx).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
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


BUILDKIT_NOTE = (
    "Built with BuildKit, like `docker build` in the lab. BuildKit writes its progress to stderr, which "
    "JupyterLab shows in red under a `!docker build` line: red is not an error; the last line says whether "
    "the build failed."
)
SYNTAX_HINT = (
    "The Dockerfile's first line `# syntax=...` asks a registry for a BuildKit frontend image, and the "
    "course works offline: delete that line (the built-in frontend reads the same Dockerfile)."
)


def build(path: str | Path, tag: str, build_args: dict[str, str] | None = None, no_cache: bool = False) -> bool:
    """Build ``path`` into ``tag`` on the course engine, streamed into a panel that collapses when done.

    Builds the way the learner's own ``docker build`` does: with BuildKit where the
    ``docker`` CLI has buildx (the lab), else with the classic builder through the SDK,
    and the panel's title says which.

    Returns True when built; on failure the panel opens on Docker's error and False is returned.

    Example::

        build("ex1", "course/hello:1.0")
    """
    from grader.engine.build_context import cap_in_force, refusal

    too_big = refusal(str(path), cap_in_force())
    if too_big:
        LiveLog(f"docker build -t {tag} {path}").finish(f"Build refused: {too_big}", ok=False)
        return False
    if buildx_available():
        return _build_with_buildkit(path, tag, build_args or {}, no_cache)
    return _build_classic(path, tag, build_args, no_cache)


def buildx_available() -> bool:
    """True when the ``docker`` CLI here has the buildx plugin (then ``docker build`` is BuildKit)."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        return subprocess.run([docker, "buildx", "version"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _build_with_buildkit(path: str | Path, tag: str, build_args: dict[str, str], no_cache: bool) -> bool:
    from grader.engine.settings import Settings

    log = LiveLog(f"docker build -t {tag} {path} (BuildKit)")
    log(BUILDKIT_NOTE)
    command = ["docker", "build", "--progress=plain", "-t", tag, *(["--no-cache"] if no_cache else [])]
    for key, value in build_args.items():
        command += ["--build-arg", f"{key}={value}"]
    env = {**os.environ, "DOCKER_HOST": Settings.load().docker_host(), "DOCKER_BUILDKIT": "1"}
    lines: list[str] = []
    try:
        process = subprocess.Popen(
            [*command, str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip():
                log(lines[-1])
        code = process.wait()
    except (GraderError, OSError) as e:
        log.finish(f"Build failed: {e}", ok=False)
        return False
    if code != 0:
        error = next((line for line in reversed(lines) if line.startswith("ERROR")), lines[-1] if lines else "")
        syntax_line = "docker/dockerfile" in error and "resolve" in error
        log.finish(f"Build failed: {error}" + (f" {SYNTAX_HINT}" if syntax_line else ""), ok=False)
        return False
    log.finish(f"built {tag} in {log.elapsed:.1f} s")
    return True


def _build_classic(path: str | Path, tag: str, build_args: dict[str, str] | None, no_cache: bool) -> bool:
    from grader.engine.client import course_engine

    log = LiveLog(f"docker build -t {tag} {path} (classic builder: no docker buildx here)")
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
