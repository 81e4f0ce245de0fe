"""Root filesystems made ahead (course.sh, while pip installs) are used once by provisioning, never remade."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from grader.engine import root_build, rootfs
from grader.engine.image_recipe import ImageRecipe


@pytest.fixture
def bootstraps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each debootstrap run (its suite), faked: a root with one file; the cache in ``tmp_path``."""
    monkeypatch.setenv("DOCKER_COURSE_CACHE", str(tmp_path / "cache"))
    runs: list[str] = []

    def debootstrap(target: Path, include: list[str], debs: Path, report: object, suite: str = "") -> None:
        (target / "etc").mkdir(parents=True)
        (target / "etc/os-release").write_text(suite)
        runs.append(suite)

    monkeypatch.setattr(rootfs, "debootstrap", debootstrap)
    monkeypatch.setattr(rootfs, "trim", lambda root: None)
    return runs


def test_a_root_made_ahead_is_used_once_then_removed(bootstraps: list[str], tmp_path: Path) -> None:
    image = ImageRecipe("docker-course/lab-base:trixie", "lab", ("docker.io",), suite="trixie")
    assert root_build.make_ahead(image, tmp_path / "no-such.tar", print) is True
    assert root_build.make_ahead(image, tmp_path / "no-such.tar", print) is False  # made: not again
    with root_build.made_root(image, print) as root:
        assert (root / "etc/os-release").read_text() == "trixie"
    assert bootstraps == ["trixie"]
    assert not root.exists() and not list(root.parent.glob("docker-course_lab-base_trixie-*"))
    with root_build.made_root(image, print):  # used up: the next provisioning makes it itself
        pass
    assert bootstraps == ["trixie", "trixie"]


def test_nothing_is_made_ahead_when_the_image_is_cached(bootstraps: list[str], tmp_path: Path) -> None:
    (tmp_path / "lab.tar").write_text("")
    assert root_build.make_ahead(ImageRecipe("debian:bookworm-slim", "debian"), tmp_path / "lab.tar", print) is False
    assert bootstraps == []


def test_the_prefetch_runs_while_debootstrap_runs(bootstraps: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The wheelhouse download and debootstrap overlap: each waits for the other to have started."""
    started = {"prefetch": threading.Event(), "debootstrap": threading.Event()}
    fake = rootfs.debootstrap

    def debootstrap(*args: object, **kwargs: object) -> None:
        started["debootstrap"].set()
        assert started["prefetch"].wait(5), "debootstrap ran before the prefetch started"
        fake(*args, **kwargs)  # type: ignore[operator]

    def prefetch(report: object) -> None:
        started["prefetch"].set()
        assert started["debootstrap"].wait(5), "the prefetch ran alone"

    monkeypatch.setattr(rootfs, "debootstrap", debootstrap)
    image = ImageRecipe("docker-course/lab-base:trixie", "lab", suite="trixie", prefetch=prefetch)
    with root_build.made_root(image, print) as root:
        assert (root / "etc/os-release").exists()


def test_an_older_recipes_root_goes_but_not_another_images(bootstraps: list[str], tmp_path: Path) -> None:
    build = tmp_path / "cache/build"
    for name in ("python_3.11-abc", "python_3.11-slim-def", "python_3.11-abc.done"):
        (build / name).mkdir(parents=True, exist_ok=True)
    root_build.make_ahead(ImageRecipe("python:3.11", "python"), tmp_path / "none.tar", print)
    assert sorted(p.name for p in build.iterdir() if not p.name.endswith(".lock"))[-1] == "python_3.11-slim-def"
    assert not (build / "python_3.11-abc").exists() and not (build / "python_3.11-abc.done").exists()


def test_course_sh_makes_the_labs_and_debians_roots_ahead(
    bootstraps: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both roots provisioning would otherwise start with after pip: the lab's base and Debian (for the Pythons)."""
    made: list[str] = []
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path / "state"))
    monkeypatch.setattr(root_build.os, "geteuid", lambda: 0)
    monkeypatch.setattr(root_build.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(root_build, "make_ahead", lambda image, tarball, report: made.append(image.tag) or True)
    assert root_build.main() == 0
    assert sorted(made) == ["debian:bookworm-slim", "docker-course/lab-base:trixie"]
