"""The check-cell helper follows nbgrader's scoring rule: error at 0, number when partial,
nothing when passed; and it reads answer variables from the notebook namespace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader import notebook
from grader.checks.result import CheckResult, Part
from grader.services import checking, progress


def fake_result(points: list[tuple[float, float]]) -> CheckResult:
    return CheckResult(
        "ch01-ex1", "t", [Part(f"p{i}", got == mx, got, mx, "e", "f", "the hint") for i, (got, mx) in enumerate(points)]
    )


@pytest.fixture(autouse=True)
def progress_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Checks record progress: into a file of the test's own, never the learner's."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv(progress.PROGRESS_ENV, str(path))
    return path


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[CheckResult]:
    seen: list[CheckResult] = []
    monkeypatch.setattr(notebook, "show", seen.append)
    return seen


def test_full_marks_returns_none(monkeypatch: pytest.MonkeyPatch, shown: list[CheckResult]) -> None:
    monkeypatch.setattr(checking, "run_exercise", lambda i, a: fake_result([(1, 1), (2, 2)]))
    assert notebook.check("ch01-ex1") is None
    assert len(shown) == 1
    assert progress.load()["ch01-ex1"]["via"] == "notebook"


def test_partial_returns_score(monkeypatch: pytest.MonkeyPatch, shown: list[CheckResult]) -> None:
    monkeypatch.setattr(checking, "run_exercise", lambda i, a: fake_result([(1, 1), (0, 2)]))
    assert notebook.check("ch01-ex1") == 1


def test_zero_raises_one_line(monkeypatch: pytest.MonkeyPatch, shown: list[CheckResult]) -> None:
    monkeypatch.setattr(checking, "run_exercise", lambda i, a: fake_result([(0, 1)]))
    with pytest.raises(notebook.CheckFailed) as exc:
        notebook.check("ch01-ex1")
    rendered = exc.value._render_traceback_()
    assert len(rendered) == 1 and "0/1 points" in rendered[0] and "the hint" in rendered[0]


def test_answers_come_from_notebook_namespace(monkeypatch: pytest.MonkeyPatch, shown: list[CheckResult]) -> None:
    class Exercise:
        answers = ("bridge_subnet",)

    seen: dict[str, Any] = {}
    monkeypatch.setattr(checking, "get", lambda i: Exercise())
    monkeypatch.setattr(checking, "_kernel_namespace", lambda: {"bridge_subnet": "172.17.0.0/16", "other": 1})

    def run(exercise_id: str, answers: dict[str, Any]) -> CheckResult:
        seen.update(answers)
        return fake_result([(1, 1)])

    monkeypatch.setattr(checking, "run_exercise", run)
    notebook.check("ch03-ex1")
    assert seen == {"bridge_subnet": "172.17.0.0/16"}
