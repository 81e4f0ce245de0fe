"""The per-submission JSON report (exercise -> score, parts) for tools and LMS import.

Scores come from the real gradebook (so a manual grade shows); the parts with
expected / found / hint come from the check cells' structured output in the
autograded notebook.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from grader.checks.result import RESULT_MIME

CHECK_SUFFIX = "-check"


def exercise_of(grade_id: str) -> str:
    """``ch01-ex1-check`` -> ``ch01-ex1``; other grade ids stay as they are."""
    return grade_id[: -len(CHECK_SUFFIX)] if grade_id.endswith(CHECK_SUFFIX) else grade_id


def results_in(folder: Path) -> dict[str, dict[str, Any]]:
    """grade_id -> the check result JSON shown by that graded cell, from executed notebooks."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade"):
                continue
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if RESULT_MIME in data:
                    found[meta["grade_id"]] = dict(data[RESULT_MIME])
    return found


def build_report(
    student: str,
    assignment: str,
    status: str,
    scores: dict[str, dict[str, float | None]],
    results: dict[str, dict[str, Any]],
    seconds: float,
    message: str = "",
) -> dict[str, Any]:
    """The report as a JSON-ready dict (see ``write_report``)."""
    exercises: dict[str, Any] = {}
    for grade_id, score in sorted(scores.items()):
        result = results.get(grade_id, {})
        exercises[exercise_of(grade_id)] = {
            "grade_id": grade_id,
            "score": score["score"],
            "max_score": score["max_score"],
            "auto_score": score["auto_score"],
            "manual_score": score["manual_score"],
            "title": result.get("title", ""),
            "parts": result.get("parts", []),
            **({"error": result["error"]} if result.get("error") else {}),
            **({"version": result["version"]} if result.get("version") else {}),
        }
    return {
        "student": student,
        "assignment": assignment,
        "status": status,
        "message": message,
        "score": round(sum(float(s["score"] or 0) for s in scores.values()), 3),
        "max_score": round(sum(float(s["max_score"] or 0) for s in scores.values()), 3),
        "exercises": exercises,
        "check_versions": {e: d["version"] for e, d in exercises.items() if d.get("version")},
        "seconds": round(seconds, 1),
        "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def read_report(path: Path) -> dict[str, Any] | None:
    """An earlier report (None when there is none, or it cannot be read): what a re-grade compares with."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_report(path: Path, report: dict[str, Any]) -> Path:
    """Write the report atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(path)
    return path
