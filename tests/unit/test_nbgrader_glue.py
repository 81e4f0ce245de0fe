"""The class grader's pure parts: gradebook merge (single writer, manual grades kept), reports,
hidden-test policy rendering, failure explanations, the summary table, submission discovery."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbgrader.api import Gradebook

from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot, ensure_alembic_on_path
from grader.nbgrader_glue.fresh_lab import last_error, malformed_in_log
from grader.nbgrader_glue.hidden_policy import HiddenTestPolicy, render
from grader.nbgrader_glue.pipeline import ClassRun, Graded, summary_table
from grader.nbgrader_glue.report import build_report, exercise_of
from grader.notebook import RESULT_MIME

RESULT = {
    "exercise": "ch01-ex3",
    "title": "ARG vs ENV",
    "score": 1,
    "max_score": 3,
    "passed": False,
    "parts": [
        {
            "name": "label <b>",
            "passed": False,
            "points": 0,
            "max_points": 1,
            "expected": "2.0",
            "found": "1.0",
            "hint": "use --build-arg",
        },
        {"name": "env", "passed": True, "points": 1, "max_points": 1, "expected": "", "found": "", "hint": ""},
    ],
}


def _gradebook(path: Path, students: tuple[str, ...] = ("ann",)) -> str:
    ensure_alembic_on_path()
    url = f"sqlite:///{path}"
    with Gradebook(url) as gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        for name in ("ex1-check", "ex2-check"):
            gb.add_grade_cell(name, "nb", "a1", max_score=3, cell_type="code")
        for student in students:
            gb.add_student(student)
    return url


def test_merge_copies_auto_scores_and_keeps_manual_grades(tmp_path: Path) -> None:
    """Only auto scores move; an instructor's manual grade survives any number of merges."""
    main = _gradebook(tmp_path / "main.db")
    worker = _gradebook(tmp_path / "worker.db")
    with Gradebook(worker) as gb:
        gb.add_submission("a1", "ann")
        for name, score in (("ex1-check", 3), ("ex2-check", 1)):
            gb.find_grade(name, "nb", "a1", "ann").auto_score = score
        gb.db.commit()
    merge.merge_scores(main, tmp_path / "worker.db", "a1", "ann")
    with Gradebook(main) as gb:
        gb.find_grade("ex2-check", "nb", "a1", "ann").manual_score = 2.5
        gb.db.commit()
    merge.merge_scores(main, tmp_path / "worker.db", "a1", "ann")
    scores = merge.gradebook_scores(main, "a1", "ann")
    assert scores["ex1-check"]["score"] == 3
    assert scores["ex2-check"] == {"score": 2.5, "auto_score": 1, "manual_score": 2.5, "max_score": 3}


def test_merge_takes_only_scores_in_range(tmp_path: Path) -> None:
    """A worker gradebook tampered with from the lab cannot give more than the main gradebook's maximum."""
    main = _gradebook(tmp_path / "main.db")
    worker = _gradebook(tmp_path / "worker.db")
    with Gradebook(worker) as gb:
        gb.add_submission("a1", "ann")
        for name, score in (("ex1-check", 300), ("ex2-check", -5)):
            gb.find_grade(name, "nb", "a1", "ann").auto_score = score
        gb.db.commit()
    assert merge.merge_scores(main, tmp_path / "worker.db", "a1", "ann") == {"ex1-check": 3, "ex2-check": 0}


def test_merge_without_a_submission_and_missing_assignment_are_clear_errors(tmp_path: Path) -> None:
    main = _gradebook(tmp_path / "main.db")
    _gradebook(tmp_path / "worker.db")
    with pytest.raises(merge.GradebookError, match="no submission"):
        merge.merge_scores(main, tmp_path / "worker.db", "a1", "ann")
    with pytest.raises(merge.GradebookError, match="generate_assignment a9"):
        merge.require_assignment(main, "a9")


