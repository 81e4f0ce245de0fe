"""Provisioning: make the course's images exist on the host engine and in the tarball cache."""

from __future__ import annotations

import docker
from docker.errors import DockerException

from grader.engine import image_cache, offline_build
from grader.engine.catalogue import resolve
from grader.engine.image_recipe import ImageRecipe
from grader.engine.progress import Reporter, silent
from grader.errors import ImageProvisionError


def provision(
    client: docker.DockerClient,
    names: list[str] | None = None,
    pull: bool = False,
    report: Reporter = silent,
) -> list[ImageRecipe]:
    """Make the images exist on ``client``'s engine and in the tarball cache.

    Idempotent: an image already there (same recipe) costs one inspect; an image
    with a cached tarball is loaded; otherwise it is pulled (``pull``, where an
    official image may stand in) or built offline.

    Args:
        names: the images (``busybox``, ``python:3.11``, the lab image); all when empty.

    Raises:
        ImageProvisionError: an unknown name, or a build, pull, load or save failed.
    """
    wanted = resolve(names)
    for n, image in enumerate(wanted, 1):
        step = f"[{n}/{len(wanted)}] {image.tag}"

        def report_step(message: str, step: str = step) -> None:
            report(f"{step}: {message}")

        if _ready(client, image):  # the usual case: no need to wait for another provisioning's lock
            report_step("present")
            continue
        with image_cache.provision_lock():
            _make(client, image, pull, report_step)
    return wanted


def _ready(client: docker.DockerClient, image: ImageRecipe) -> bool:
    return image_cache.present(client, image) and image_cache.tarball(image).exists()


def _make(client: docker.DockerClient, image: ImageRecipe, pull: bool, report: Reporter) -> None:
    """Load, pull or build one image, then cache it (under the provisioning lock)."""
    if image_cache.present(client, image):
        report("present")
        image_cache.save(client, image, report)
        return
    cached = image_cache.tarball(image)
    if cached.exists():
        report(f"loading from cache {cached.name}")
        image_cache.load_tarball(client, cached)
        return
    if pull and image.pullable:
        report("pulling from the registry")
        _pull(client, image)
    else:
        report(f"building offline from Debian packages ({image.size_hint})")
        offline_build.build(client, image, report)
    image_cache.save(client, image, report)


def _pull(client: docker.DockerClient, image: ImageRecipe) -> None:
    repo, tag = image.tag.split(":")
    try:
        client.images.pull(repo, tag=tag)
    except DockerException as e:
        raise ImageProvisionError(
            f"Pulling {image.tag} failed ({str(e)[:160]}). Without a registry, run "
            "`docker-course images` (no --pull) to build it offline."
        ) from e
