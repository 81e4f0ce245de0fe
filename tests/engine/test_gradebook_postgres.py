"""The gradebook on a real PostgreSQL: Debian's server started by the test (a unix socket only), stopped by pid.

The real nbgrader fills the gradebook (``generate_assignment`` of tests/fixtures/01-mini);
a grading lab's private SQLite copy holds the assignment and one student only; the single
writer merges a worker's scores (clamped) and a zero result into PostgreSQL, and the results
of Kubernetes grading Jobs run here; a second ``up`` finds the running server; ``down`` stops
it by its postmaster's pid.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.grading_job_entry import grade_submission_here
from grader.nbgrader_glue.grading_jobs import render_jobs
from grader.nbgrader_glue.grading_jobs_merge import ALREADY, merge_results
from grader.nbgrader_glue.private_gradebook import private_gradebook
from grader.services import gradebook_db
from tests.grading_jobs_support import A as A_JOBS
from tests.grading_jobs_support import already_graded, class_gradebook, small_course
from tests.support import ARTIFACTS, REPO

pytestmark = pytest.mark.engine
A = "01-mini"


@pytest.fixture(scope="module")
def server() -> Iterator[gradebook_db.Server]:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and os.geteuid() != 0:
        pytest.skip("Debian's postgresql is not installed and this user may not install it")
    data = Path(tempfile.mkdtemp(prefix="dc-pg-"))  # /tmp: the postgres user may enter it
    os.chmod(data, 0o755)
    started = gradebook_db.up(data, report=print)
    try:
        yield started
    finally:
        pid = started.pid
        assert gradebook_db.down(data)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        shutil.rmtree(data, ignore_errors=True)


def test_the_single_writer_merges_into_postgresql(server: gradebook_db.Server, tmp_path: Path) -> None:
    assert gradebook_db.up(server.data).pid == server.pid, "a second up must find the running server"
    assert server.url.startswith("postgresql+psycopg2://") and f"host={server.socket_dir}" in server.url
    root = ARTIFACTS / f"pg-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    course = CourseRoot(root, REPO / "tests" / "fixtures", server.url)
    course.nbgrader("generate_assignment", A, "--force")
    with Gradebook(server.url) as gb:
        for name in ("ann", "ben"):
            gb.update_or_create_student(name)
        gb.db.commit()

    copy = tmp_path / "private.db"
    private_gradebook(server.url, copy, "ann")
    with Gradebook(f"sqlite:///{copy}") as gb:
        assert [s.id for s in gb.students] == ["ann"]
        assert [a.name for a in gb.assignments] == [A]
        gb.add_submission(A, "ann")
        for nb in gb.find_submission(A, "ann").notebooks:
            for grade in nb.grades:
                grade.auto_score = 99 if grade.name.endswith("ex1-check") else 3  # out of range: clamped
        gb.db.commit()

    merged = merge.merge_scores(server.url, copy, A, "ann")
    assert {k: v for k, v in merged.items() if k.endswith("-check")} == {
        "ch01-ex1-check": 3.0,
        "ch01-ex2-check": 3.0,
        "ch01-ex3-check": 3.0,
    }
    merge.zero_scores(server.url, A, "ben")
    ann = merge.gradebook_scores(server.url, A, "ann")
    ben = merge.gradebook_scores(server.url, A, "ben")
    assert sum(v["score"] or 0 for k, v in ann.items() if k.endswith("-check")) == 9
    assert ben and all(v["score"] == 0 for v in ben.values())
    shutil.rmtree(root, ignore_errors=True)


def test_kubernetes_grading_jobs_merge_into_postgresql(server: gradebook_db.Server, tmp_path: Path) -> None:
    """Grading Jobs staged from PostgreSQL (each a private SQLite gradebook), graded here (a full and a
    blank submission, nbgrader's autograde replaced), merged into PostgreSQL by the one writer, twice."""
    course = small_course(tmp_path / "root", class_gradebook(server.url))
    run = render_jobs(A_JOBS, tmp_path / "jobs", course=course, grading_dir=tmp_path / "grading")
    for entry in run.jobs:
        staged = f"sqlite:///{entry.input(run.grading_dir) / 'gradebook.db'}"
        with Gradebook(staged) as gb:
            assert [s.id for s in gb.students] == [entry.student], "a Job's gradebook knows its student only"
        kit = run.grading_dir / run.run_id / "kit"
        result = entry.result(run.grading_dir)
        lab_run = grade_submission_here(
            entry.input(run.grading_dir), result, kit, entry.student, A_JOBS, 60, autograde=already_graded({"ann"})
        )
        assert lab_run.status == "ran"
    first = merge_results(tmp_path / "jobs", course=course)
    assert [(r.student, r.score, r.max_score) for r in first.results] == [("ann", 6.0, 6.0), ("ben", 0.0, 6.0)]
    again = merge_results(tmp_path / "jobs", course=course)
    assert all(r.message == ALREADY for r in again.results)
    totals = {
        s: sum(v["score"] or 0 for v in merge.gradebook_scores(server.url, A_JOBS, s).values()) for s in ("ann", "ben")
    }
    assert totals == {"ann": 6, "ben": 0}
