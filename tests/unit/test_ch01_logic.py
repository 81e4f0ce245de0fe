"""Chapter 01 without an engine: the hints that name ENTRYPOINT/CMD and USER mistakes, the shipped
assets, and the notebook's nbgrader cells matching the exercises."""

from __future__ import annotations

import tarfile
from pathlib import Path

import nbformat
import pytest

from grader.chapters import registry
from grader.checks.image_asset import archive_members, read_asset
from grader.checks.image_entrypoint import entrypoint_hint
from grader.checks.image_user import user_hint
from grader.engine.settings import course_dir
from grader.errors import NotFound

CHAPTER = course_dir() / "01-dockerfile"


@pytest.mark.parametrize(
    ("entrypoint", "cmd", "expected"),
    [
        (["/bin/sh", "-c", "echo hello"], None, "shell form"),
        (["/bin/sh", "-c", "echo"], ["hello"], "swallows CMD"),
        (None, ["echo", "hello"], "`bye` becomes the program"),
        (["echo", "hello"], None, "Move it to CMD"),
        (["echo"], ["/bin/sh", "-c", "hello"], "CMD is in shell form"),
        (["echo"], None, 'Add CMD ["hello"]'),
        (["printf"], ["hi"], "Make the program the ENTRYPOINT"),
    ],
)
def test_entrypoint_hint_names_the_mistake(entrypoint: list[str] | None, cmd: list[str] | None, expected: str) -> None:
    """Each ENTRYPOINT/CMD combination gets the hint that explains its own failure."""
    assert expected in entrypoint_hint(entrypoint, cmd, "echo", "hello", "bye")


@pytest.mark.parametrize(
    ("uid", "name", "exists", "expected"),
    [
        ("0", "root", True, "still runs as root"),
        ("0", "root", False, "create the user"),
        ("1000", "", False, "`USER 1000` alone does not create a user"),
        ("1001", "app", True, "runs as uid 1001"),
        ("", "", False, "did not run"),
    ],
)
def test_user_hint_names_the_mistake(uid: str, name: str, exists: bool, expected: str) -> None:
    """Root with the user created (USER forgotten) is told apart from no user at all."""
    hint = user_hint(uid, exists, 1000, "app", "RUN adduser -D -u 1000 app", "build it FROM busybox ...")
    assert expected in hint


def test_site_tar_is_reproducible_and_holds_index_html() -> None:
    """The shipped archive: one index.html, owned by 0:0, mtime 0 (rebuilt byte-identical)."""
    with tarfile.open(CHAPTER / "assets" / "site.tar") as tar:
        members = tar.getmembers()
    assert [(m.name, m.uid, m.gid, m.mtime) for m in members] == [("index.html", 0, 0, 0)]
    assert b"<html>" in archive_members(read_asset("01-dockerfile/assets/site.tar"))["index.html"]


def test_missing_or_damaged_asset_is_a_clear_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deleted asset or a damaged archive says how to restore it, instead of a traceback."""
    monkeypatch.setenv("DOCKER_COURSE_ROOT", str(tmp_path))
    with pytest.raises(NotFound, match="restore"):
        read_asset("01-dockerfile/assets/site.tar")
    with pytest.raises(NotFound, match="damaged"):
        archive_members(b"not a tar archive at all" * 40)


def test_notebook_cells_match_the_exercises() -> None:
    """Every exercise has solution cells with a stub and one locked check cell worth its max score."""
    nb = nbformat.read(str(CHAPTER / "01-dockerfile.ipynb"), as_version=4)
    nbformat.validate(nb)
    checks: dict[str, float] = {}
    solutions: dict[str, list[str]] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            assert cell.source == f'check("{meta["grade_id"][:-6]}")' and meta["locked"]
            checks[meta["grade_id"]] = meta["points"]
        if meta.get("solution"):
            assert "### BEGIN SOLUTION" in cell.source and cell.metadata["docker_course"]["stub"].strip()
            solutions.setdefault(meta["grade_id"][:8], []).append(meta["grade_id"])
    exercises = {e.id: e.max_score for e in registry().values() if e.chapter == "01"}
    assert checks == {f"{ex}-check": points for ex, points in exercises.items()}
    assert set(solutions) == set(exercises)
