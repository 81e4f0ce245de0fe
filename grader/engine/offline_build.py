"""Building an image offline: a root filesystem from Debian packages, then ``docker import``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docker
from docker.errors import APIError

from grader.engine import rootfs
from grader.engine.image_recipe import RECIPE_LABEL, ImageRecipe
from grader.engine.progress import Reporter
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, ensure_writable
from grader.errors import ImageProvisionError


def build(client: docker.DockerClient, image: ImageRecipe, report: Reporter) -> None:
    """Make ``image`` on ``client``'s engine from its recipe, labelled as course-built.

    Raises:
        ImageProvisionError: a host step (debootstrap, chroot, pip) or the import failed.
    """
    work = ensure_writable(cache_dir() / "build", "cache")
    # one package cache per release: debootstrap picks debs by name, and two suites' names differ
    debs = cache_dir() / ("debs" if image.suite == rootfs.SUITE else f"debs-{image.suite}")
    root = work / image.slug
    try:
        if image.kind == "busybox":
            assert image.support is not None, "a busybox recipe names its support folder"
            rootfs.busybox_root(root, debs, image.support, report)
        else:
            rootfs.debootstrap(root, list(image.packages), debs, report, suite=image.suite)
            if image.layout is not None:
                image.layout(root, report)
            rootfs.trim(root)
        report("docker import")
        _import(client, root, image)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _import(client: docker.DockerClient, root: Path, image: ImageRecipe) -> None:
    repo, tag = image.tag.split(":")
    changes = [
        *image.changes,
        f"LABEL {COURSE_BUILT_LABEL}=true {RECIPE_LABEL}={image.recipe()}",
    ]
    tar = subprocess.Popen(["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    try:
        assert tar.stdout is not None
        client.api.import_image_from_stream(tar.stdout, repository=repo, tag=tag, changes=changes)
    except APIError as e:
        raise ImageProvisionError(f"docker import of {image.tag} failed: {e.explanation}") from e
    finally:
        tar.wait()
