"""The one writer of a Kubernetes grading run: every Job's result merged into the class gradebook.

``docker-course kubernetes merge OUTDIR`` runs in the instructor's pod after the Jobs of
``OUTDIR/run.json`` ran. Each Job's result folder is a grading workspace, so each goes
through :func:`pipeline.record`, the single writer ``docker-course grade`` uses: automatic
scores into the gradebook (SQLite or PostgreSQL, whatever ``DOCKER_COURSE_GRADEBOOK``
names; clamped; manual grades kept), the graded notebooks into ``autograded/``, the
report into ``reports/``. Who and what a result grades come from ``run.json`` (the
instructor's), never from the result the pod wrote.

Idempotent: ``OUTDIR/merged.json`` keeps a digest of every result merged, and a result
merged before is not merged again (running the merge twice changes nothing). A Job that
wrote no result is reported as missing and changes nothing: merge again once it ran.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from grader.engine.progress import Reporter, silent
from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.grading_job_entry import RESULT, read_result
from grader.nbgrader_glue.grading_jobs import JobEntry, JobsRun
from grader.nbgrader_glue.pipeline import ClassRun, Graded, progress_line, record
from grader.nbgrader_glue.report import read_report
from grader.nbgrader_glue.workspace import Workspace

LEDGER = "merged.json"
MISSING = "missing"
NO_RESULT = "no result"
ALREADY = "already merged"


def merge_results(
    outdir: Path, course: CourseRoot | None = None, grading_dir: Path | None = None, report: Reporter = silent
) -> ClassRun:
    """Merge every result of the run rendered in ``outdir``; one :class:`Graded` per Job.

    ``grading_dir`` is where the grading volume is mounted now (default: where the run was
    staged). A missing result is a ``missing`` entry; an infrastructure error is recorded
    as ``docker-course grade`` records one (gradebook unchanged).

    Raises:
        GraderError: ``outdir`` holds no run, or the gradebook lacks its assignment.
    """
    course = course or CourseRoot.from_env()
    run = JobsRun.read(outdir)
    grading = grading_dir or run.grading_dir
    for name in sorted({j.assignment for j in run.jobs}):
        merge.require_assignment(course.db_url, name)
    ledger = _read_ledger(outdir)
    merged = ClassRun(run.run_id, workers=len(run.jobs))
    start = time.monotonic()
    for entry in run.jobs:
        ws = Workspace(entry.result(grading), entry.student, entry.assignment)
        graded = _merge_one(course, run, entry, ws, ledger, outdir)
        if graded.status != MISSING and graded.message != ALREADY:
            _write_ledger(outdir, ledger)  # after each: an interrupted merge resumes where it stopped
        merged.results.append(graded)
        report(f"[{len(merged.results)}/{len(run.jobs)}] {progress_line(graded)}")
    merged.seconds = time.monotonic() - start
    return merged


def _merge_one(
    course: CourseRoot, run: JobsRun, entry: JobEntry, ws: Workspace, ledger: dict[str, str], outdir: Path
) -> Graded:
    lab_run = read_result(ws.path)
    if lab_run is None:
        return Graded(
            entry.student,
            entry.assignment,
            MISSING,
            verdict=NO_RESULT,
            message=f"the Job {entry.job} wrote no result yet (`kubectl -n {run.namespace} describe job "
            f"{entry.job}`; run it again with `kubectl replace --force -f {outdir / entry.manifest}`); "
            "gradebook unchanged",
        )
    digest = _digest(ws)
    if ledger.get(entry.job) == digest:
        return _already_merged(course, entry)
    graded = record(course, ws, lab_run, run.run_id)
    ledger[entry.job] = digest
    return graded


def _already_merged(course: CourseRoot, entry: JobEntry) -> Graded:
    """The submission as its report says (this very result was merged before)."""
    data = read_report(course.report(entry.student, entry.assignment)) or {}
    return Graded(
        entry.student,
        entry.assignment,
        str(data.get("status", "graded")),
        score=float(data.get("score") or 0),
        max_score=float(data.get("max_score") or 0),
        seconds=float(data.get("seconds") or 0),
        message=ALREADY,
        verdict=str(data.get("verdict", "graded")),
    )


def _digest(ws: Workspace) -> str:
    """What identifies one result: its ``result.json`` and the gradebook beside it."""
    sha = hashlib.sha256()
    for path in (ws.path / RESULT, ws.gradebook):
        sha.update(path.name.encode() + b"\0")
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    sha.update(block)
    return sha.hexdigest()


def _read_ledger(outdir: Path) -> dict[str, str]:
    try:
        data = json.loads((outdir / LEDGER).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_ledger(outdir: Path, ledger: dict[str, str]) -> None:
    tmp = outdir / f".{LEDGER}.tmp"
    tmp.write_text(json.dumps(ledger, indent=1, sort_keys=True) + "\n")
    tmp.replace(outdir / LEDGER)


def merge_summary(run: ClassRun) -> str:
    """The closing line of a merge: how many merged, merged before, missing, failed."""
    missing = [r for r in run.results if r.status == MISSING]
    already = [r for r in run.results if r.message == ALREADY]
    merged = len(run.results) - len(missing) - len(already)
    text = f"{merged} result(s) merged, {len(already)} merged before, {len(missing)} missing"
    text += f", {len(run.failed)} not graded (infrastructure error) in {run.seconds:.1f} s"
    if missing:
        text += "; missing: " + ", ".join(f"{r.student} {r.assignment}" for r in missing) + " (merge again later)"
    return text
