"""Layered base images: which images come along, in which order they are made, and what goes into a layer."""

from __future__ import annotations

import contextlib
import os
import tarfile
import threading
from pathlib import Path

import pytest

from grader.engine import catalogue, provisioning
from grader.engine.image_recipe import ImageRecipe
from grader.engine.layered_build import trimmed_away, write_layer
from grader.engine.provisioning import with_bases
from grader.errors import ImageProvisionError


def test_a_python_image_brings_its_debian_base_first() -> None:
    assert [i.tag for i in with_bases(catalogue.resolve(["python:3.11"]))] == ["debian:bookworm-slim", "python:3.11"]


def test_pythons_start_when_debian_is_made_while_the_lab_still_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab (the longest build) finishes only after python:3.11 was made: no image waits for a round."""
    made: list[str] = []
    pythons_made = threading.Event()

    def make(client: object, image: ImageRecipe, pull: bool, report: object) -> None:
        if image.tag == catalogue.LAB_IMAGE:
            assert pythons_made.wait(10), "python:3.11 waited for the lab"
        if image.tag.startswith("python:"):
            assert "debian:bookworm-slim" in made, f"{image.tag} started before its Debian base was made"
        made.append(image.tag)
        if {"python:3.11", "python:3.11-slim"} <= set(made):
            pythons_made.set()

    monkeypatch.setattr(provisioning, "_ready", lambda client, image: False)
    monkeypatch.setattr(provisioning, "_make", make)
    monkeypatch.setattr(provisioning.image_cache, "provision_lock", contextlib.nullcontext)
    provisioning.provision(object(), None)  # type: ignore[arg-type]
    assert made[-1] == catalogue.LAB_IMAGE and len(made) == len(catalogue.ALL_IMAGES)


def test_a_failed_base_fails_the_images_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def make(client: object, image: ImageRecipe, pull: bool, report: object) -> None:
        if image.tag == "debian:bookworm-slim":
            raise ImageProvisionError("debootstrap failed")
        assert not image.tag.startswith("python:"), "a Python image was built on a failed base"

    monkeypatch.setattr(provisioning, "_ready", lambda client, image: False)
    monkeypatch.setattr(provisioning, "_make", make)
    monkeypatch.setattr(provisioning.image_cache, "provision_lock", contextlib.nullcontext)
    with pytest.raises(ImageProvisionError, match="debootstrap failed"):
        provisioning.provision(object(), ["python:3.11"])  # type: ignore[arg-type]


def test_python_full_is_never_layered_on_the_slim_python() -> None:
    full, slim = catalogue.BY_TAG["python:3.11"], catalogue.BY_TAG["python:3.11-slim"]
    assert full.on is slim.on is catalogue.BY_TAG["debian:bookworm-slim"]
    assert len(full.layers) == 2 and "gcc" in full.layers[0] and "gcc" not in str(slim.layers)


def test_a_layer_holds_new_and_changed_paths_only(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    for root in (before, after):
        (root / "etc").mkdir(parents=True)
        (root / "etc/os-release").write_text("bookworm\n")
        (root / "etc/resolv.conf").write_text("")
        os.utime(root / "etc/os-release", (1, 1))
    (after / "etc/resolv.conf").write_text("nameserver 10.0.0.1\n")  # Docker's file: never in a layer
    (after / "usr/bin").mkdir(parents=True)
    (after / "usr/bin/python3").write_text("#!elf\n")
    (after / "usr/share/doc/python3").mkdir(parents=True)
    (after / "usr/share/doc/python3/README").write_text("trimmed\n")
    (after / "etc/motd").write_text("new\n")
    layer = tmp_path / "layer.tar"
    write_layer(before, after, layer)
    with tarfile.open(layer) as tar:
        names = set(tar.getnames())
    assert {"usr", "usr/bin", "usr/bin/python3", "etc/motd"} <= names
    assert "etc/os-release" not in names and "etc/resolv.conf" not in names
    assert not any(n.startswith("usr/share/doc/") for n in names)


def test_trimmed_paths() -> None:
    assert trimmed_away("usr/share/man/man1/python3.1.gz") and trimmed_away("var/lib/apt/lists/x_Packages")
    assert trimmed_away("usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc")
    assert not trimmed_away("usr/share/man") and not trimmed_away("usr/lib/python3.11/json/decoder.py")


def test_provision_reports_present_images_in_order_and_makes_bases_first(monkeypatch) -> None:
    """Present images are reported in catalogue order; a missing Debian is made before the Pythons."""
    from contextlib import nullcontext

    from grader.engine import image_cache, provisioning

    made: list[str] = []
    missing = {"debian:bookworm-slim", "python:3.11-slim", "python:3.11"}
    monkeypatch.setattr(provisioning, "_ready", lambda client, image: image.tag not in missing)
    monkeypatch.setattr(provisioning, "_make", lambda client, image, pull, report: made.append(image.tag))
    monkeypatch.setattr(image_cache, "provision_lock", nullcontext)
    lines: list[str] = []
    provisioning.provision(None, report=lines.append)  # type: ignore[arg-type]
    assert [line.split("] ")[1] for line in lines] == ["busybox:latest: present", f"{catalogue.LAB_IMAGE}: present"]
    assert made[0] == "debian:bookworm-slim" and set(made[1:]) == {"python:3.11-slim", "python:3.11"}
