"""The tarball cache of provisioned images, and loading them into an engine in seconds.

Each image is kept as a ``docker save`` tarball named by its recipe digest, so a
fresh lab's engine gets its base images by ``docker load`` instead of a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound

from grader.engine.catalogue import base_images
from grader.engine.file_lock import held
from grader.engine.image_recipe import RECIPE_LABEL, ImageRecipe
from grader.engine.progress import Reporter, silent
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, ensure_writable
from grader.errors import ImageProvisionError

KEEP_RECIPES = 3  # per image; `python_3.11-slim-*` is not an older `python_3.11-*`


def images_cache() -> Path:
    """The folder of image tarballs (shared by every lab of this user)."""
    return cache_dir() / "images"


def tarball(image: ImageRecipe) -> Path:
    """Where ``image``'s tarball for its current recipe lives."""
    return images_cache() / image.tarball_name


@contextmanager
def provision_lock() -> Iterator[None]:
    """One provisioning at a time per cache (parallel test runs and graders share it)."""
    folder = ensure_writable(cache_dir(), "cache")
    with held(folder / ".provision.lock"):
        yield


def present(client: docker.DockerClient, image: ImageRecipe) -> bool:
    """True when the engine holds ``image`` built from the current recipe (or pulled, where allowed)."""
    try:
        labels = client.images.get(image.tag).labels or {}
    except ImageNotFound:
        return False
    return recipe_matches(image, labels)


def recipe_matches(image: ImageRecipe, labels: dict[str, str]) -> bool:
    """True when an image with these labels stands for ``image`` (its current recipe, or pulled where allowed)."""
    if labels.get(COURSE_BUILT_LABEL) != "true":
        return image.pullable  # an official image pulled by the user is fine
    return labels.get(RECIPE_LABEL) == image.recipe()


def save(client: docker.DockerClient, image: ImageRecipe, report: Reporter) -> None:
    """Cache ``image`` from the engine as its tarball (once per recipe; older recipes' tarballs go).

    Raises:
        ImageProvisionError: the save or the write failed (no partial tarball is left).
    """
    target = tarball(image)
    if target.exists():
        return
    images_cache().mkdir(parents=True, exist_ok=True)
    report(f"caching as {target.name}")
    partial = target.with_suffix(".partial")
    try:
        with open(partial, "wb") as out:
            for chunk in client.images.get(image.tag).save(named=True):
                out.write(chunk)
        partial.rename(target)
    except (DockerException, OSError) as e:
        partial.unlink(missing_ok=True)
        raise ImageProvisionError(f"Could not cache {image.tag} as {target}: {e}") from e
    _drop_old_recipes(image)


def _drop_old_recipes(image: ImageRecipe) -> None:
    """Keep the newest KEEP_RECIPES tarballs of an image: checkouts of different versions share one cache."""
    mine = [p for p in images_cache().glob(f"{image.slug}-*.tar") if p.name.rsplit("-", 1)[0] == image.slug]
    for old in sorted(mine, key=lambda p: p.stat().st_mtime, reverse=True)[KEEP_RECIPES:]:
        old.unlink(missing_ok=True)


def load_tarball(client: docker.DockerClient, path: Path) -> None:
    """``docker load`` a cached tarball into the engine (streamed, not read into memory)."""
    try:
        with open(path, "rb") as stream:
            for _ in client.api.load_image(stream):
                pass
    except (DockerException, OSError) as e:
        raise ImageProvisionError(
            f"Loading {path.name} failed ({str(e)[:160]}); delete it and run `docker-course images`."
        ) from e


def load_into(client: docker.DockerClient, names: list[str] | None = None, report: Reporter = silent) -> None:
    """Load base images into a (lab) engine from the cache, skipping those already there.

    Raises:
        ImageProvisionError: an image has no tarball yet (the message names the command that makes it).
    """
    # one listing for all of them (a fresh lab's engine answers it as fast as one inspect)
    listed = client.api.images()
    held = {tag: summary.get("Labels") or {} for summary in listed for tag in summary.get("RepoTags") or []}
    for image in base_images(names):
        if image.tag in held and recipe_matches(image, held[image.tag]):
            continue
        cached = tarball(image)
        if not cached.exists():
            raise ImageProvisionError(
                f"The base image {image.tag} is not in the course cache ({cached}). Run `docker-course images` first."
            )
        report(f"loading {image.tag} into the engine")
        load_tarball(client, cached)
