"""Autograde one submission inside its own fresh lab, then remove the lab and its data.

The lab mounts the read-only kit (the grader package and nbgrader config) and the
submission's workspace at their own absolute paths, and nothing else; its limits
(memory, pids, cpus) are the course's lab limits. nbgrader's autograde runs inside
the lab, so the learner's code only ever runs in a kernel in that lab, against that
lab's engine. Whatever happens (a crash, a time-out, Ctrl-C), the lab and its
engine volume are removed.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, DockerException

from grader.engine import lab, provided
from grader.engine.catalogue import COURSE_BASE_TAGS
from grader.engine.client import api_client, host_engine_url
from grader.engine.lab_spec import LabSpec
from grader.engine.settings import Settings
from grader.errors import GraderError, UnknownExercise
from grader.nbgrader_glue.workspace import Workspace

LAB_PREFIX = "dcgrade-"
RUN_LABEL = "org.docker-course.grading-run"
LAB_PYTHON = "/opt/course/bin/python"
TIMED_OUT_CODES = (124, 137)  # `timeout` expired / killed after the grace period


@dataclass
class LabRun:
    """What happened in the lab: nbgrader's exit code and log tail, timings, the failure if any."""

    status: str  # "ran", "timeout", "error"
    exit_code: int | None
    log: str
    lab_seconds: float
    seconds: float
    message: str = ""


def bases_for(assignment: str) -> list[str]:
    """Base images to load: the chapter's (from the assignment's name), else all of them."""
    try:
        return provided.base_images_for(assignment)
    except UnknownExercise:
        return list(COURSE_BASE_TAGS)


def autograde_in_lab(
    host: docker.DockerClient,
    settings: Settings,
    name: str,
    run_id: str,
    kit: Path,
    ws: Workspace,
    timeout: float,
) -> LabRun:
    """Start lab ``name``, run ``nbgrader autograde`` for ``ws`` in it, always remove the lab."""
    start = time.monotonic()
    lab_seconds = 0.0
    try:
        spec = LabSpec.grading(settings, name, kit, ws.path, bases_for(ws.assignment), {RUN_LABEL: run_id})
        lab.up(host, spec)
        lab_seconds = time.monotonic() - start
        code, log = _exec_autograde(host, name, kit, ws, timeout)
        status = "timeout" if code in TIMED_OUT_CODES else "ran"
        message = f"the notebook did not finish within {timeout:g} s" if status == "timeout" else ""
        return LabRun(status, code, log, lab_seconds, time.monotonic() - start, message)
    except (GraderError, DockerException, OSError) as e:
        return LabRun("error", None, "", lab_seconds, time.monotonic() - start, f"grading lab failed: {e}")
    finally:
        remove_lab(host, settings, name)


def _exec_autograde(
    host: docker.DockerClient, name: str, kit: Path, ws: Workspace, timeout: float
) -> tuple[int | None, str]:
    # a client whose read timeout outlasts the run: the exec streams nothing for minutes at a time
    api = api_client(host_engine_url(), timeout=int(timeout) + 120, what="host engine")
    try:
        command = [
            "timeout",
            "-k",
            "20",
            str(int(timeout)),
            LAB_PYTHON,
            "-m",
            "nbgrader",
            "autograde",
            ws.assignment,
            "--student",
            ws.student,
            "--force",
        ]
        env = {**ws.lab_env(), "HOME": "/root", "PATH": "/opt/course/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        exec_id = api.exec_create(name, command, environment=env, workdir=str(kit))["Id"]
        output = api.exec_start(exec_id, demux=False)
        code = api.exec_inspect(exec_id).get("ExitCode")
        text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
        return code, text[-6000:]
    finally:
        api.close()


def remove_lab(host: docker.DockerClient, settings: Settings, name: str) -> None:
    """Remove a grading lab, its engine volume and its socket folder; never raises."""
    for _ in range(3):
        try:
            lab.down(host, name, keep_data=False)
            break
        except (GraderError, APIError):
            time.sleep(1)
    shutil.rmtree(settings.lab_run_dir(name).parent, ignore_errors=True)


def remove_run_labs(host: docker.DockerClient, settings: Settings, run_id: str) -> list[str]:
    """Remove every lab of a grading run (after Ctrl-C or a crash of the grader itself)."""
    names = [c.name or "" for c in host.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"})]
    for name in names:
        remove_lab(host, settings, name)
    return names
