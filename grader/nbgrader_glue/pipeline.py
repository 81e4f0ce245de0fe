"""Grade a class: every submission in its own fresh lab, N at a time, one gradebook writer.

Worker threads each stage a workspace and run ``nbgrader autograde`` in a fresh
lab (``fresh_lab``); the calling thread alone merges results into the real
gradebook, copies the autograded notebooks, writes the JSON reports and prints
progress. Ctrl-C removes every lab of the run before returning.
"""

from __future__ import annotations

import secrets
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.engine import catalogue, provisioning
from grader.engine.install import ensure_host_engine
from grader.engine.progress import Reporter, silent
from grader.engine.settings import Settings
from grader.errors import GraderError
from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.fresh_lab import LAB_PREFIX, LabRun, autograde_in_lab, bases_for, remove_run_labs
from grader.nbgrader_glue.report import build_report, results_in, write_report
from grader.nbgrader_glue.workspace import Workspace, make_kit, stage


@dataclass
class Graded:
    """One submission's outcome: status (graded / crashed / timeout / error), scores, report path."""

    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    message: str = ""
    report: Path | None = None


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
    kit = make_kit(work / "kit", course.source)
    start = time.monotonic()
    report(f"grading {len(pairs)} submission(s) with {run.workers} worker(s), run {run.run_id}")
    pool = ThreadPoolExecutor(max_workers=run.workers, thread_name_prefix="grade")
    pending: dict[Future[LabRun], Workspace] = {}
    try:
        for index, (who, what) in enumerate(pairs):
            ws = stage(course, work / f"{index:03d}", who, what)
            lab_name = f"{LAB_PREFIX}{run.run_id}-{index:03d}"
            future = pool.submit(autograde_in_lab, host, settings, lab_name, run.run_id, kit, ws, timeout)
            pending[future] = ws
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                ws = pending.pop(future)
                graded = record(course, ws, future.result())
                run.results.append(graded)
                report(f"[{len(run.results)}/{len(pairs)}] {progress_line(graded)}")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        # after Ctrl-C, workers may still be inside labs: removing the labs ends their runs
        left = remove_run_labs(host, settings, run.run_id)
        pool.shutdown(wait=True)
        left += remove_run_labs(host, settings, run.run_id)
        if left:
            report(f"removed {len(left)} grading lab(s) of the interrupted run")
        shutil.rmtree(work, ignore_errors=True)
    run.seconds = time.monotonic() - start
    return run


def record(course: CourseRoot, ws: Workspace, lab_run: LabRun) -> Graded:
    """The single writer: merge one finished lab run into the gradebook, autograded/ and reports/."""
    graded = Graded(ws.student, ws.assignment, "graded", seconds=lab_run.seconds)
    if lab_run.status == "error":
        # the grader's fault, not the learner's: leave the gradebook as it was and say so
        graded.status, graded.message = "error", lab_run.message + " (gradebook unchanged; grade again)"
        return graded
    notebooks_done = ws.autograded.is_dir() and any(ws.autograded.glob("*.ipynb"))
    if lab_run.status == "ran" and lab_run.exit_code == 0 and notebooks_done:
        try:
            merge.merge_scores(course.db_url, ws.gradebook, ws.assignment, ws.student)
        except GraderError as e:
            graded.status, graded.message = "crashed", str(e)
    else:
        graded.status = "timeout" if lab_run.status == "timeout" else "crashed"
        graded.message = lab_run.message or explain_failure(lab_run.log)
    if graded.status != "graded":
        merge.zero_scores(course.db_url, ws.assignment, ws.student)
    results: dict[str, dict[str, Any]] = {}
    if graded.status == "graded":
        target = course.autograded(ws.student, ws.assignment)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ws.autograded, target)
        results = results_in(target)
    scores = merge.gradebook_scores(course.db_url, ws.assignment, ws.student)
    data = build_report(ws.student, ws.assignment, graded.status, scores, results, lab_run.seconds, graded.message)
    graded.score, graded.max_score = data["score"], data["max_score"]
    graded.report = write_report(course.report(ws.student, ws.assignment), data)
    return graded


def explain_failure(log: str) -> str:
    """One line on why nbgrader could not grade a notebook, from its log."""
    for needle, meaning in (
        ("DeadKernelError", "the notebook's kernel died while running (e.g. os._exit, out of memory)"),
        ("Kernel died", "the notebook's kernel died while running (e.g. os._exit, out of memory)"),
        ("UnresponsiveKernelError", "the notebook's kernel stopped responding"),
        ("NotJSONError", "the submitted notebook is not a valid notebook file"),
        ("Skipping unknown notebook", "the submitted notebook's name does not match the assignment's"),
    ):
        if needle in log:
            return meaning
    lines = [line for line in log.strip().splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else "nbgrader could not execute the notebook").strip()[:300]


def progress_line(graded: Graded) -> str:
    text = f"{graded.student} {graded.assignment}: {graded.status} {graded.score:g}/{graded.max_score:g}"
    text += f" ({graded.seconds:.1f} s)"
    return text + (f" - {graded.message}" if graded.message else "")


def summary_table(run: ClassRun) -> str:
    """A plain-text table: student x assignment scores, totals, timing."""
    assignments = sorted({r.assignment for r in run.results})
    students = sorted({r.student for r in run.results})
    cell = {(r.student, r.assignment): r for r in run.results}
    width = max([7, *(len(s) for s in students)])
    cols = [max(len(a), 13) for a in assignments]
    lines = [f"{'student':{width}}  " + "  ".join(f"{a:>{w}}" for a, w in zip(assignments, cols, strict=True))]
    for who in students:
        row = []
        for a, w in zip(assignments, cols, strict=True):
            r = cell.get((who, a))
            text = "-" if r is None else f"{r.score:g}/{r.max_score:g}" + ("" if r.status == "graded" else "!")
            row.append(f"{text:>{w}}")
        lines.append(f"{who:{width}}  " + "  ".join(row))
    rate = len(run.results) / run.seconds * 60 if run.seconds else 0.0
    lines.append(
        f"{len(run.results)} submission(s) in {run.seconds:.1f} s with {run.workers} worker(s) "
        f"({rate:.1f} per minute); ! = not graded normally (see the reports)"
    )
    return "\n".join(lines)
