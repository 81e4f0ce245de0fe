"""Feedback for learners: nbgrader's own HTML per notebook, plus a one-page summary per submission.

``nbgrader generate_feedback`` runs with the course config, whose
``HiddenTestPolicy`` preprocessor applies the chosen policy to hidden tests; the
summary page (``feedback/<student>/<assignment>/summary.html``) lists each
exercise's parts with expected / found / hint from the JSON report, by the same
policy for hidden tests.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat

from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.hidden_policy import POLICIES, is_hidden, render


def hidden_grade_ids(folder: Path) -> set[str]:
    """grade_ids of hidden check cells in the autograded notebooks of one submission."""
    ids = set()
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if is_hidden(cell):
                ids.add(cell.metadata["nbgrader"]["grade_id"])
    return ids


def summary_page(report: dict, hidden: set[str], policy: str) -> str:
    """The summary page of one submission (escaped HTML)."""
    e = html.escape
    blocks = []
    for exercise, data in report["exercises"].items():
        result = {
            "exercise": exercise,
            "title": data.get("title", ""),
            "score": data["score"],
            "max_score": data["max_score"],
            "passed": data["score"] >= data["max_score"] > 0,
            "parts": data.get("parts", []),
            "error": data.get("error", ""),
            "version": data.get("version", 0),
        }
        blocks.append(render(result, policy if data["grade_id"] in hidden else "full"))
        blocks += [
            f"<p class='course-change'><small>Changed at this grade: {change['old_score']:g} -&gt; "
            f"{change['new_score']:g} points ({e(change['why'])})</small></p>"
            for change in report.get("changes") or []
            if change.get("exercise") == exercise
        ]
    # every submission says how it was graded (graded, timeout, kernel died at cell N, ...), and why
    verdict = report.get("verdict") or report.get("status") or ""
    why = f": {e(report['message'])}" if report.get("message") else ""
    note = f"<p class='verdict'>Verdict: <b>{e(verdict)}</b>{why}</p>" if verdict or why else ""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{e(report['assignment'])}: {e(report['student'])}</title></head>"
        "<body style='font-family:sans-serif;max-width:60em;margin:2em auto'>"
        f"<h1>{e(report['assignment'])}</h1><p>{e(report['student'])}: "
        f"<b>{report['score']:g}/{report['max_score']:g}</b> points</p>{note}{''.join(blocks)}</body></html>"
    )


def nothing_to_feed_back(assignment: str, student: str | None = None, course: CourseRoot | None = None) -> str:
    """Why ``generate_feedback`` wrote nothing: the reports folder it looked in and what to run first."""
    course = course or CourseRoot.from_env()
    names = course.assignments() if assignment == "all" else [assignment]
    where = course.root / "reports" / (assignment if assignment != "all" else "")
    who = f" of student {student}" if student else ""
    if not names:
        return f"No assignment under {course.source}, so there is no feedback to write."
    return (
        f"No graded submission{who} of {assignment} (reports are read from {where}): "
        f"grade first with `docker-course grade {assignment}`, then run feedback again."
    )


def generate_feedback(
    assignment: str, policy: str = "hint", student: str | None = None, course: CourseRoot | None = None
) -> list[Path]:
    """Write feedback for graded submissions of ``assignment`` (or ``all``); returns the summary pages."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    course = course or CourseRoot.from_env()
    names = course.assignments() if assignment == "all" else [assignment]
    written = []
    for name in names:
        reports = sorted((course.root / "reports" / name).glob("*.json"))
        reports = [r for r in reports if student is None or r.stem == student]
        if not reports:
            continue
        args = ["generate_feedback", name, "--force", f"--HiddenTestPolicy.policy={policy}"]
        course.nbgrader(*args, *(["--student", student] if student else []))
        for path in reports:
            data = json.loads(path.read_text())
            target = course.root / "feedback" / data["student"] / name / "summary.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            hidden = hidden_grade_ids(course.autograded(data["student"], name))
            target.write_text(summary_page(data, hidden, policy))
            written.append(target)
    return written
