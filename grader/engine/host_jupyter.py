"""JupyterLab in host mode: one server process on 127.0.0.1, started, found and stopped by a state file.

In lab mode JupyterLab runs inside the lab (see :mod:`grader.engine.lab`); in host
mode it runs on this machine, next to the engine at ``DOCKER_HOST``, and
``STATE/jupyter-host.json`` remembers its process id and URL.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from grader.engine.client import host_engine_url
from grader.engine.http_wait import wait_for_http
from grader.engine.progress import Reporter, silent
from grader.engine.settings import Settings, course_dir, ensure_writable, state_dir
from grader.errors import EngineUnavailable

START_TIMEOUT = 60.0  # seconds JupyterLab may take to answer


def _info_file() -> Path:
    return state_dir() / "jupyter-host.json"


def running() -> dict[str, Any] | None:
    """The host-mode server's ``pid``, ``url`` and ``port`` while its process lives, else None."""
    path = _info_file()
    if not path.exists():
        return None
    info: dict[str, Any] = json.loads(path.read_text())
    try:
        os.kill(int(info["pid"]), 0)
    except (OSError, KeyError, ValueError):
        return None
    return info


def url() -> str | None:
    """The running host-mode server's URL (with its token), or None."""
    info = running()
    return str(info["url"]) if info and info.get("url") else None


def start(
    settings: Settings, report: Reporter = silent, timeout: float = START_TIMEOUT, root: Path | None = None
) -> str:
    """Start (or reuse) JupyterLab on ``127.0.0.1:settings.jupyter_port``; its URL with the token.

    Args:
        root: the folder it serves (the learner's workspace; default: the course's source).

    Raises:
        EngineUnavailable: the server exited at start, or did not answer within ``timeout`` (it is then
            stopped); the message names its log and what to try.
    """
    info = running()
    if info:
        report("JupyterLab is already running: reusing it")
        return str(info["url"])
    token = secrets.token_hex(16)
    port = settings.jupyter_port
    log = ensure_writable(state_dir(), "state") / "jupyter-host.log"
    env = dict(os.environ, DOCKER_COURSE_MODE="host", DOCKER_HOST=host_engine_url(), JUPYTER_TOKEN=token)
    if root is not None:
        env["DOCKER_COURSE_WORKSPACE"] = str(root)
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip",
                "127.0.0.1",
                "--port",
                str(port),
                "--allow-root",
                f"--ServerApp.root_dir={root or course_dir()}",
            ],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    _wait(proc, port, log, timeout)
    address = f"http://127.0.0.1:{port}/lab?token={token}"
    _info_file().write_text(json.dumps({"pid": proc.pid, "url": address, "port": port}))
    return address


def _wait(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> None:
    """Until the server answers on 127.0.0.1:``port``; an exit or a time-out is an error (the process is stopped)."""
    if wait_for_http(f"http://127.0.0.1:{port}/api", timeout, alive=lambda: proc.poll() is None):
        return
    if proc.poll() is not None:
        raise EngineUnavailable(
            f"JupyterLab exited at start (code {proc.returncode}; port {port} in use?); see {log}. "
            f"Choose another port with `docker-course engine up --mode host --port {port + 1}`."
        )
    proc.terminate()
    raise EngineUnavailable(
        f"JupyterLab did not answer on 127.0.0.1:{port} within {timeout:g} s, so it was stopped; see {log}. "
        "Run `docker-course engine up --mode host` again (a busy machine may need a second try)."
    )


def stop() -> None:
    """Stop the host-mode server if it runs; forget it either way."""
    info = running()
    if info:
        os.kill(int(info["pid"]), signal.SIGTERM)
    _info_file().unlink(missing_ok=True)
