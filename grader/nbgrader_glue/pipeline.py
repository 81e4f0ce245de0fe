"""Grade a class: every submission in its own fresh lab, N at a time, one gradebook writer.

Worker threads each stage a workspace and run ``nbgrader autograde`` in a fresh
lab (``fresh_lab``); the calling thread alone merges results into the real
gradebook, copies the autograded notebooks, writes the JSON reports and prints
progress. Ctrl-C removes every lab of the run before returning.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

from grader.engine import catalogue, provisioning
from grader.engine.install import ensure_host_engine
from grader.engine.progress import Reporter, silent
from grader.engine.settings import Settings
from grader.errors import GraderError
from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue import verdict as verdict_of
from grader.nbgrader_glue.course_root import SUBMITTED, CourseRoot
from grader.nbgrader_glue.fresh_lab import LAB_PREFIX, LabRun, autograde_in_lab, bases_for, remove_run_labs
from grader.nbgrader_glue.regrade import ScoreChange, score_changes
from grader.nbgrader_glue.report import build_report, read_report, results_in, write_report
from grader.nbgrader_glue.workspace import Workspace, make_kit, restage, stage, tampered


@dataclass
class Graded:
    """One submission's outcome: status (graded / timeout / malformed / error), verdict, scores, report."""

    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    message: str = ""
    report: Path | None = None
    verdict: str = verdict_of.GRADED
    changes: list[ScoreChange] = field(default_factory=list)


@dataclass
class ClassRun:
    """A whole grading run: what was graded, and how long it took."""

    run_id: str
    results: list[Graded] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def failed(self) -> list[Graded]:
        """Submissions the grader could not grade (infrastructure errors, not the learner's)."""
        return [r for r in self.results if r.status == "error"]

    @property
    def changes(self) -> list[ScoreChange]:
        """Scores that moved since the submissions' previous grade, and why."""
        return [c for r in self.results for c in r.changes]


