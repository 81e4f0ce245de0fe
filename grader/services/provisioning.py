"""The images the course needs: base images on the host (``images``), a chapter's images (``prepare``).

Called from inside a lab (a chapter's first cell runs ``prepare`` in the lab's
kernel), :func:`prepare_chapter` loads the chapter's base images into the lab's
engine from the cache the lab mounts and builds the course-provided images there;
:func:`provision_images` is a host-side step (inside a lab, the host engine it
provisions is the lab's own).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.engine import catalogue, image_cache, provided
from grader.engine import provisioning as engine_provisioning
from grader.engine.client import course_engine
from grader.engine.install import ensure_host_engine, ensure_host_tools
from grader.engine.progress import Reporter, silent


@dataclass(frozen=True)
class ProvisionedImage:
    """A base image that now exists on the host engine, and its size in bytes."""

    tag: str
    size: int


def provision_images(
    names: list[str] | None = None, pull: bool = False, into_engine: bool = False, report: Reporter = silent
) -> list[ProvisionedImage]:
    """Make base images exist on the host engine (built offline, or pulled), cached as tarballs.

    Args:
        names: only these (``busybox``, ``python:3.11``, ...); default: all, the lab image included.
        pull: take the official images from a registry instead of building look-alikes.
        into_engine: also load them (not the lab image) into the course engine.

    Raises:
        ImageProvisionError, EngineInstallError: the message names the failing step.
    """
    host = ensure_host_engine(report)
    ensure_host_tools(report)
    done = engine_provisioning.provision(host, names or None, pull=pull, report=report)
    if into_engine:
        image_cache.load_into(course_engine(), [i.tag for i in done if i in catalogue.BASE_IMAGES], report=report)
    return [ProvisionedImage(i.tag, int(host.images.get(i.tag).attrs.get("Size", 0))) for i in done]


@dataclass(frozen=True)
class Prepared:
    """A chapter whose images are ready: its key (``02``) and the images, base ones first."""

    chapter: str
    images: list[str]


def prepare_chapter(chapter: str, report: Reporter = silent) -> Prepared:
    """Make a chapter's base and course-provided images exist on the course engine; idempotent, offline.

    Args:
        chapter: ``2``, ``02``, ``ch02`` or ``02-ports``.

    Raises:
        UnknownExercise: not a chapter of the course.
        EngineUnavailable: the course engine does not answer.
        ImageProvisionError: a build failed (Docker's message in it).
    """
    key = provided.chapter_key(chapter)
    ready = provided.prepare(course_engine(), key, report=report)
    return Prepared(key, ready)
