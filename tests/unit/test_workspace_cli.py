"""The workspace commands: update, workspace, solution, hint; bad input is one sentence and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from grader.services import answers, progress
from grader.workspace import service
from grader.workspace.student_version import StudentVersion
from tests.unit.test_workspace_merge import chapter_v1
from tests.unit.test_workspace_update import version


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(tmp_path / "work"))
    monkeypatch.setenv(progress.PROGRESS_ENV, str(tmp_path / "progress.json"))
    fake = {"01-dockerfile": version(tmp_path, "v1", chapter_v1())}

    def versions(source: Any = None, names: Any = None, report: Any = None) -> dict[str, StudentVersion]:
        return fake

    monkeypatch.setattr(service, "student_versions", versions)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_update_then_workspace(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "update")
    assert code == 0 and "01-dockerfile: made from the course" in out
    code, out, _ = run(capsys, "update", "--json")
    assert code == 0 and json.loads(out)["changes"] == []
    code, out, _ = run(capsys, "workspace", "--json")
    info = json.loads(out)
    assert info["path"] == str(env / "work") and info["exists"] is True
    assert [f["name"] for f in info["folders"]] == ["01-dockerfile"]
    assert info["folders"][0]["present"] == ["01-dockerfile.ipynb"]


def test_update_reports_a_broken_notebook_and_exits_1(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "update")
    (env / "work" / "01-dockerfile" / "01-dockerfile.ipynb").write_text("{not json")
    code, out, _ = run(capsys, "update")
    assert code == 1 and "is not a valid notebook" in out


@pytest.mark.parametrize("where", ["file", "inside-checkout"])
def test_an_unusable_workspace_is_one_sentence_and_exit_2(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from grader.engine.settings import repo_root

    target = env / "a-file" if where == "file" else repo_root() / "my-work"
    (env / "a-file").write_text("x")
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(target))
    code, out, err = run(capsys, "update")
    assert code == 2 and out == ""
    assert err.startswith("docker-course: The workspace") and err.count("\n") == 1
    assert not (repo_root() / "my-work").exists()


def test_solution_unknown_id_is_exit_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "solution", "ch01-ex99", "--yes")
    assert code == 2 and "is not an exercise of the course" in err


def test_solution_is_shown_and_recorded(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "solution", "ch01-ex1")  # stdin is not a terminal: no question
    assert code == 0 and 'LABEL maintainer="learner@example.com"' in out and "BEGIN SOLUTION" not in out
    assert progress.views()["ch01-ex1"]["solution"] is True


def test_hints_come_one_more_at_a_time_and_are_recorded(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answers, "hints", lambda exercise, source=None: ["first", "second"])
    _, out, _ = run(capsys, "hint", "ch01-ex2")
    assert out.strip() == "Hint 1 of 2 for ch01-ex2: first"
    _, out, _ = run(capsys, "hint", "ch01-ex2")
    assert "Hint 2 of 2 for ch01-ex2: second" in out and "That was the last hint" in out
    _, out, _ = run(capsys, "hint", "ch01-ex2", "--json")
    assert json.loads(out) == {"exercise": "ch01-ex2", "shown": ["first", "second"], "total": 2}
    assert progress.views()["ch01-ex2"]["hints"] == 2


def test_views_and_check_results_share_the_progress_file(env: Path) -> None:
    """Recording a check keeps the views, and the other way round."""
    from grader.checks.result import CheckResult, Part

    progress.record_view("ch01-ex1", hints=1)
    progress.record(CheckResult("ch01-ex1", "t", [Part("p", True, 1.0, 1.0, "e", "f")]))
    progress.record_view("ch01-ex1", solution=True)
    assert progress.load()["ch01-ex1"]["passed"] is True
    assert progress.views()["ch01-ex1"] | {"at": ""} == {"hints": 1, "solution": True, "at": ""}


def test_landing_page_shows_the_views_and_serves_the_workspace(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.widgets.landing import chapters_html, served_folder

    cli.main(["update"])
    assert served_folder() == env / "work"
    progress.record_view("ch01-ex2", hints=2)
    progress.record_view("ch01-ex7", solution=True)
    page = chapters_html()
    assert "hints seen: ch01-ex2 (2); solutions seen: ch01-ex7." in page
    assert "href='../01-dockerfile/01-dockerfile.ipynb'" in page
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(env / "never-made"))
    assert served_folder().name == "course"


def test_inside_a_lab_update_says_to_run_it_on_the_computer(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_COURSE_IN_LAB", "1")
    code, out, err = run(capsys, "update")
    assert code == 2 and "runs on your computer, not in the lab" in err


@pytest.mark.parametrize("argv", [["hint", "ch01-ex1"], ["solution", "ch01-ex1", "--yes"]])
def test_inside_a_lab_without_the_channel_hint_and_solution_say_what_to_start(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """In a lab the answer key is asked for through the channel; with no server there, one sentence, exit 2."""
    monkeypatch.setenv("DOCKER_COURSE_IN_LAB", "1")
    monkeypatch.setattr("grader.services.channel.lab_socket", lambda: env / "no-such.sock")
    code, out, err = run(capsys, *argv)
    assert code == 2 and "does not answer this lab" in err and "Solution" not in out
    assert progress.views() == {}


def test_unwritable_state_or_cache_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kit (state folder) and the student versions (cache) say which folder, never a traceback."""
    from grader.errors import ConfigError
    from grader.workspace.lab_kit import learner_kit
    from grader.workspace.student_version import student_versions

    monkeypatch.setenv("DOCKER_COURSE_STATE", "/proc/docker-course-not-writable")
    with pytest.raises(ConfigError, match="state folder"):
        learner_kit()
    monkeypatch.setenv("DOCKER_COURSE_CACHE", "/proc/docker-course-not-writable")
    with pytest.raises(ConfigError, match="cache folder"):
        student_versions(names=["01-dockerfile"])


def test_uninstall_asks_first_and_refuses_in_a_lab(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --yes and no terminal nothing is done (exit 1); inside a lab it is one sentence (exit 2)."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(env / "state"))
    (env / "state").mkdir()
    code, out, _ = run(capsys, "uninstall")
    assert code == 1 and "Your workspace is kept." in out and "Nothing done: confirm with --yes." in out
    assert (env / "state").is_dir()
    monkeypatch.setenv("DOCKER_COURSE_IN_LAB", "1")
    code, _, err = run(capsys, "uninstall", "--yes")
    assert code == 2 and "runs on your computer, not in the lab" in err


def test_nbgraders_fetched_assignments_in_the_workspace_never_collide_with_its_chapters(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A class's fetched copy (WORKSPACE/class/ASSIGNMENT, nbgrader's fetch in a hub lab) is left alone by updates."""
    run(capsys, "update")
    fetched = env / "work" / "class" / "01-dockerfile" / "01-dockerfile.ipynb"
    fetched.parent.mkdir(parents=True)
    fetched.write_text('{"fetched": true}')
    code, out, _ = run(capsys, "update")
    assert code == 0 and "class" not in out and fetched.read_text() == '{"fetched": true}'
    code, out, _ = run(capsys, "workspace", "--json")
    assert [f["name"] for f in json.loads(out)["folders"]] == ["01-dockerfile"]
