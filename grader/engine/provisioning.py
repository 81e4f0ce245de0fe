"""Provisioning: make the course's images exist on the host engine and in the tarball cache."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
    are made in parallel (busybox, Debian and the lab; then the two Pythons).

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
    for wave in waves(todo):
        # one lock for the round (a second flock in this process would wait for the first)
        with image_cache.provision_lock(), ThreadPoolExecutor(max_workers=len(wave)) as pool:
            jobs = [pool.submit(_make, client, image, pull, reporter(image)) for image in wave]
            for job in jobs:
                job.result()  # the first failure raises, once the round has finished
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


def waves(images: list[ImageRecipe]) -> list[list[ImageRecipe]]:
    """``images`` in rounds: each round's images depend only on earlier rounds' (or on none)."""
    rounds: list[list[ImageRecipe]] = []
    left = list(images)
    while left:
        waiting = {i.tag for i in left}
        ready = [i for i in left if i.on is None or i.on.tag not in waiting]
        rounds.append(ready)
        left = [i for i in left if i not in ready]
    return rounds


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
