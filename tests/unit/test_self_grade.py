"""Grade my chapter without an engine: what is copied out of the workspace, the result's views, the channel's
grade request (one at a time, validated), the panel."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from grader.errors import GraderError
from grader.services import channel
from grader.services.channel_server import ChapterGrading, answer, handlers_for
from grader.services.self_grade import ChapterGrade, _copy_out, grade_my_chapter
from grader.workspace.safe_fs import SafeTree

REPORT: dict[str, Any] = {
    "score": 5.0,
    "max_score": 6.0,
    "verdict": "graded",
    "exercises": {
        "ch01-ex1": {"score": 2, "max_score": 3, "title": "<b>labels</b>", "parts": [
            {"name": "label", "passed": False, "expected": "maintainer", "found": "<none>", "hint": "LABEL m=..."}]},
        "ch01-ex2": {"score": 3, "max_score": 3, "title": "motd", "parts": [{"name": "motd", "passed": True}]},
    },
}  # fmt: skip


def test_the_chapter_is_copied_without_links_or_checkpoints(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "01-dockerfile" / "ex1").mkdir(parents=True)
    (work / "01-dockerfile" / "01-dockerfile.ipynb").write_text("{}")
    (work / "01-dockerfile" / "ex1" / "Dockerfile").write_text("FROM busybox\n")
    (work / "01-dockerfile" / ".ipynb_checkpoints").mkdir()
    (work / "01-dockerfile" / "secret").symlink_to("/etc/hostname")
    (work / "01-dockerfile" / "root").symlink_to("/")
    target = tmp_path / "out"
    _copy_out(SafeTree(work), PurePosixPath("01-dockerfile"), target, [1 << 20])
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == [
        "01-dockerfile.ipynb",
        "ex1",
        "ex1/Dockerfile",
    ]
    with pytest.raises(GraderError, match="more than"):
        _copy_out(SafeTree(work), PurePosixPath("01-dockerfile"), tmp_path / "small", [4])


def test_the_result_reads_as_text_and_escaped_html() -> None:
    graded = ChapterGrade("01", "01-dockerfile", REPORT, "/w/grades/01-dockerfile.html")
    text = graded.to_text()
    assert "5/6 points" in text and "ch01-ex1   2/3" in text and "hint: LABEL m=..." in text
    assert "motd" not in text.split("ch01-ex2")[1]  # passed parts are not listed
    page = graded.to_html()
    assert "&lt;b&gt;labels&lt;/b&gt;" in page and "&lt;none&gt;" in page and "hidden tests" in page
    assert ChapterGrade.from_json(graded.to_json()) == graded


def test_unknown_chapters_and_a_missing_folder_are_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(tmp_path / "work"))
    (tmp_path / "work").mkdir()
    with pytest.raises(GraderError, match="is not a chapter"):
        grade_my_chapter("42")
    with pytest.raises(GraderError, match="has no folder 01-dockerfile"):
        grade_my_chapter("01")


def test_in_a_lab_the_chapter_is_graded_through_the_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []

    def request(op: str, timeout: float = 0, **args: str) -> dict[str, Any]:
        asked.append((op, args))
        return ChapterGrade("02", "02-ports", REPORT).to_json()

    monkeypatch.setenv("DOCKER_COURSE_IN_LAB", "1")
    monkeypatch.setattr(channel, "request", request)
    assert grade_my_chapter("02-ports").score == 5.0
    assert asked == [("grade", {"chapter": "02"})]


def test_the_channel_grades_one_chapter_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert channel.validate(b'{"op": "grade", "chapter": "01"}') == ("grade", "01")
    with pytest.raises(channel.ChannelRefused):
        channel.validate(b'{"op": "grade", "chapter": "01; rm -rf /"}')
    grading = ChapterGrading()
    assert grading._one.acquire(blocking=False)  # a run under way
    reply = answer(b'{"op": "grade", "chapter": "01"}', {"grade": grading.grade})
    assert reply["ok"] is False and "being graded already" in reply["error"]
    grading._one.release()
    assert "grade" not in handlers_for(None, Path("/nonexistent"), grading=False)


def test_the_panel_shows_the_result_or_one_sentence() -> None:
    from grader.widgets.grade_button import GradePanel

    panel = GradePanel(grade=lambda chapter: ChapterGrade(chapter, "01-dockerfile", REPORT, "/w/g.html"))
    assert panel.run("01") is not None and "5/6 points" in panel.status.value and "ch01-ex1" in panel.result.value

    def broken(chapter: str) -> ChapterGrade:
        raise GraderError("Your workspace has no folder 01-dockerfile.")

    failing = GradePanel(grade=broken)
    failing.chapter.value = "03"
    failing.start()
    assert failing.thread is not None
    failing.thread.join(timeout=10)
    assert "has no folder" in failing.status.value and not failing.button.disabled


def test_the_channels_grading_runs_the_cli_in_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's grade request runs `docker-course grade-chapter N --json`; its one-sentence error comes back."""
    (tmp_path / "work").mkdir()
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(tmp_path / "work"))
    reply = answer(b'{"op": "grade", "chapter": "01"}', {"grade": ChapterGrading().grade})
    assert reply == {
        "ok": False,
        "error": f"Your workspace {tmp_path / 'work'} has no folder 01-dockerfile: run `docker-course update`.",
    }
    assert not ChapterGrading.running
