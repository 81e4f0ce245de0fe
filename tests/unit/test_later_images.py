"""python:3.11 on a fresh machine: the lab starts without it, it is built in the background, prepare 06 waits."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from grader.engine import catalogue, image_cache, later_images
from grader.errors import ImageProvisionError
from grader.services import lab_control

FULL = catalogue.BY_TAG["python:3.11"]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCKER_COURSE_CACHE", str(tmp_path))
    image_cache.images_cache().mkdir(parents=True)
    return tmp_path


def test_only_an_uncached_later_image_is_deferred() -> None:
    assert later_images.deferred() == ["python:3.11"]
    image_cache.tarball(FULL).write_text("")
    assert later_images.deferred() == []


def test_prepare_waits_until_the_background_build_caches_it() -> None:
    later_images.note(FULL).write_text("12:00:00 layer 1: apt-get install gcc\n")
    said: list[str] = []
    threading.Timer(0.5, lambda: image_cache.tarball(FULL).write_text("")).start()
    later_images.wait_for(["busybox", "python:3.11"], said.append)
    assert image_cache.tarball(FULL).exists() and "still being built" in said[0] and "apt-get install gcc" in said[0]


def test_a_failed_or_stalled_background_build_says_what_to_run() -> None:
    later_images.note(FULL, "failed").write_text("apt-get install failed")
    with pytest.raises(ImageProvisionError, match="failed: apt-get install failed.*docker-course images python:3.11"):
        later_images.wait_for(["python:3.11"])
    later_images.note(FULL, "failed").unlink()
    later_images.note(FULL).write_text("12:00:00 layer 1\n")
    os.utime(later_images.note(FULL), (1, 1))
    with pytest.raises(ImageProvisionError, match="stalled"):
        later_images.wait_for(["python:3.11"])


def test_without_a_background_build_prepare_does_not_wait() -> None:
    later_images.wait_for(["python:3.11"], limit=0)  # the load then says the image is missing


def test_the_first_lab_starts_without_python_full_then_builds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provisioning and the lab's base images leave python:3.11 out; the background build is started after the lab."""
    calls: list[Any] = []
    monkeypatch.setattr(lab_control, "ensure_host_engine", lambda report=None: "host")
    monkeypatch.setattr(lab_control, "ensure_host_tools", lambda report=None: None)
    monkeypatch.setattr(lab_control.provisioning, "provision", lambda host, names, report: calls.append(names))

    def up(host: str, spec: Any, report: Any) -> Any:
        calls.append(("lab", spec.base_images))
        return SimpleNamespace(docker_host="unix:///lab.sock", name="lab", jupyter_url=None, workspace=None)

    monkeypatch.setattr(lab_control.lab, "up", up)
    monkeypatch.setattr(lab_control.later_images, "start_background", lambda tags, report: calls.append(("bg", tags)))
    monkeypatch.setattr(lab_control, "_open_channel", lambda name, report: None)
    monkeypatch.setattr(lab_control, "_come_back", lambda settings, report: None)
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(image_cache.images_cache().parent / "state"))
    lab_control.start(lab_control.EngineOptions(mode="lab", instructor=True), jupyter=False)
    provisioned, started, background = calls
    assert "python:3.11" not in provisioned and catalogue.LAB_IMAGE in provisioned and "python:3.11-slim" in provisioned
    assert started == ("lab", ("busybox:latest", "debian:bookworm-slim", "python:3.11-slim"))
    assert background == ("bg", ["python:3.11"])
