"""Autograde one submission inside its own fresh lab, then remove the lab and its data.

The lab mounts the read-only kit (the grader package and nbgrader config) and the
submission's workspace at their own absolute paths, and nothing else; its limits
(memory, pids, cpus) are the course's lab limits. nbgrader's autograde runs inside
the lab, so the learner's code only ever runs in a kernel in that lab, against that
lab's engine. Whatever happens (a crash, a time-out, Ctrl-C), the lab and its
engine volume are removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import docker
from docker.errors import APIError, DockerException

from grader.engine import boundary, lab, lab_template, provided
from grader.engine.catalogue import COURSE_BASE_TAGS
from grader.engine.client import api_client
from grader.engine.journal import FOLDER_ENV, Recorder
from grader.engine.lab_spec import LabSpec
from grader.engine.settings import Settings
from grader.errors import GraderError, UnknownExercise
from grader.nbgrader_glue.workspace import Workspace

LAB_PREFIX = "dcgrade-"
RUN_LABEL = "org.docker-course.grading-run"
LAB_PYTHON = "/opt/course/bin/python"
TIMED_OUT_CODES = (124, 137)  # `timeout` expired / killed after the grace period
KILL_GRACE = 120  # seconds past the notebook's time limit before nbgrader itself is killed
LOG_TAIL = 6000  # characters of nbgrader's log kept
GRADING_DISK = "20g"  # cap on a grading lab's engine data (sparse: only what is written takes disk)
DISK_ENV = "DOCKER_COURSE_GRADING_DISK"
# the lab's own `docker` (/usr/local/bin: the build-context cap, the no-registry hint) before the real one,
# as a learner's kernel has it
GRADING_PATH = "/opt/course/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
JOURNAL_FOLDER = ".grading-journal"  # in the kit: the lab sees it read-only
Shell = Callable[[str], tuple[int | None, str]]  # runs a shell script in the lab: (exit code, output)


@dataclass
class LabRun:
    """What happened in the lab: nbgrader's exit code and log tail, timings, the failure if any."""

    status: str  # "ran", "timeout" (nbgrader killed), "malformed", "error" (infrastructure)
    exit_code: int | None
    log: str
    lab_seconds: float
    seconds: float
    message: str = ""
    attempts: int = 1
    disk_full: str = ""  # the lab's engine data reached its cap: how much of how much


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
    """Start lab ``name``, run ``nbgrader autograde`` for ``ws`` in it, always remove the lab.

    ``timeout`` is the notebook's time limit (the executor stops the notebook there and
    grades what finished); the whole nbgrader run is killed only ``KILL_GRACE`` s later.
    A lab whose engine or container stopped mid-grade is an ``error`` (not the learner's
    fault: the caller grades again in a new lab).
    """
    start = time.monotonic()
    lab_seconds = 0.0
    try:
        spec = LabSpec.grading(settings, name, kit, ws.path, bases_for(ws.assignment), {RUN_LABEL: run_id})
        spec = replace(spec, limits=replace(spec.limits, disk=os.environ.get(DISK_ENV, GRADING_DISK)))
        lab.up(host, spec)
        lab_seconds = time.monotonic() - start
        sh = partial(_lab_sh, host, name)
        engine_pid = sh("cat /var/run/docker.pid")[1].strip()
        recorder, journal = _grading_journal(settings, name, kit)
        try:
            code, log = _exec_autograde(host, name, kit, ws, timeout, {FOLDER_ENV: str(journal)})
        finally:
            recorder.stop()
        seconds = time.monotonic() - start
        broken = _lab_gone(host, name) or engine_stopped(sh, engine_pid)
        return outcome(code, log, timeout, lab_seconds, seconds, broken, "" if broken else _lab_disk_full(name, sh))
    except (GraderError, DockerException, OSError) as e:
        return LabRun("error", None, "", lab_seconds, time.monotonic() - start, f"grading lab failed: {e}")
    finally:
        remove_lab(host, settings, name)


def malformed_in_log(log: str) -> str:
    """Why nbgrader could not read the submission, when its log says so ("" otherwise)."""
    for needle, meaning in (
        ("NotJSONError", "malformed notebook: the submitted notebook is not valid notebook JSON"),
        ("Notebook does not appear to be JSON", "malformed notebook: the submitted notebook is not JSON"),
        ("Skipping unknown notebook", "malformed notebook: its name does not match the assignment's"),
        ("nbgrader metadata may be corrupted", "malformed notebook: its nbgrader cell metadata was edited"),
    ):
        if needle in log:
            return meaning
    return ""


def last_error(log: str) -> str:
    """The last error line of nbgrader's log (one line, at most 300 characters)."""
    lines = [line for line in log.strip().splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else "no error line in its log").strip()[:300]


def _lab_sh(host: docker.DockerClient, name: str, script: str) -> tuple[int | None, str]:
    container = lab.find(host, name)  # on whichever engine holds the lab (the labs engine, or the host's)
    if container is None:
        raise GraderError(f"the grading lab {name} is gone")
    result = container.exec_run(["sh", "-c", script])
    return result.exit_code, result.output.decode(errors="replace")


def _lab_gone(host: docker.DockerClient, name: str) -> str:
    """Why the lab is no longer there to trust ("" while it runs)."""
    try:
        container = lab.find(host, name)
    except (DockerException, OSError) as e:
        return f"the grading lab could not be inspected after grading: {e}"
    if container is None:
        return "the grading lab disappeared mid-grade"
    return "" if container.status == "running" else f"the grading lab stopped mid-grade ({container.status})"


