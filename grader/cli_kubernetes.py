"""``docker-course kubernetes grading-jobs | merge | grade-submission``: grading a class as Kubernetes Jobs.

Part of the command line (``grader/cli.py`` adds them): parses, calls
:mod:`grader.nbgrader_glue.grading_jobs` (render), :mod:`~grader.nbgrader_glue.grading_job_entry`
(the Job's pod) and :mod:`~grader.nbgrader_glue.grading_jobs_merge` (the one writer), prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def cmd_grading_jobs(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.nbgrader_glue.grading_jobs import render_jobs

    run = render_jobs(
        args.assignment,
        args.outdir,
        student=args.student,
        grading_dir=args.grading_dir,
        timeout=args.timeout,
        image=args.image,
        namespace=args.namespace,
        report=console("kubernetes"),
    )
    staged = run.grading_dir / run.run_id
    print(f"{len(run.jobs)} grading Job(s) of run {run.run_id} in {args.outdir}, staged in {staged}")
    print(f"next: kubectl apply -f {args.outdir}; when they finished: docker-course kubernetes merge {args.outdir}")
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.nbgrader_glue.grading_jobs_merge import MISSING, merge_results, merge_summary
    from grader.nbgrader_glue.pipeline import score_grid
    from grader.nbgrader_glue.regrade import changes_summary

    run = merge_results(args.outdir, grading_dir=args.grading_dir, report=console("merge"))
    print("\n".join(score_grid(run.results)))
    print(merge_summary(run))
    if run.changes:
        print(changes_summary(run.changes))
    return EXIT_ERROR if run.failed or any(r.status == MISSING for r in run.results) else EXIT_OK


def cmd_grade_submission(args: argparse.Namespace) -> int:
    from grader.nbgrader_glue.grading_job_entry import grade_submission_here

    lab_run = grade_submission_here(args.input, args.result, args.kit, args.student, args.assignment, args.timeout)
    print(f"{args.student} {args.assignment}: {lab_run.status} in {lab_run.seconds:.1f} s {lab_run.message}".strip())
    if lab_run.status == "error":
        print(lab_run.log[-2000:], file=sys.stderr)
        return EXIT_FAILED  # the Job's next pod (backoffLimit) grades it again in a fresh lab
    return EXIT_OK


def add_kubernetes_commands(sub: Any) -> None:
    """Add ``kubernetes grading-jobs|merge|grade-submission`` to the ``docker-course`` subcommands."""
    from grader.nbgrader_glue.grading_jobs import LAB_IMAGE, NAMESPACE

    k8s = sub.add_parser("kubernetes", help="grade a class as Kubernetes Jobs: grading-jobs | merge")
    k8s_sub = k8s.add_subparsers(dest="action", required=True)
    jobs = k8s_sub.add_parser("grading-jobs", help="stage each submission and write one grading Job manifest each")
    jobs.add_argument("assignment", help="an assignment (e.g. 01-dockerfile) or all")
    jobs.add_argument("outdir", type=Path, help="a new folder for the Job manifests and run.json")
    jobs.add_argument("--student", help="only this student")
    jobs.add_argument("--timeout", type=float, default=1800, help="seconds per submission (default 1800)")
    _grading_dir(jobs)
    jobs.add_argument("--image", default=LAB_IMAGE, help=f"the lab image in your registry (default {LAB_IMAGE})")
    jobs.add_argument("--namespace", default=NAMESPACE, help=f"the class's namespace (default {NAMESPACE})")
    jobs.set_defaults(func=cmd_grading_jobs)
    merge = k8s_sub.add_parser("merge", help="merge the Jobs' results into the class gradebook (one writer)")
    merge.add_argument("outdir", type=Path, help="the folder grading-jobs wrote")
    _grading_dir(merge, "(default: where the run was staged)")
    merge.set_defaults(func=cmd_merge)
    one = k8s_sub.add_parser("grade-submission", help="(run by a grading Job's pod) grade one staged submission here")
    for name in ("input", "result", "kit"):
        one.add_argument(f"--{name}", type=Path, required=True)
    one.add_argument("--student", required=True)
    one.add_argument("--assignment", required=True)
    one.add_argument("--timeout", type=float, default=1800)
    one.set_defaults(func=cmd_grade_submission)


def _grading_dir(p: argparse.ArgumentParser, default: str = "(default $DOCKER_COURSE_GRADING_DIR or /grading)") -> None:
    p.add_argument("--grading-dir", type=Path, help=f"where the grading volume is mounted {default}")
