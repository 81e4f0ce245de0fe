"""Start, find and stop the host-side channel server of a lab.

``engine up`` starts one per learner's lab (a detached process, its log and
process id in ``STATE/labs/LAB/``, beside the run folder, never in it: the lab
writes the run folder); ``engine down`` and ``uninstall`` stop it. A process is
only ever signalled after its command line says it is this lab's channel server.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.engine import boundary_files
from grader.engine.progress import Reporter, silent
from grader.engine.settings import lab_run_dir
from grader.services.channel import SOCKET_NAME

MODULE = "grader.services.channel_server"
START_TIMEOUT = 20.0  # seconds the server may take to import the course and bind its socket


def _info(lab: str) -> Path:
    return lab_run_dir(lab).parent / "channel.json"


def running(lab: str) -> int | None:
    """The process id of ``lab``'s channel server while it runs, else None."""
    try:
        pid = int(json.loads(_info(lab).read_text())["pid"])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if MODULE.encode() in cmdline and lab.encode() in cmdline else None


def start(
    lab: str,
    source: Path | None = None,
    solutions: bool = True,
    report: Reporter = silent,
    class_switch: Path | None = None,
) -> int:
    """(Re)start ``lab``'s channel server and wait until its socket is there; its process id.

    A running one is replaced, so the server always has the course's current code.

    Args:
        class_switch: a class's lab: solutions only while the instructor's switch says on, no self-grading
            (the instructor grades the class).

    Raises:
        GraderError: it exited at start or made no socket in time (its log is named).
    """
    from grader.errors import GraderError

    stop(lab)
    run_dir = lab_run_dir(lab)
    log = run_dir.parent / "channel.log"
    command = [sys.executable, "-m", MODULE, "--lab", lab, "--run-dir", str(run_dir)]
    command += ["--source", str(source)] if source else []
    command += [] if solutions else ["--no-solutions"]
    command += ["--class-switch", str(class_switch), "--no-grading"] if class_switch else []
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            command, stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True
        )
    _info(lab).write_text(json.dumps({"pid": proc.pid}) + "\n")
    deadline = time.monotonic() + START_TIMEOUT
    while not boundary_files.exists(run_dir, SOCKET_NAME) or proc.poll() is not None:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(lab)
            raise GraderError(
                f"The course's channel for lab {lab} (hints, solutions, grading from the notebook) did not "
                f"start; see {log}. The CLI's `docker-course hint` / `solution` still work."
            )
        time.sleep(0.1)
    report(f"hints, solutions and grading for lab {lab} answered on the host (pid {proc.pid})")
    return proc.pid


def stop(lab: str) -> bool:
    """Stop ``lab``'s channel server if it runs; True when one was stopped."""
    pid = running(lab)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while running(lab) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
    _info(lab).unlink(missing_ok=True)
    return pid is not None