def engine_stopped(sh: Shell, engine_pid: str) -> str:
    """Why the lab's engine can no longer be trusted for this grade ("" when it ran throughout).

    ``sh`` runs a shell script in the lab (a grading lab's exec, or the grading Job's own pod).
    """
    try:
        # the same dockerd as at the start: one that died (and one started again) lost the learner's state
        code, _ = sh(
            f'[ "$(cat /var/run/docker.pid)" = "{engine_pid}" ] && kill -0 {engine_pid} && docker info > /dev/null 2>&1'
        )
    except (GraderError, DockerException, OSError) as e:
        return f"the grading lab could not be inspected after grading: {e}"
    return "" if code == 0 else "the lab's engine stopped mid-grade"


def _lab_disk_full(name: str, sh: Shell) -> str:
    """A grading lab's engine data use when it reached its cap ("" otherwise)."""
    cloned = lab_template.quota_use(name)  # a clone of an engine template: its quota, not its file system
    if cloned is not None:
        used, cap = cloned
        return f"{used // 2**20} MiB of {cap // 2**20} MiB" if used >= cap * 0.98 else ""
    return disk_full(sh)


def disk_full(sh: Shell) -> str:
    """The lab's engine data use when it reached its cap ("" otherwise, or when uncapped)."""
    code, out = sh("df -P /var/lib/docker | tail -1")
    fields = out.split()
    if code != 0 or len(fields) < 5 or not fields[4].rstrip("%").isdigit():
        return ""
    return f"{int(fields[2]) // 1024} MiB of {int(fields[1]) // 1024} MiB" if int(fields[4].rstrip("%")) >= 98 else ""


def _grading_journal(settings: Settings, name: str, kit: Path) -> tuple[Recorder, Path]:
    """The lab's event journal kept by this process, outside the lab: the submission cannot forge it.

    It lies in the submission's own kit, which the lab mounts read-only, so the checks inside
    the lab read it (``DOCKER_COURSE_JOURNAL``); started before the notebook runs.
    """
    folder = kit.resolve() / JOURNAL_FOLDER / name
    folder.mkdir(parents=True, exist_ok=True)
    return Recorder(lab.lab_engine(settings, name), folder).start(), folder


def autograde_command(ws: Workspace, timeout: float, python: str = LAB_PYTHON) -> list[str]:
    """nbgrader's autograde of ``ws``, killed ``KILL_GRACE`` s after the notebook's time limit."""
    limit = str(int(timeout + KILL_GRACE))
    command = ["timeout", "-k", "20", limit, python, "-m", "nbgrader", "autograde", ws.assignment]
    return command + ["--student", ws.student, "--force", "--GradingExecute.sweep_at_end=True"]


def autograde_env(ws: Workspace, timeout: float, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the autograde run in the lab (the lab's own ``docker`` first on PATH)."""
    return {**ws.lab_env(timeout), **(extra_env or {}), "HOME": "/root", "PATH": GRADING_PATH}


def keep_tail(chunks: Iterable[bytes]) -> str:
    """The last ``LOG_TAIL`` characters of a stream: a flood on nbgrader's stderr must not fill memory."""
    tail: deque[bytes] = deque()
    kept = 0
    for chunk in chunks:
        tail.append(chunk)
        kept += len(chunk)
        while kept > LOG_TAIL and len(tail) > 1:
            kept -= len(tail.popleft())
    return b"".join(tail).decode(errors="replace")[-LOG_TAIL:]


def outcome(
    code: int | None, log: str, timeout: float, lab_seconds: float, seconds: float, broken: str = "", full: str = ""
) -> LabRun:
    """What an autograde run's exit code, log and lab checks make of it (``broken``: why the lab failed)."""
    if broken:
        return LabRun("error", code, log, lab_seconds, seconds, broken)
    if code in TIMED_OUT_CODES:
        message = f"nbgrader did not finish within {timeout + KILL_GRACE:g} s and was stopped"
        return LabRun("timeout", code, log, lab_seconds, seconds, message)
    if code != 0:
        malformed = malformed_in_log(log)
        status = "malformed" if malformed else "error"
        message = malformed or f"nbgrader failed: {last_error(log)}"
        return LabRun(status, code, log, lab_seconds, seconds, message, disk_full=full)
    return LabRun("ran", code, log, lab_seconds, seconds, disk_full=full)


def _exec_autograde(
    host: docker.DockerClient, name: str, kit: Path, ws: Workspace, timeout: float, extra_env: dict[str, str]
) -> tuple[int | None, str]:
    # a client whose read timeout outlasts the run: the exec streams nothing for minutes at a time
    limit = int(timeout + KILL_GRACE)
    api = api_client(lab.engine_url(host, name), timeout=limit + 120, what="the lab's engine")
    try:
        env = autograde_env(ws, timeout, extra_env)
        exec_id = api.exec_create(name, autograde_command(ws, timeout), environment=env, workdir=str(kit))["Id"]
        log = keep_tail(api.exec_start(exec_id, stream=True, demux=False))
        return api.exec_inspect(exec_id).get("ExitCode"), log
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
    engines = [host, *([labs] if (labs := boundary.running_labs_engine()) is not None else [])]
    label = {"label": f"{RUN_LABEL}={run_id}"}
    names = sorted({c.name or "" for engine in engines for c in engine.containers.list(all=True, filters=label)})
    for name in names:
        remove_lab(host, settings, name)
    return names
