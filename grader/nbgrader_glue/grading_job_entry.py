"""What a grading Job's pod runs: one submission graded in this lab, its result left for the merge.

``docker-course kubernetes grade-submission`` (the Job of :mod:`grading_jobs`). The pod is a
fresh lab: its own engine (lab-init started it), the read-only kit at ``/kit``, the staged
submission read-only at ``/input``, the result folder at ``/result``. The result folder
becomes the submission's private nbgrader root (as a grading lab's workspace on one server):
the submission and the gradebook copied from ``/input``, then the same autograde run a
grading lab gets (:func:`fresh_lab.autograde_command`, judged by :func:`fresh_lab.outcome`);
last, ``result.json`` (the :class:`~fresh_lab.LabRun`) is written atomically. Nothing here
opens the class gradebook: the merge (:mod:`grading_jobs_merge`) is its one writer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from docker.errors import DockerException

from grader.engine.client import connect
from grader.engine.image_cache import load_into
from grader.engine.settings import LAB_SOCKET_IN_LAB
from grader.errors import GraderError
from grader.nbgrader_glue.fresh_lab import (
    LOG_TAIL,
    LabRun,
    autograde_command,
    autograde_env,
    bases_for,
    disk_full,
    engine_stopped,
    keep_tail,
    outcome,
)
from grader.nbgrader_glue.pipeline import malformed_run
from grader.nbgrader_glue.workspace import Workspace

RESULT = "result.json"
MAX_RESULT_BYTES = 1_000_000  # a result is a log tail and a few fields; anything bigger was not written by us
STATUSES = ("ran", "timeout", "malformed", "error")
Autograde = Callable[[Path, Workspace, float], LabRun]  # (kit, workspace, notebook time limit) -> what happened


def grade_submission_here(
    input_dir: Path,
    result_dir: Path,
    kit: Path,
    student: str,
    assignment: str,
    timeout: float,
    autograde: Autograde | None = None,
) -> LabRun:
    """Grade the submission staged in ``input_dir`` in this lab; its workspace and result in ``result_dir``.

    ``autograde`` (default :func:`autograde_in_this_lab`) runs nbgrader on the laid-out
    workspace. A second attempt (the Job's next pod) starts again from ``input_dir``.
    """
    attempts = _attempts_before(result_dir) + 1
    ws = _lay_out(input_dir, result_dir, student, assignment)
    lab_run = malformed_run(ws) or (autograde or autograde_in_this_lab)(kit, ws, timeout)
    lab_run.attempts = attempts
    write_result(result_dir, lab_run)
    return lab_run


def autograde_in_this_lab(kit: Path, ws: Workspace, timeout: float) -> LabRun:
    """Load the assignment's base images into this lab's engine, then run nbgrader's autograde here."""
    start = time.monotonic()
    lab_seconds = 0.0
    try:
        engine = connect(f"unix://{LAB_SOCKET_IN_LAB}", what="the grading pod's engine")
        try:
            load_into(engine, bases_for(ws.assignment))
        finally:
            engine.close()
        lab_seconds = time.monotonic() - start
        engine_pid = _sh_here("cat /var/run/docker.pid")[1].strip()
        code, log = _run_here(autograde_command(ws, timeout, sys.executable), autograde_env(ws, timeout), kit)
        seconds = time.monotonic() - start
        broken = engine_stopped(_sh_here, engine_pid)
        return outcome(code, log, timeout, lab_seconds, seconds, broken, "" if broken else disk_full(_sh_here))
    except (GraderError, DockerException, OSError) as e:
        return LabRun("error", None, "", lab_seconds, time.monotonic() - start, f"grading pod failed: {e}")


def _sh_here(script: str) -> tuple[int | None, str]:
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True)  # noqa: S603, S607 - fixed script
    return done.returncode, done.stdout + done.stderr


def _run_here(command: list[str], env: dict[str, str], cwd: Path) -> tuple[int | None, str]:
    """Run ``command`` in ``cwd``; its exit code and the tail of its output (never all of it in memory)."""
    with subprocess.Popen(  # noqa: S603 - the autograde command, arguments passed separately
        command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as proc:
        out = proc.stdout
        assert out is not None  # stdout=PIPE
        log = keep_tail(iter(lambda: out.read(65536), b""))
        return proc.wait(), log


def _attempts_before(result_dir: Path) -> int:
    earlier = read_result(result_dir)
    return earlier.attempts if earlier is not None else 0


def _lay_out(input_dir: Path, result_dir: Path, student: str, assignment: str) -> Workspace:
    """``result_dir`` emptied (it is a mount point: only its contents go), then ``input_dir`` copied into it."""
    result_dir.mkdir(parents=True, exist_ok=True)
    for child in result_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    # symlinks=True: a link the learner submitted stays a link, never followed
    shutil.copytree(input_dir, result_dir, symlinks=True, dirs_exist_ok=True)
    return Workspace(result_dir, student, assignment)


def write_result(result_dir: Path, lab_run: LabRun) -> Path:
    """Write ``result.json`` atomically: the merge never reads half a result."""
    path = result_dir / RESULT
    tmp = result_dir / f".{RESULT}.tmp"
    tmp.write_text(json.dumps(asdict(lab_run), indent=1) + "\n")
    tmp.replace(path)
    return path


def read_result(result_dir: Path) -> LabRun | None:
    """The Job's result (None when it wrote none); a result that is not ours is an ``error`` result.

    The pod could write its result folder, so the file is read without following a link,
    bounded in size, and only known statuses and fields are taken.
    """
    path = result_dir / RESULT
    if not path.is_symlink() and not path.exists():
        return None
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RESULT_BYTES:
            raise ValueError("not a plain file of a result's size")
        data = json.loads(path.read_text(errors="replace"))
        return _lab_run_of(data)
    except (OSError, ValueError, TypeError) as e:
        return LabRun("error", None, "", 0.0, 0.0, f"the Job's result cannot be read ({e}); grade it again")


def _lab_run_of(data: Any) -> LabRun:
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        raise ValueError("no known status")
    code = data.get("exit_code")
    return LabRun(
        status=str(data["status"]),
        exit_code=code if isinstance(code, int) else None,
        log=str(data.get("log", ""))[-LOG_TAIL:],
        lab_seconds=float(data.get("lab_seconds") or 0),
        seconds=float(data.get("seconds") or 0),
        message=str(data.get("message", ""))[:2000],
        attempts=int(data.get("attempts") or 1),
        disk_full=str(data.get("disk_full", ""))[:200],
    )
