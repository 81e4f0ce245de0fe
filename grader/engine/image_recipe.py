"""What shapes an image the course builds offline, and the digest that says when to rebuild it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.progress import Reporter

RECIPE_LABEL = "org.docker-course.recipe"
IMAGES_DIR = Path(__file__).resolve().parents[1] / "images"  # the image sources the course ships
# Bumped when the build steps change in a way the fields below do not show.
RECIPE_VERSION = 3

Layout = Callable[[Path, Reporter], None]


@dataclass(frozen=True)
class ImageRecipe:
    """One image the course makes: its official name and the offline recipe that imitates it.

    Args:
        tag: the name it gets (``busybox:latest``, ``python:3.11``, the lab image).
        kind: ``busybox`` (from Debian's busybox-static) or a debootstrap kind
            (``debian``, ``python``, ``lab``); part of the digest.
        packages: Debian packages debootstrap includes.
        changes: Dockerfile instructions ``docker import`` applies (ENV, CMD, ...).
        size_hint: the official image's size, shown while building.
        support: a folder whose files the build copies in (part of the digest).
        inputs: more text that shapes the image, read when the digest is needed (the lab's Python pins).
        layout: a step run on the root filesystem after debootstrap, before trimming.
        prefetch: a download the layout needs, run while debootstrap runs (the lab's wheelhouse).
        pullable: an official image of that name may stand in for it (``--pull``).
        suite: the Debian release debootstrap installs.
        on: build this image FROM that one with a Dockerfile: with ``layers``, one layer of
            Debian packages each (``layered_build``); without, the executable files of ``support``
            copied into /usr/local/bin (a script edit then costs seconds, not a debootstrap).
        layers: the packages of each layer above ``on``.
    """

    tag: str
    kind: str
    packages: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    size_hint: str = ""
    support: Path | None = None
    inputs: Callable[[], str] | None = field(default=None, compare=False, repr=False)
    layout: Layout | None = field(default=None, compare=False, repr=False)
    prefetch: Callable[[Reporter], object] | None = field(default=None, compare=False, repr=False)
    pullable: bool = True
    suite: str = "bookworm"
    on: ImageRecipe | None = None
    layers: tuple[tuple[str, ...], ...] = ()

    @property
    def tarball_name(self) -> str:
        """The file name of its cached ``docker save`` tarball (one per recipe)."""
        return f"{self.slug}-{self.recipe()}.tar"

    @property
    def slug(self) -> str:
        """The tag as a file name (``python:3.11`` -> ``python_3.11``)."""
        return self.tag.replace("/", "_").replace(":", "_")

    def recipe(self) -> str:
        """A digest of everything that shapes this image; a change forces a rebuild."""
        digest = hashlib.sha256(repr((self.tag, self.kind, self.packages, self.changes, RECIPE_VERSION)).encode())
        if self.support is not None:
            for path in sorted(self.support.iterdir()):
                digest.update(path.name.encode() + path.read_bytes())
        if self.inputs is not None:
            digest.update(self.inputs().encode())
        if self.suite != "bookworm":  # so bookworm images keep the digests they had
            digest.update(self.suite.encode())
        if self.on is not None:
            digest.update(self.on.recipe().encode() + repr(self.layers).encode())
        return digest.hexdigest()[:16]
