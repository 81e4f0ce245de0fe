"""Engine templates without an engine: their key, what counts as complete, when none is used."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.engine import lab_snapshot, lab_template
from grader.engine.catalogue import BY_TAG
from grader.engine.image_cache import tarball
from grader.engine.lab_spec import LabSpec, Limits

TAGS = ["busybox:latest", "debian:bookworm-slim"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course cache of its own with two tarballs, and a pool mount point that is a plain folder."""
    monkeypatch.setenv("DOCKER_COURSE_CACHE", str(tmp_path))
    for tag in TAGS:
        path = tarball(BY_TAG[tag])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tag.encode())
    (lab_snapshot.mount_point() / "templates").mkdir(parents=True)
    return tmp_path


def _complete(key: str, marker_key: str | None = None) -> Path:
    path = lab_snapshot.mount_point() / "templates" / key
    (path / "image" / "overlay2").mkdir(parents=True)
    (path / "image" / "overlay2" / "repositories.json").write_text("{}")
    if marker_key is not None:
        path.with_suffix(".json").write_text(json.dumps({"key": marker_key}))
    return path


def test_the_key_changes_with_each_input(cache: Path) -> None:
    key = lab_template.key_of("sha256:lab", TAGS, (400000, 400000))
    assert key == lab_template.key_of("sha256:lab", TAGS, (400000, 400000))
    assert key != lab_template.key_of("sha256:other-lab", TAGS, (400000, 400000))
    assert key != lab_template.key_of("sha256:lab", TAGS[:1], (400000, 400000))
    assert key != lab_template.key_of("sha256:lab", TAGS, (0, 0))
    busybox = tarball(BY_TAG[TAGS[0]])
    busybox.write_bytes(b"another busybox")  # the same name, another content
    os.utime(busybox, ns=(1, 1))
    assert key != lab_template.key_of("sha256:lab", TAGS, (400000, 400000))


def test_only_a_template_with_its_marker_read_only_and_complete_is_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_only = {"value": True}
    monkeypatch.setattr(lab_snapshot, "is_subvolume", lambda path: True)
    monkeypatch.setattr(lab_snapshot, "read_only", lambda path: read_only["value"])
    assert lab_template.usable("k1") is None  # nothing there
    _complete("k1")  # an interrupted build: content, no marker
    assert lab_template.usable("k1") is None
    _complete("k2", marker_key="k1")  # a marker that names another key
    assert lab_template.usable("k2") is None
    good = _complete("k3", marker_key="k3")
    assert lab_template.usable("k3") == good
    read_only["value"] = False
    assert lab_template.usable("k3") is None
    read_only["value"] = True
    (good / "image" / "overlay2" / "repositories.json").unlink()
    assert lab_template.usable("k3") is None


def test_no_template_when_turned_off_or_the_machine_cannot_keep_snapshots(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = LabSpec(name="x", root=cache, limits=Limits(memory="1g", pids=100, cpus=1), base_images=tuple(TAGS))

    def never(*args: object) -> None:
        raise AssertionError("no builder lab may start")

    monkeypatch.setattr(lab_snapshot, "why_not", lambda: "")
    monkeypatch.setenv(lab_template.TEMPLATES_ENV, "0")
    assert lab_template.ensure(None, None, spec, (0, 0), never, never) is None  # type: ignore[arg-type]
    monkeypatch.delenv(lab_template.TEMPLATES_ENV)
    monkeypatch.setattr(lab_snapshot, "why_not", lambda: "no btrfs")
    assert lab_template.ensure(None, None, spec, (0, 0), never, never) is None  # type: ignore[arg-type]
    monkeypatch.setattr(lab_snapshot, "why_not", lambda: "")
    tarball(BY_TAG[TAGS[1]]).unlink()  # not cached yet: the lab's own load says what to run
    assert lab_template.ensure(None, None, spec, (0, 0), never, never) is None  # type: ignore[arg-type]


def test_pruning_keeps_the_newest_templates_and_drops_markerless_ones(cache: Path) -> None:
    templates = lab_snapshot.mount_point() / "templates"
    keys = [f"k{n}" for n in range(lab_template.KEEP_TEMPLATES + 2)]
    for n, key in enumerate(keys):
        _complete(key, marker_key=key)
        os.utime(templates / f"{key}.json", (n, n))
    _complete("partial")
    lab_template._prune(templates, keep=keys[0])
    left = {p.name for p in templates.iterdir() if p.is_dir()}
    assert left == {keys[0], *keys[-lab_template.KEEP_TEMPLATES :]}