def test_zero_scores_records_zero_for_every_cell(tmp_path: Path) -> None:
    main = _gradebook(tmp_path / "main.db")
    assert merge.zero_scores(main, "a1", "bob") == {"ex1-check": 0.0, "ex2-check": 0.0}


def test_report_totals_and_exercise_ids() -> None:
    scores = {"ch01-ex3-check": {"score": 1.0, "auto_score": 1.0, "manual_score": None, "max_score": 3.0}}
    report = build_report("ann", "01", "graded", scores, {"ch01-ex3-check": RESULT}, 12.34)
    assert exercise_of("ch01-ex3-check") == "ch01-ex3"
    assert report["score"] == 1 and report["max_score"] == 3 and report["seconds"] == 12.3
    assert report["exercises"]["ch01-ex3"]["parts"][0]["hint"] == "use --build-arg"


def test_render_policies_escape_and_hide() -> None:
    """score shows no parts, hint shows hints but not expected/found, full shows all; all escaped."""
    score, hint, full = (render(RESULT, p) for p in ("score", "hint", "full"))
    assert "1/3 points" in score and "label" not in score
    assert "use --build-arg" in hint and "expected:" not in hint and "label &lt;b&gt;" in hint
    assert "expected:" in full and "<b>" not in full.replace("<b>expected:</b>", "").replace(
        "<b>found:</b>", ""
    ).replace("<b>hint:</b>", "")


def test_preprocessor_rewrites_only_hidden_cells() -> None:
    def cell(source: str) -> NotebookNode:
        return NotebookNode(
            cell_type="code",
            source=source,
            metadata={"nbgrader": {"grade": True, "grade_id": "ch01-ex3-check"}},
            outputs=[
                NotebookNode(output_type="display_data", data={"text/html": "x", RESULT_MIME: RESULT}, metadata={}),
                NotebookNode(output_type="error", ename="CheckFailed", evalue="found 1.0", traceback=["found 1.0"]),
            ],
        )

    policy = HiddenTestPolicy(policy="score")
    hidden, _ = policy.preprocess_cell(cell('### BEGIN HIDDEN TESTS\ncheck("ch01-ex3")\n### END HIDDEN TESTS'), {}, 0)
    assert "check(" not in hidden.source and "found 1.0" not in str(hidden.outputs)
    visible, _ = policy.preprocess_cell(cell('check("ch01-ex3")'), {}, 0)
    assert "found 1.0" in str(visible.outputs)


def test_nbgrader_failures_are_told_apart() -> None:
    """A log that says the notebook is not JSON is the learner's (malformed); other failures are ours."""
    assert malformed_in_log("NotJSONError: Notebook does not appear to be JSON").startswith("malformed notebook")
    assert malformed_in_log("[AutogradeApp | ERROR] There was an error processing assignment") == ""
    assert last_error("INFO x\n[AutogradeApp | ERROR] boom\n") == "[AutogradeApp | ERROR] boom"


def test_summary_table_marks_ungraded_submissions() -> None:
    bob = Graded("bob", "01", "timeout", 0, 9, verdict="timeout")
    run = ClassRun("r1", [Graded("ann", "01", "graded", 9, 9), bob], 60.0, 2)
    table = summary_table(run)
    assert "ann" in table and "9/9" in table and "0/9!" in table
    assert "2 submission(s) in 60.0 s with 2 worker(s) (2.0 per minute)" in table


def test_submissions_are_found_as_nbgrader_lays_them_out(tmp_path: Path) -> None:
    for student, assignment in (("ann", "01-a"), ("bob", "01-a"), ("bob", "02-b")):
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / "x.ipynb").write_text("{}")
    (tmp_path / "submitted" / "cid" / "01-a").mkdir(parents=True)  # no notebook: not a submission
    course = CourseRoot(tmp_path, tmp_path / "source", "sqlite://")
    assert course.submissions("all") == [("ann", "01-a"), ("bob", "01-a"), ("bob", "02-b")]
    assert course.submissions("01-a", "bob") == [("bob", "01-a")]
