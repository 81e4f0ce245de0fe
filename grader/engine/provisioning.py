"""Provisioning: make the course's images exist on the host engine and in the tarball cache."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import docker
from docker.errors import DockerException

from grader.engine import image_cache, offline_build
from grader.engine.catalogue import BY_TAG, resolve
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
    official image may stand in) or built offline. An image layered on another
    course image brings that one along; images that do not depend on each other
    are made in parallel, each as soon as its base is made (busybox, Debian and the
    lab at once; the two Pythons when Debian is done, the lab still building).

    Args:
        names: the images (``busybox``, ``python:3.11``, the lab image); all when empty.

    Raises:
        ImageProvisionError: an unknown name, or a build, pull, load or save failed.
    """
    wanted = with_bases(resolve(names))
    steps = {image.tag: f"[{n}/{len(wanted)}] {image.tag}" for n, image in enumerate(wanted, 1)}

    def reporter(image: ImageRecipe) -> Reporter:
        return lambda message: report(f"{steps[image.tag]}: {message}")

    todo = []
    for image in wanted:  # in order, so that "present" lines read as before
        if _ready(client, image):  # the usual case: no need to wait for another provisioning's lock
            reporter(image)("present")
        else:
            todo.append(image)
    if not todo:
        return wanted
    # one thread per image, each starting as soon as its base is made: the Pythons follow Debian
    # without waiting for the lab, the critical path of a cold provisioning
    with image_cache.provision_lock(), ThreadPoolExecutor(max_workers=len(todo)) as pool:
        jobs: dict[str, Future[None]] = {}
        for image in todo:  # bases first (with_bases), so a base's job exists before its images'
            base = jobs.get(image.on.tag) if image.on is not None else None
            jobs[image.tag] = pool.submit(_make_after, base, client, image, pull, reporter(image))
        for job in jobs.values():
            job.result()  # the first failure raises, once every job has finished
    return wanted


def with_bases(images: list[ImageRecipe]) -> list[ImageRecipe]:
    """``images`` and the catalogue images they are layered on, bases first."""
    out: list[ImageRecipe] = []
    for image in images:
        chain: list[ImageRecipe] = []
        current: ImageRecipe | None = image
        while current is not None and current not in out and current not in chain:
            chain.append(current)
            current = current.on if current.on is not None and current.on.tag in BY_TAG else None
        out.extend(reversed(chain))
    return out


def _ready(client: docker.DockerClient, image: ImageRecipe) -> bool:
    return image_cache.present(client, image) and image_cache.tarball(image).exists()


def _make_after(
    base: Future[None] | None, client: docker.DockerClient, image: ImageRecipe, pull: bool, report: Reporter
) -> None:
    """:func:`_make` once ``base`` (the job making the image it is layered on) has finished."""
    if base is not None:
        base.result()  # a failed base fails this image too (its own job reports the cause first)
    _make(client, image, pull, report)


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
