"""Grading as Kubernetes Jobs without a cluster: every rendered Job validates offline against the
Kubernetes API schemas and is a fresh lab pod seeing one submission read-only; the Job's entry point,
run here for a full and a blank submission (nbgrader's autograde replaced by one that leaves an
already-graded private gradebook), never touches the class gradebook; the merge puts the scores in
through the one writer, twice without a change, and reports a missing or failed Job instead of
losing it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from grader import cli
from grader.engine.settings import LAB_SOCKET_IN_LAB
from grader.errors import GraderError
from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.fresh_lab import LabRun
from grader.nbgrader_glue.grading_job_entry import RESULT, grade_submission_here, read_result, write_result
from grader.nbgrader_glue.grading_jobs import LAB_IMAGE, NAMESPACE, JobEntry, JobsRun, job_manifest, render_jobs
from grader.nbgrader_glue.grading_jobs_merge import ALREADY, LEDGER, MISSING, merge_results
from tests.grading_jobs_support import A, already_graded, class_gradebook
from tests.grading_jobs_support import small_course as course_of
from tests.unit.test_kubernetes import DEPLOY, KUBERNETES


@pytest.fixture(autouse=True)
def _no_cell_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_COURSE_CELL_TIMEOUT", raising=False)


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class gradebook made once (nbgrader's alembic run costs seconds), copied by each test."""
    path = tmp_path_factory.mktemp("class") / "gradebook.db"
    class_gradebook(f"sqlite:///{path}")
    return path


def small_course(root: Path, gradebook: Path, students: tuple[str, ...] = ("ann", "ben")) -> CourseRoot:
    root.mkdir(parents=True)
    shutil.copy2(gradebook, root / "gradebook.db")
    return course_of(root, f"sqlite:///{root / 'gradebook.db'}", students)


def _render(tmp_path: Path, course: CourseRoot, student: str | None = None, out: str = "jobs") -> JobsRun:
    return render_jobs(A, tmp_path / out, student=student, course=course, grading_dir=tmp_path / "grading")


def _run_job(run: JobsRun, entry: JobEntry, full: set[str]) -> LabRun:
    kit = run.grading_dir / run.run_id / "kit"
    return grade_submission_here(
        entry.input(run.grading_dir), entry.result(run.grading_dir), kit, entry.student, entry.assignment,
        run.timeout, autograde=already_graded(full),
    )  # fmt: skip


def _total(course: CourseRoot, student: str) -> float:
    return sum(float(s["score"] or 0) for s in merge.gradebook_scores(course.db_url, A, student).values())


def test_every_rendered_job_validates_and_grades_one_submission_in_a_lab(tmp_path: Path, gradebook: Path) -> None:
    """One Job per submission, valid (strict) for Kubernetes, under the labs' runtime, nothing privileged."""
    course = small_course(tmp_path / "root", gradebook)
    run = _render(tmp_path, course)
    assert [(j.student, j.assignment) for j in run.jobs] == [("ann", A), ("ben", A)]
    assert JobsRun.read(tmp_path / "jobs") == run
    (runtime,) = [
        d for d in yaml.safe_load_all((DEPLOY / "00-namespace.yaml").read_text()) if d["kind"] == "RuntimeClass"
    ]
    for entry in run.jobs:
        job = yaml.safe_load((tmp_path / "jobs" / entry.manifest).read_text())
        kubernetes_validate.validate(job, KUBERNETES, strict=True)
        labels = job["metadata"]["labels"]
        assert labels["org.docker-course/student"] == entry.student and labels["org.docker-course/assignment"] == A
        assert labels["org.docker-course/grading-run"] == run.run_id
        spec, pod = job["spec"], job["spec"]["template"]["spec"]
        assert spec["backoffLimit"] == 1 and spec["activeDeadlineSeconds"] > run.timeout
        assert pod["runtimeClassName"] == runtime["metadata"]["name"] and pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        assert "securityContext" not in container and container["resources"]["limits"]["memory"] == "6Gi"
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert mounts["/input"]["readOnly"] and mounts["/kit"]["readOnly"] and not mounts["/result"].get("readOnly")
        assert mounts["/input"]["subPath"] == f"{entry.folder}/input", "a pod mounts its own submission only"
        staged = entry.input(run.grading_dir)
        assert (staged / "submitted" / entry.student / A / "nb.ipynb").is_file()
        assert (staged / "source" / A / "Dockerfile").is_file() and (staged / "gradebook.db").is_file()


def test_a_wrong_job_is_refused_by_the_validator(tmp_path: Path, gradebook: Path) -> None:
    """The validation above can fail: a rendered Job with a misspelt field is an error."""
    run = _render(tmp_path, small_course(tmp_path / "root", gradebook, ("ann",)))
    job = yaml.safe_load((tmp_path / "jobs" / run.jobs[0].manifest).read_text())
    job["spec"]["backofLimit"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES, strict=True)


