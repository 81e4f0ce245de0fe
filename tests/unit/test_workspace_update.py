"""Making and updating a workspace on disk: backups, broken and deleted notebooks, links, interruptions."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from grader.workspace import safe_fs
from grader.workspace.safe_fs import SafeTree
from grader.workspace.student_version import StudentVersion
from grader.workspace.update import dump_notebook, sync
from tests.unit.test_workspace_merge import chapter_v1, code, md, texts

NB = "01-dockerfile.ipynb"


def version(tmp: Path, tag: str, nb: dict[str, Any], files: dict[str, str] | None = None) -> StudentVersion:
    """A student version of folder 01-dockerfile in the layout nbgrader releases."""
    folder = tmp / "versions" / tag
    folder.mkdir(parents=True)
    (folder / NB).write_bytes(dump_notebook(nb))
    for rel, text in (files or {"assets/hello.txt": "hello\n"}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return StudentVersion("01-dockerfile", tag, folder)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    sync(folder, {"01-dockerfile": version(tmp_path, "v1", chapter_v1())})
    return folder


def read(ws: Path) -> dict[str, Any]:
    return json.loads((ws / "01-dockerfile" / NB).read_text())


def learner_edits(ws: Path) -> bytes:
    """Answer a cell, add one, edit a markdown cell; return the notebook's bytes."""
    nb = read(ws)
    nb["cells"][3]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"
    nb["cells"][5]["source"] = "Done. My note."
    nb["cells"].insert(4, code("mine", "!docker images"))
    data = dump_notebook(nb)
    (ws / "01-dockerfile" / NB).write_bytes(data)
    return data


def chapter_v2() -> dict[str, Any]:
    nb = chapter_v1()
    nb["cells"][0]["source"] = "# Chapter (revised)"
    nb["cells"].insert(2, md("new", "New text."))
    return nb


def test_first_sync_makes_notebooks_assets_base_and_state(ws: Path, tmp_path: Path) -> None:
    assert texts(read(ws)) == texts(chapter_v1())
    assert (ws / "01-dockerfile" / "assets" / "hello.txt").read_text() == "hello\n"
    assert (ws / ".docker-course" / "base" / "01-dockerfile" / NB).is_file()
    state = json.loads((ws / ".docker-course" / "state.json").read_text())
    assert state["folders"]["01-dockerfile"]["digest"] == "v1"
    again = sync(ws, {"01-dockerfile": version(tmp_path, "v1b", chapter_v1())})
    assert again.changes == [] and again.unchanged == 2


def test_update_keeps_the_learners_work_and_backs_it_up_outside_the_chapter(ws: Path, tmp_path: Path) -> None:
    before = learner_edits(ws)
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v2", chapter_v2())})

    assert [c.action for c in report.changes] == ["updated"]
    assert texts(read(ws)) == [
        "# Chapter (revised)",
        "prepare('01')",
        "New text.",
        "Write a Dockerfile.",
        "%%writefile ex1/Dockerfile\nFROM busybox",
        "!docker images",
        "check('ch01-ex1')",
        "Done. My note.",
    ]
    backups = list((ws / ".docker-course" / "backups").rglob(NB))
    assert [b.read_bytes() for b in backups] == [before]
    assert sorted(os.listdir(ws / "01-dockerfile")) == [NB, "assets"], "nothing new in the chapter folder"


def test_conflict_is_reported_and_both_texts_are_kept(ws: Path, tmp_path: Path) -> None:
    learner_edits(ws)
    v2 = chapter_v2()
    v2["cells"][6]["source"] = "Done: on to chapter 02."  # `outro`, which the learner edited too
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v2", v2)})

    assert [c.action for c in report.changes] == ["conflict"]
    assert "cell outro" in report.changes[0].message
    cells = texts(read(ws))
    assert cells[-2] == "Done. My note." and "Done: on to chapter 02." in cells[-1]


def test_untouched_chapter_is_replaced_by_the_new_version(ws: Path, tmp_path: Path) -> None:
    v2 = version(tmp_path, "v2", chapter_v2())
    report = sync(ws, {"01-dockerfile": v2})
    assert [c.action for c in report.changes] == ["replaced"]
    assert (ws / "01-dockerfile" / NB).read_bytes() == (v2.folder / NB).read_bytes()


def test_broken_notebook_is_reported_and_left_byte_for_byte(ws: Path, tmp_path: Path) -> None:
    broken = b'{"cells": [ {"cell_type": "code", "source": "FROM busy'
    (ws / "01-dockerfile" / NB).write_bytes(broken)
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v2", chapter_v2())})
    assert [c.action for c in report.changes] == ["broken"]
    assert "not a valid notebook" in report.changes[0].message
    assert (ws / "01-dockerfile" / NB).read_bytes() == broken
    base = json.loads((ws / ".docker-course" / "base" / "01-dockerfile" / NB).read_text())
    assert texts(base) == texts(chapter_v1()), "the base stays the version the learner's notebook came from"


