"""Host-side files in a lab-writable folder: links planted there are never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.engine import boundary_files as bf


def test_read_and_write_round_trip(tmp_path: Path) -> None:
    """A plain file is written atomically (no temporary left) and read back."""
    bf.write_text(tmp_path, "progress.json", '{"a": 1}\n')
    assert bf.read_text(tmp_path, "progress.json") == '{"a": 1}\n'
    assert sorted(os.listdir(tmp_path)) == ["progress.json"]


def test_a_planted_link_is_not_read(tmp_path: Path) -> None:
    """Reading a name the lab turned into a link to a host file raises instead of reading the target."""
    secret = tmp_path / "host-secret"
    secret.write_text("root:x:0:0")
    run = tmp_path / "run"
    run.mkdir()
    (run / "progress.json").symlink_to(secret)
    with pytest.raises(bf.PlantedLink):
        bf.read_text(run, "progress.json")


def test_a_planted_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    """Writing over a planted link replaces the link; the host file it pointed at is unchanged."""
    target = tmp_path / "host-file"
    target.write_text("unchanged")
    run = tmp_path / "run"
    run.mkdir()
    (run / "progress.json").symlink_to(target)
    bf.write_text(run, "progress.json", "new")
    assert target.read_text() == "unchanged"
    assert not (run / "progress.json").is_symlink() and (run / "progress.json").read_text() == "new"


def test_a_folder_replaced_by_a_link_is_refused(tmp_path: Path) -> None:
    """A run folder that is itself a link (to a host folder) is neither read nor written."""
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    (elsewhere / "ready").write_text("x")
    (tmp_path / "run").symlink_to(elsewhere)
    with pytest.raises(bf.PlantedLink):
        bf.write_text(tmp_path / "run", "ready", "y")
    with pytest.raises(bf.PlantedLink):
        bf.read_text(tmp_path / "run", "ready")
    assert (elsewhere / "ready").read_text() == "x"


def test_fifo_and_devices_are_not_read(tmp_path: Path) -> None:
    """A FIFO planted under a file's name would block a reader forever: refused at once."""
    os.mkfifo(tmp_path / "egress-rule")
    with pytest.raises(bf.PlantedLink):
        bf.read_bytes(tmp_path, "egress-rule")


def test_remove_and_exists_never_follow(tmp_path: Path) -> None:
    """A planted link counts as present and is removed itself; its target stays."""
    target = tmp_path / "keep"
    target.write_text("k")
    run = tmp_path / "run"
    run.mkdir()
    (run / "ready").symlink_to(target)
    assert bf.exists(run, "ready")
    bf.remove(run, "ready")
    assert not bf.exists(run, "ready") and target.read_text() == "k"
    bf.remove(run, "ready")  # missing: no error


def test_names_with_a_slash_are_refused(tmp_path: Path) -> None:
    """Only plain names: ``../x`` cannot step out of the folder."""
    with pytest.raises(ValueError):
        bf.read_bytes(tmp_path, "../x")


def test_reads_are_bounded(tmp_path: Path) -> None:
    """A huge planted file is read only up to the limit."""
    (tmp_path / "big").write_bytes(b"x" * 100_000)
    assert len(bf.read_bytes(tmp_path, "big", limit=1000)) == 1000


def test_progress_never_follows_a_link_planted_in_the_run_folder(tmp_path: Path) -> None:
    """progress.json planted as a link to a host file: not read, and replaced (not written through) on record."""
    from grader.checks.result import CheckResult, Part
    from grader.services import progress

    victim = tmp_path / "host-file"
    victim.write_text('{"exercises": {"ch01-ex1": {"best": 99}}}')
    run = tmp_path / "run"
    run.mkdir()
    (run / "progress.json").symlink_to(victim)
    assert progress.load(run / "progress.json") == {}
    passed = CheckResult("ch01-ex1", parts=[Part("p", True, 1.0, 1.0, "x", "x")])
    assert progress.record(passed, path=run / "progress.json")
    assert victim.read_text() == '{"exercises": {"ch01-ex1": {"best": 99}}}'
    assert progress.load(run / "progress.json")["ch01-ex1"]["best"] == 1.0