def test_the_shipped_example_job_is_what_the_renderer_writes() -> None:
    """deploy/kubernetes/30-grading.yaml's Job is a rendered one: the example cannot drift from the code."""
    (shipped,) = [d for d in yaml.safe_load_all((DEPLOY / "30-grading.yaml").read_text()) if d and d["kind"] == "Job"]
    entry = JobEntry("dcgrade-example-000", "ann", "01-dockerfile", "example/000", "000-ann-01-dockerfile.yaml")
    assert shipped == job_manifest(entry, "example", NAMESPACE, LAB_IMAGE, 1800)


def test_jobs_graded_here_merge_into_the_class_gradebook_once(tmp_path: Path, gradebook: Path) -> None:
    """A full and a blank submission: 6/6 and 0/6 through the one writer; a second merge changes nothing."""
    course = small_course(tmp_path / "root", gradebook)
    run = _render(tmp_path, course)
    before = (course.root / "gradebook.db").read_bytes()
    for entry in run.jobs:
        assert _run_job(run, entry, full={"ann"}).status == "ran"
        assert (entry.result(run.grading_dir) / RESULT).is_file()
    assert (course.root / "gradebook.db").read_bytes() == before, "a Job never writes the class gradebook"
    assert merge.gradebook_scores(course.db_url, A, "ann") == {}

    merged = merge_results(tmp_path / "jobs", course=course)
    assert [(r.student, r.status, r.score, r.max_score) for r in merged.results] == [
        ("ann", "graded", 6.0, 6.0),
        ("ben", "graded", 0.0, 6.0),
    ]
    assert _total(course, "ann") == 6 and _total(course, "ben") == 0
    assert (course.autograded("ann", A) / "nb.ipynb").is_file()
    reports = {s: course.report(s, A).read_bytes() for s in ("ann", "ben")}
    assert json.loads(reports["ann"])["run"] == run.run_id
    gradebook = (course.root / "gradebook.db").read_bytes()

    again = merge_results(tmp_path / "jobs", course=course)
    assert [(r.student, r.message, r.score) for r in again.results] == [("ann", ALREADY, 6.0), ("ben", ALREADY, 0.0)]
    assert (course.root / "gradebook.db").read_bytes() == gradebook, "merging twice changes nothing"
    assert {s: course.report(s, A).read_bytes() for s in ("ann", "ben")} == reports


def test_a_manual_grade_survives_a_new_result(tmp_path: Path, gradebook: Path) -> None:
    """A Job run again (a new result) is merged again, keeping the instructor's manual grade."""
    course = small_course(tmp_path / "root", gradebook, ("ann",))
    run = _render(tmp_path, course)
    _run_job(run, run.jobs[0], full={"ann"})
    merge_results(tmp_path / "jobs", course=course)
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        gb.find_grade("ch01-ex1-check", "nb", A, "ann").manual_score = 1.5
        gb.db.commit()
    assert _run_job(run, run.jobs[0], full=set()).attempts == 2, "the Job's second pod counts its attempt"
    (again,) = merge_results(tmp_path / "jobs", course=course).results
    assert again.message != ALREADY and _total(course, "ann") == 1.5