def test_deleted_notebook_is_restored_and_a_renamed_copy_is_named(ws: Path, tmp_path: Path) -> None:
    (ws / "01-dockerfile" / NB).rename(ws / "01-dockerfile" / "mine.ipynb")
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v1b", chapter_v1())})
    assert [c.action for c in report.changes] == ["restored"]
    assert "mine.ipynb looks like your renamed copy" in report.changes[0].message
    assert texts(read(ws)) == texts(chapter_v1())
    assert (ws / "01-dockerfile" / "mine.ipynb").exists()


def test_interrupted_update_loses_nothing_and_the_next_one_finishes(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write of the merged notebook dies half-way: old notebook and backup are both there."""
    before = learner_edits(ws)
    v2 = chapter_v2()
    v2["cells"][6]["source"] = "Done: on to chapter 02."
    real_replace = os.replace

    def dying_replace(src: Any, dst: Any, **kwargs: Any) -> None:
        folder = os.readlink(f"/proc/self/fd/{kwargs['dst_dir_fd']}")
        if str(dst) == NB and folder == str(ws / "01-dockerfile"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(safe_fs.os, "replace", dying_replace)
    with pytest.raises(OSError):
        sync(ws, {"01-dockerfile": version(tmp_path, "v2", v2)})
    assert (ws / "01-dockerfile" / NB).read_bytes() == before
    assert [b.read_bytes() for b in (ws / ".docker-course" / "backups").rglob(NB)] == [before]
    assert not [n for n in os.listdir(ws / "01-dockerfile") if n.endswith(safe_fs.TMP_SUFFIX)]

    monkeypatch.setattr(safe_fs.os, "replace", real_replace)
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v2b", v2)})
    assert [c.action for c in report.changes] == ["conflict"]
    assert sum("Course update" in t for t in texts(read(ws))) == 1


def test_update_interrupted_after_the_notebook_was_written_marks_a_conflict_once(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_edits(ws)
    v2 = chapter_v2()
    v2["cells"][6]["source"] = "Done: on to chapter 02."
    from grader.workspace.state import WorkspaceState

    def dying_base(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(WorkspaceState, "write_base", dying_base)
    with pytest.raises(KeyboardInterrupt):
        sync(ws, {"01-dockerfile": version(tmp_path, "v2", v2)})
    monkeypatch.undo()
    sync(ws, {"01-dockerfile": version(tmp_path, "v2b", v2)})
    cells = texts(read(ws))
    assert sum("Course update" in t for t in cells) == 1
    assert "!docker images" in cells and "Done. My note." in cells


def test_links_planted_in_the_workspace_are_never_followed(ws: Path, tmp_path: Path) -> None:
    """A notebook or chapter folder replaced by a link: left alone, nothing outside read or written."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.ipynb"
    secret.write_text(json.dumps(chapter_v1()))
    nb = ws / "01-dockerfile" / NB
    nb.unlink()
    nb.symlink_to(secret)
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v2", chapter_v2())})
    assert [c.action for c in report.changes] == ["skipped"]
    assert json.loads(secret.read_text()) == chapter_v1()
    assert not list((ws / ".docker-course").rglob("backups/*")), "the link's target was not copied in"

    nb.unlink()
    (ws / "01-dockerfile" / "assets" / "hello.txt").unlink()
    (ws / "01-dockerfile" / "assets").rmdir()
    (ws / "01-dockerfile").rmdir()
    (ws / "01-dockerfile").symlink_to(outside, target_is_directory=True)
    report = sync(ws, {"01-dockerfile": version(tmp_path, "v3", chapter_v1())})
    assert report.changes and all(c.action == "skipped" for c in report.changes)
    assert sorted(os.listdir(outside)) == ["secret.ipynb"]


def test_assets_the_learner_changed_are_kept_others_follow_the_course(ws: Path, tmp_path: Path) -> None:
    (ws / "01-dockerfile" / "assets" / "hello.txt").write_text("my own\n")
    v2 = version(tmp_path, "v2", chapter_v1(), {"assets/hello.txt": "hello v2\n", "assets/new.txt": "new\n"})
    report = sync(ws, {"01-dockerfile": v2})
    actions = {c.path: c.action for c in report.changes}
    assert actions == {"01-dockerfile/assets/hello.txt": "kept", "01-dockerfile/assets/new.txt": "made"}
    assert (ws / "01-dockerfile" / "assets" / "hello.txt").read_text() == "my own\n"


def test_safe_tree_refuses_paths_that_leave_it(tmp_path: Path) -> None:
    tree = SafeTree(tmp_path)
    for bad in ("../x", "/etc/passwd", "a/../../b"):
        with pytest.raises(safe_fs.UnsafePath):
            tree.write_bytes(bad, b"x")


def test_a_new_base_copy_is_independent_of_the_learners_notebook(ws: Path, tmp_path: Path) -> None:
    """Editing the workspace notebook never changes the recorded base."""
    learner_edits(ws)
    base = json.loads((ws / ".docker-course" / "base" / "01-dockerfile" / NB).read_text())
    assert texts(base) == texts(copy.deepcopy(chapter_v1()))
