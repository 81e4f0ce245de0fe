"""Engine-side logic that needs no engine: settings, chapter names, interface parsing, stubs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.engine.catalogue import ALL_IMAGES, resolve
from grader.engine.provided import chapter_key
from grader.engine.settings import Settings, ensure_writable
from grader.errors import ConfigError, ImageProvisionError, UnknownExercise
from grader.facts.networks import parse_links
from grader.nbgrader_glue.clear_solutions import cell_kind


def test_chapter_key_accepts_common_spellings() -> None:
    for spelling in ("2", "02", "ch02", "02-ports", " 02 "):
        assert chapter_key(spelling) == "02"
    with pytest.raises(UnknownExercise):
        chapter_key("07")


def test_unwritable_folder_is_a_clear_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as exc:
        ensure_writable(blocker / "sub", "state")
    assert "not writable" in str(exc.value) and "DOCKER_COURSE_STATE" in str(exc.value)


def test_settings_env_overrides_and_bad_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path))
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", "unix:///x.sock")
    assert Settings.load().docker_host() == "unix:///x.sock"
    monkeypatch.setenv("DOCKER_COURSE_MODE", "lab")
    monkeypatch.setenv("DOCKER_COURSE_LAB", "mylab")
    assert Settings.load().docker_host() == f"unix://{tmp_path}/labs/mylab/run/docker.sock"
    monkeypatch.setenv("DOCKER_COURSE_MODE", "cloud")
    with pytest.raises(ConfigError):
        Settings.load()
    monkeypatch.delenv("DOCKER_COURSE_MODE")
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ConfigError):
        Settings.load()


def test_parse_links_reads_veth_peers() -> None:
    text = (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n"
        "2: docker0: <BROADCAST,MULTICAST,UP> mtu 1500\n"
        "7: veth1a2b3c4@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n"
        "6: eth0@if7: <BROADCAST> mtu 1500\n"
    )
    links = {link.name: link for link in parse_links(text)}
    assert links["veth1a2b3c4"].index == 7 and links["veth1a2b3c4"].peer_index == 6
    assert links["eth0"].peer_index == 7 and links["docker0"].peer_index is None


def test_base_image_names_resolve_and_unknown_is_clear() -> None:
    assert [i.tag for i in resolve(["busybox", "python:3.11"])] == ["busybox:latest", "python:3.11"]
    assert len({i.recipe() for i in ALL_IMAGES}) == len(ALL_IMAGES)
    with pytest.raises(ImageProvisionError):
        resolve(["alpine"])


def test_cell_kinds_for_stubs() -> None:
    assert cell_kind("%%writefile ex1/Dockerfile\nFROM busybox") == "dockerfile"
    assert cell_kind("%%writefile app.txt\nhi") == "file"
    assert cell_kind("!docker build -t x .") == "shell"
    assert cell_kind("x = 1") == "python"


def test_stub_preprocessor_uses_cell_stub_and_kind_default() -> None:
    from grader.nbgrader_glue.clear_solutions import ClearSolutionsWithStubs

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    meta = {"solution": True, "grade": False, "locked": False, "schema_version": 3}
    docker = nbformat.v4.new_code_cell("%%writefile ex1/Dockerfile\n### BEGIN SOLUTION\nFROM busybox\n### END SOLUTION")
    docker.metadata = {"nbgrader": {**meta, "grade_id": "a"}, "docker_course": {"stub": "FROM busybox\n# TODO"}}
    shell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\n!docker build -t x ex1\n### END SOLUTION")
    shell.metadata = {"nbgrader": {**meta, "grade_id": "b"}}
    python = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    python.metadata = {"nbgrader": {**meta, "grade_id": "c"}}
    nb.cells = [docker, shell, python]
    out, _ = ClearSolutionsWithStubs().preprocess(nb, {})
    assert out.cells[0].source == "%%writefile ex1/Dockerfile\nFROM busybox\n# TODO"
    assert out.cells[1].source.startswith("# TODO") and "raise" not in out.cells[1].source
    assert "raise NotImplementedError()" in out.cells[2].source