def test_a_missing_or_failed_job_is_reported_not_lost(
    tmp_path: Path, gradebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No result: reported missing, nothing written, exit 2; a failed pod: infrastructure error, gradebook kept."""
    course = small_course(tmp_path / "root", gradebook, ("ann", "ben", "cat"))
    run = _render(tmp_path, course)
    ann, ben, cat = run.jobs
    _run_job(run, ann, full={"ann"})
    failed = LabRun("error", None, "", 3.0, 9.0, "grading pod failed: the lab's engine stopped mid-grade")
    write_result(ben.result(run.grading_dir), failed)
    monkeypatch.setenv("DOCKER_COURSE_NBGRADER_ROOT", str(course.root))
    monkeypatch.setenv("DOCKER_COURSE_SOURCE", str(course.source))
    monkeypatch.setenv("DOCKER_COURSE_GRADEBOOK", course.db_url)

    assert cli.main(["kubernetes", "merge", str(tmp_path / "jobs")]) == cli.EXIT_ERROR
    assert _total(course, "ann") == 6
    assert merge.gradebook_scores(course.db_url, A, "ben") == {}, "an infrastructure error leaves the gradebook"
    assert json.loads(course.report("ben", A).read_text())["verdict"] == "infrastructure error"
    assert merge.gradebook_scores(course.db_url, A, "cat") == {} and not course.report("cat", A).exists()
    assert cat.job not in json.loads((tmp_path / "jobs" / LEDGER).read_text())
    missing = next(r for r in merge_results(tmp_path / "jobs", course=course).results if r.student == "cat")
    assert (
        missing.status == MISSING
        and f"kubectl replace --force -f {tmp_path / 'jobs' / cat.manifest}" in missing.message
    )

    _run_job(run, cat, full=set())
    results = {r.student: r for r in merge_results(tmp_path / "jobs", course=course).results}
    assert results["cat"].status == "graded" and results["cat"].message != ALREADY and _total(course, "cat") == 0
    assert results["ann"].message == ALREADY and results["ben"].status == "error"


def test_a_result_the_pod_forged_is_not_trusted(tmp_path: Path) -> None:
    """A result that is a link, too big or of an unknown status is an error result, never followed."""
    folder = tmp_path / "result"
    folder.mkdir()
    assert read_result(folder) is None
    (tmp_path / "elsewhere.json").write_text(json.dumps({"status": "ran"}))
    (folder / RESULT).symlink_to(tmp_path / "elsewhere.json")
    assert _status(folder) == "error"
    (folder / RESULT).unlink()
    (folder / RESULT).write_text(json.dumps({"status": "full marks", "exit_code": 0}))
    assert _status(folder) == "error"
    (folder / RESULT).write_text("x" * 2_000_000)
    assert _status(folder) == "error"
    write_result(folder, LabRun("timeout", 124, "log", 1.0, 2.0, "stopped"))
    assert _status(folder) == "timeout"


def _status(folder: Path) -> Any:
    found = read_result(folder)
    return found.status if found else None


def test_a_malformed_submission_is_a_verdict_without_grading(tmp_path: Path, gradebook: Path) -> None:
    """As on one server: a submission that is not notebook JSON is judged before nbgrader runs; 0 points."""
    course = small_course(tmp_path / "root", gradebook, ("ann",))
    (course.submitted("ann", A) / "nb.ipynb").write_text("{not json")
    run = _render(tmp_path, course)
    ran: list[str] = []
    entry = run.jobs[0]
    lab_run = grade_submission_here(
        entry.input(run.grading_dir), entry.result(run.grading_dir), run.grading_dir / run.run_id / "kit",
        "ann", A, 60, autograde=already_graded({"ann"}, ran),
    )  # fmt: skip
    assert lab_run.status == "malformed" and ran == []
    (graded,) = merge_results(tmp_path / "jobs", course=course).results
    assert graded.verdict == "malformed notebook" and _total(course, "ann") == 0


def test_rendering_needs_submissions_and_a_new_folder(tmp_path: Path, gradebook: Path) -> None:
    course = small_course(tmp_path / "root", gradebook, ("ann",))
    with pytest.raises(GraderError, match="No submissions"):
        _render(tmp_path, course, student="zed")
    _render(tmp_path, course)
    with pytest.raises(GraderError, match="already holds a grading run"):
        _render(tmp_path, course)
    with pytest.raises(GraderError, match="no grading run"):
        merge_results(tmp_path / "nothing", course=course)


def test_the_commands_render_and_a_pod_without_an_engine_asks_for_another(
    tmp_path: Path, gradebook: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kubernetes grading-jobs` renders; `grade-submission` in a pod whose engine is not there writes an
    infrastructure-error result and exits 1, so the Job's next pod (a fresh lab) grades it again."""
    if Path(LAB_SOCKET_IN_LAB).exists():
        pytest.skip("this machine is a lab: its engine is there")
    course = small_course(tmp_path / "root", gradebook, ("ann",))
    monkeypatch.setenv("DOCKER_COURSE_NBGRADER_ROOT", str(course.root))
    monkeypatch.setenv("DOCKER_COURSE_SOURCE", str(course.source))
    monkeypatch.setenv("DOCKER_COURSE_GRADEBOOK", course.db_url)
    monkeypatch.setenv("DOCKER_COURSE_GRADING_DIR", str(tmp_path / "grading"))
    assert cli.main(["kubernetes", "grading-jobs", A, str(tmp_path / "jobs"), "--timeout", "60"]) == cli.EXIT_OK
    assert f"kubectl apply -f {tmp_path / 'jobs'}" in capsys.readouterr().out
    run = JobsRun.read(tmp_path / "jobs")
    (entry,) = run.jobs
    kit = run.grading_dir / run.run_id / "kit"
    args = ["--input", str(entry.input(run.grading_dir)), "--result", str(entry.result(run.grading_dir))]
    args += ["--kit", str(kit), "--student", "ann", "--assignment", A, "--timeout", "60"]
    assert cli.main(["kubernetes", "grade-submission", *args]) == cli.EXIT_FAILED
    found = read_result(entry.result(run.grading_dir))
    assert found is not None and found.status == "error" and "grading pod failed" in found.message
