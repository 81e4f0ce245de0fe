"""Layered base images: which images come along, in which rounds, and what goes into a layer."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from grader.engine import catalogue
from grader.engine.layered_build import trimmed_away, write_layer
from grader.engine.provisioning import waves, with_bases


def test_a_python_image_brings_its_debian_base_first() -> None:
    assert [i.tag for i in with_bases(catalogue.resolve(["python:3.11"]))] == ["debian:bookworm-slim", "python:3.11"]


def test_independent_images_share_a_round_and_pythons_wait_for_debian() -> None:
    rounds = [[i.tag for i in r] for r in waves(with_bases(catalogue.resolve(None)))]
    assert rounds == [
        ["busybox:latest", "debian:bookworm-slim", catalogue.LAB_IMAGE],
        ["python:3.11-slim", "python:3.11"],
    ]


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
