"""The class exchange's folders (grader/nbgrader_glue/exchange_layout.py): what a learner's lab mounts,
relative links that resolve to the release and to their own feedback, a learner's tampering undone,
links refused where the instructor's side writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.nbgrader_glue import exchange_layout as layout


def test_a_learner_gets_their_own_folder_and_read_only_views(tmp_path: Path) -> None:
    mounts = layout.ensure_learner("ann", tmp_path)
    assert mounts == [
        (tmp_path / "learners" / "ann", False),
        (tmp_path / layout.COURSE_ID / "outbound", True),
        (tmp_path / "feedback" / "ann", True),
    ]
    course = tmp_path / "learners" / "ann" / layout.COURSE_ID
    assert (course / "inbound").is_dir() and not (course / "inbound").is_symlink()
    assert os.readlink(course / "outbound") == "../../../docker-course/outbound"
    assert (course / "outbound").resolve() == layout.outbound(tmp_path).resolve()
    assert (course / "feedback").resolve() == layout.learner_feedback("ann", tmp_path).resolve()
    assert layout.ensure_learner("ann", tmp_path) == mounts  # again: nothing changes


def test_a_learner_s_own_tampering_is_undone_at_the_next_start(tmp_path: Path) -> None:
    layout.ensure_learner("ann", tmp_path)
    course = tmp_path / "learners" / "ann" / layout.COURSE_ID
    (course / "feedback").unlink()
    (course / "feedback").symlink_to("/etc")
    layout.ensure_learner("ann", tmp_path)
    assert os.readlink(course / "feedback") == "../../../feedback/ann"


def test_a_link_where_the_instructor_writes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "ben").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(NotADirectoryError, match="is a link"):
        layout.ensure_learner("ben", tmp_path)
    assert not (tmp_path / "elsewhere").exists()


def test_the_learner_s_config_names_their_root_and_the_class_folder(tmp_path: Path) -> None:
    text = layout.learner_config("ann", Path("/ws/ann"), tmp_path)
    config: dict[str, object] = {}

    class C:
        def __getattr__(self, section: str) -> object:
            return config.setdefault(section, type(section, (), {})())

    exec(text, {"get_config": C})  # noqa: S102 - the text this module writes
    assert config["Exchange"].root == str(tmp_path / "learners" / "ann")  # type: ignore[attr-defined]
    assert config["Exchange"].assignment_dir == "/ws/ann/class"  # type: ignore[attr-defined]
    assert config["CourseDirectory"].student_id == "ann"  # type: ignore[attr-defined]