def grade_class(
    assignment: str,
    workers: int = 1,
    student: str | None = None,
    course: CourseRoot | None = None,
    timeout: float = 1800,
    report: Reporter = silent,
) -> ClassRun:
    """Autograde every submission of ``assignment`` (or ``all``) found under ``submitted/``.

    Raises:
        GraderError: nothing to grade, or the gradebook lacks the assignment.
    """
    course = course or CourseRoot.from_env()
    pairs = course.submissions(assignment, student)
    if not pairs:
        who = f" of student {student!r}" if student else ""
        raise GraderError(
            f"No submissions{who} for {assignment!r} under {course.root / 'submitted'}: collect them first "
            "(`nbgrader collect` or copy them to submitted/<student>/<assignment>/)."
        )
    for name in sorted({a for _, a in pairs}):
        merge.require_assignment(course.db_url, name)
    host = ensure_host_engine(report)
    settings = Settings.load()
    provisioning.provision(
        host, sorted({b for _, a in pairs for b in bases_for(a)} | {catalogue.LAB_IMAGE}), report=report
    )
    run = ClassRun(secrets.token_hex(3), workers=max(1, workers))
    work = course.root / ".grading" / run.run_id
    start = time.monotonic()
    report(f"grading {len(pairs)} submission(s) with {run.workers} worker(s), run {run.run_id}")
    pool = ThreadPoolExecutor(max_workers=run.workers, thread_name_prefix="grade")
    pending: dict[Future[LabRun], Workspace] = {}
    stopping = threading.Event()
    previous = _stop_on_sigterm()
    try:
        for index, (who, what) in enumerate(pairs):
            ws = stage(course, work / f"{index:03d}", who, what)
            lab_name = f"{LAB_PREFIX}{run.run_id}-{index:03d}"
            # a kit per submission: one learner who manages to write to their read-only kit changes nobody else's
            kit = make_kit(work / f"{index:03d}.kit", course.source)
            job = (host, settings, lab_name, run.run_id, kit, course, ws, timeout, stopping)
            future = pool.submit(grade_submission, *job)
            pending[future] = ws
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                ws = pending.pop(future)
                graded = record(course, ws, future.result(), run.run_id)
                run.results.append(graded)
                report(f"[{len(run.results)}/{len(pairs)}] {progress_line(graded)}")
    finally:
        stopping.set()
        left = _end_run(host, settings, run.run_id, pool, list(pending))
        if left:
            report(f"removed {len(left)} grading lab(s) of the interrupted run")
        shutil.rmtree(work, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    run.seconds = time.monotonic() - start
    return run


def _end_run(
    host: docker.DockerClient,
    settings: Settings,
    run_id: str,
    pool: ThreadPoolExecutor,
    unfinished: list[Future[LabRun]],
) -> list[str]:
    """Stop the workers and remove every lab of the run; the labs that were still there."""
    pool.shutdown(wait=False, cancel_futures=True)
    # after Ctrl-C, workers may still be inside labs (or starting one): removing the labs ends their runs
    left = remove_run_labs(host, settings, run_id)
    while any(not f.done() for f in unfinished):
        wait(unfinished, timeout=5)
        left += remove_run_labs(host, settings, run_id)
    pool.shutdown(wait=True)
    return left + remove_run_labs(host, settings, run_id)


def _links(folder: str, names: list[str]) -> set[str]:
    """Links the learner made in their folders are not copied (one to / would copy the host's files)."""
    return {n for n in names if os.path.islink(os.path.join(folder, n))}


def _stop_on_sigterm() -> Any:
    """Make SIGTERM end a grading run as Ctrl-C does (its labs removed); the previous handler, to restore."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    return signal.signal(signal.SIGTERM, interrupt)


def grade_submission(
    host: docker.DockerClient,
    settings: Settings,
    lab_name: str,
    run_id: str,
    kit: Path,
    course: CourseRoot,
    ws: Workspace,
    timeout: float,
    stopping: threading.Event | None = None,
) -> LabRun:
    """A worker's job: one submission in a fresh lab, once more in another lab after an infrastructure error.

    Notebooks that are not notebook JSON are a verdict at once (no lab is started).
    """
    malformed = malformed_run(ws)
    if malformed is not None:
        return malformed
    first = autograde_in_lab(host, settings, lab_name, run_id, kit, ws, timeout)
    if first.status != "error" or (stopping is not None and stopping.is_set()):
        return first  # no second lab once the run is being stopped
    second = autograde_in_lab(host, settings, f"{lab_name}-again", run_id, kit, restage(course, ws), timeout)
    second.attempts = 2
    if second.status == "error":
        second.message = f"{first.message}; again in a new lab: {second.message}"
    return second


def malformed_run(ws: Workspace) -> LabRun | None:
    """The verdict of a submission whose notebooks are not notebook JSON (None when they all read)."""
    malformed = verdict_of.malformed_notebooks(ws.path / SUBMITTED / ws.student / ws.assignment)
    return LabRun("malformed", None, "", 0.0, 0.0, f"malformed notebook: {malformed}") if malformed else None


def record(course: CourseRoot, ws: Workspace, lab_run: LabRun, run_id: str = "") -> Graded:
    """The single writer: merge one finished lab run into the gradebook, autograded/ and reports/."""
    graded = Graded(ws.student, ws.assignment, lab_run.status, seconds=lab_run.seconds)
    notebooks_done = ws.autograded.is_dir() and any(ws.autograded.glob("*.ipynb"))
    results: dict[str, dict[str, Any]] = {}
    if lab_run.status == "ran" and tampered(ws):
        lab_run.status, lab_run.message = "error", tampered(ws)
    if lab_run.status == "ran" and notebooks_done:
        try:
            merge.merge_scores(course.db_url, ws.gradebook, ws.assignment, ws.student)
            verdict = verdict_of.from_incidents(verdict_of.read_incidents(ws.incidents), lab_run.disk_full)
            graded.status = "graded"
            target = course.autograded(ws.student, ws.assignment)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ws.autograded, target, ignore=_links)
            results = results_in(target)
        except GraderError as e:
            graded.status, verdict = "error", verdict_of.from_lab("error", str(e))
    elif lab_run.status in ("malformed", "timeout"):
        verdict = verdict_of.from_lab(lab_run.status, lab_run.message)
    else:
        graded.status = "error"
        verdict = verdict_of.from_lab("error", lab_run.message or "nbgrader wrote no graded notebook")
    if graded.status in ("malformed", "timeout"):
        merge.zero_scores(course.db_url, ws.assignment, ws.student)
    elif graded.status == "error":
        # the grader's fault, not the learner's: leave the gradebook as it was and say so
        verdict.message += " (gradebook unchanged; grade again)"
    graded.verdict, graded.message = verdict.reason, verdict.message
    scores = merge.gradebook_scores(course.db_url, ws.assignment, ws.student)
    data = build_report(ws.student, ws.assignment, graded.status, scores, results, lab_run.seconds, graded.message)
    data.update(verdict=verdict.reason, incidents=verdict.incidents, attempts=lab_run.attempts, run=run_id)
    graded.score, graded.max_score = data["score"], data["max_score"]
    path = course.report(ws.student, ws.assignment)
    if graded.status != "error":  # an infrastructure error keeps the gradebook: nothing moved
        graded.changes = score_changes(read_report(path), data)
    data["changes"] = [c.to_json() for c in graded.changes]
    graded.report = write_report(path, data)
    return graded


def progress_line(graded: Graded) -> str:
    """One line per graded submission: who, verdict, score, time, reason."""
    text = f"{graded.student} {graded.assignment}: {graded.verdict} {graded.score:g}/{graded.max_score:g}"
    text += f" ({graded.seconds:.1f} s)"
    return text + (f" - {graded.message}" if graded.message else "")


def summary_table(run: ClassRun) -> str:
    """A plain-text table: student x assignment scores, totals, timing."""
    lines = score_grid(run.results)
    rate = len(run.results) / run.seconds * 60 if run.seconds else 0.0
    lines.append(
        f"{len(run.results)} submission(s) in {run.seconds:.1f} s with {run.workers} worker(s) "
        f"({rate:.1f} per minute); ! = not graded normally (see the reports)"
    )
    return "\n".join(lines)


def score_grid(results: list[Graded]) -> list[str]:
    """The lines of a student x assignment table of scores (``!``: not graded normally, ``-``: no submission)."""
    assignments = sorted({r.assignment for r in results})
    students = sorted({r.student for r in results})
    cell = {(r.student, r.assignment): r for r in results}
    width = max([7, *(len(s) for s in students)])
    cols = [max(len(a), 13) for a in assignments]
    lines = [f"{'student':{width}}  " + "  ".join(f"{a:>{w}}" for a, w in zip(assignments, cols, strict=True))]
    for who in students:
        row = []
        for a, w in zip(assignments, cols, strict=True):
            r = cell.get((who, a))
            text = "-" if r is None else f"{r.score:g}/{r.max_score:g}" + ("" if r.verdict == "graded" else "!")
            row.append(f"{text:>{w}}")
        lines.append(f"{who:{width}}  " + "  ".join(row))
    return lines
