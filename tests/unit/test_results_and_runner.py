"""CheckResult rendering (text, escaped HTML, JSON contract) and the runner's failure paths."""

from __future__ import annotations

import json

import pytest

from grader.chapters.runner import run_exercise
from grader.checks.result import CheckResult, Part
from grader.cli import main


def sample() -> CheckResult:
    return CheckResult(
        "ch01-ex1",
        "base",
        [
            Part("label <b>", False, 0, 1, "maintainer=<x>", "none & more", "Add <script>alert(1)</script>"),
            Part("exists", True, 2, 2, "image", "image abc"),
        ],
    )


def test_json_contract_keys() -> None:
    data = sample().to_json()
    assert {"exercise", "score", "max_score", "passed", "parts"} <= set(data)
    assert data["score"] == 2 and data["max_score"] == 3 and data["passed"] is False
    assert {"name", "passed", "points", "expected", "found", "hint"} <= set(data["parts"][0])


def test_html_is_escaped() -> None:
    html = sample().to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html


def test_text_lists_expected_found_hint_for_failures_only() -> None:
    text = sample().to_text()
    assert "expected: maintainer=<x>" in text and "hint:" in text and text.count("expected:") == 1


def test_unknown_exercise_is_a_clear_error() -> None:
    result = run_exercise("ch09-ex1")
    assert result.score == 0 and "not an exercise" in result.error and not result.parts


def test_no_engine_is_zero_points_with_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    result = run_exercise("ch01-ex1")
    assert result.score == 0 and "does not answer" in result.error
    assert len(result.parts) == 3 and not any(p.passed for p in result.parts)


def test_cli_check_exit_codes_and_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["check", "ch01-ex1", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["exercise"] == "ch01-ex1" and data["score"] == 0 and "error" in data
    assert main(["check", "nope"]) == 2
    assert "not an exercise" in capsys.readouterr().out


def test_cli_answer_needs_name_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "ch03-ex1", "--answer", "novalue"])
    assert exc.value.code == 2
    assert "NAME=VALUE" in capsys.readouterr().err
