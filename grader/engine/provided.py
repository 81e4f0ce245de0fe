"""Course-provided images (``course/web:1.0``, ...): built offline from sources the course ships."""

from __future__ import annotations

import hashlib
from pathlib import Path

import docker
from docker.errors import BuildError, DockerException, ImageNotFound

from grader import curriculum
from grader.engine import catalogue, image_cache, later_images
from grader.engine.progress import Reporter, silent
from grader.errors import ImageProvisionError, UnknownExercise

SOURCES = Path(__file__).resolve().parents[1] / "images" / "provided"
PROVIDED_LABEL = "org.docker-course.provided"
PROVIDED = {p.tag: p for p in curriculum.PROVIDED}


def chapter_key(chapter: str) -> str:
    """``2``, ``02``, ``ch02``, ``02-ports`` -> ``02``.

    Raises:
        UnknownExercise: not a chapter of the course.
    """
    number = curriculum.chapter_number(chapter)
    if number is None:
        first, last = curriculum.CHAPTERS[0].number, curriculum.CHAPTERS[-1].number
        raise UnknownExercise(f"{chapter!r} is not a chapter: use {first}..{last} (e.g. `docker-course prepare 02`).")
    return number


def base_images_for(chapter: str) -> list[str]:
    """Base images a chapter's exercises use."""
    return list(curriculum.chapter(chapter_key(chapter)).base_images)


def _recipe(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def is_provided(image_tags: list[str], labels: dict[str, str]) -> bool:
    """True for a course-provided image itself (not a learner image built FROM one)."""
    return labels.get(PROVIDED_LABEL, "") in image_tags


def build_provided(client: docker.DockerClient, tag: str, report: Reporter = silent) -> bool:
    """Build one course-provided image unless it is current. Returns True when it built."""
    image = curriculum.provided(tag)
    bases = list(image.bases)
    folder = SOURCES / image.source
    recipe = _recipe(folder)
    image_cache.load_into(client, bases, report=report)
    base_ids = "+".join(client.images.get(catalogue.resolve([b])[0].tag).id[7:19] for b in bases)
    wanted = f"{recipe}-{base_ids}"
    try:
        if client.images.get(tag).labels.get(PROVIDED_LABEL + ".recipe") == wanted:
            report(f"{tag}: up to date")
            return False
    except ImageNotFound:
        pass
    report(f"{tag}: building from {folder.relative_to(SOURCES.parents[1])}")
    try:
        client.images.build(
            path=str(folder),
            tag=tag,
            rm=True,
            forcerm=True,
            network_mode="none",
            labels={PROVIDED_LABEL: tag, PROVIDED_LABEL + ".recipe": wanted},
        )
    except BuildError as e:
        raise ImageProvisionError(f"Building {tag} failed: {e.msg}") from e
    except DockerException as e:
        raise ImageProvisionError(f"Building {tag} failed: {e}") from e
    return True


def prepare(client: docker.DockerClient, chapter: str, report: Reporter = silent) -> list[str]:
    """Make a chapter's base images and course-provided images exist; idempotent, offline."""
    plan = curriculum.chapter(chapter_key(chapter))
    later_images.wait_for(list(plan.base_images), report)  # python:3.11, built once the first JupyterLab was up
    image_cache.load_into(client, list(plan.base_images), report=report)
    for tag in plan.provided_images:
        build_provided(client, tag, report)
    return [*plan.base_images, *plan.provided_images]
