"""Building an image offline: a root filesystem from Debian packages, then ``docker import``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import docker
from docker.errors import APIError, BuildError, ImageNotFound

from grader.engine import layered_build, root_build, rootfs
from grader.engine.image_recipe import RECIPE_LABEL, ImageRecipe
from grader.engine.progress import Reporter
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, ensure_writable
from grader.errors import ImageProvisionError


def build(client: docker.DockerClient, image: ImageRecipe, report: Reporter) -> None:
    """Make ``image`` on ``client``'s engine from its recipe, labelled as course-built.

    Raises:
        ImageProvisionError: a host step (debootstrap, chroot, pip) or the import failed.
    """
    if image.on is not None and image.layers:
        layered_build.build_layered(client, image, report)
        return
    if image.on is not None:
        _build_on(client, image, report)
        return
    if image.kind == "busybox":
        assert image.support is not None, "a busybox recipe names its support folder"
        work = ensure_writable(cache_dir() / "build", "cache")
        root = work / image.slug
        try:
            rootfs.busybox_root(root, root_build.deb_cache(image), image.support, report)
            report("docker import")
            _import(client, root, image)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    with root_build.made_root(image, report) as root:
        report("docker import")
        _import(client, root, image)


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


def _build_on(client: docker.DockerClient, image: ImageRecipe, report: Reporter) -> None:
    """``image`` as a Dockerfile build FROM ``image.on`` (made first when missing or stale)."""
    assert image.on is not None and image.support is not None, "a layered recipe names its base and support"
    try:
        labels = client.images.get(image.on.tag).labels or {}
    except ImageNotFound:
        labels = {}
    if labels.get(RECIPE_LABEL) != image.on.recipe():
        report(f"building its base {image.on.tag} ({image.on.size_hint})")
        build(client, image.on, report)
    scripts = sorted(p.name for p in image.support.iterdir() if p.is_file() and os.access(p, os.X_OK))
    dockerfile = [
        f"FROM {image.on.tag}",
        *([f"COPY {' '.join(scripts)} /usr/local/bin/"] if scripts else []),
        *image.changes,
        f"LABEL {COURSE_BUILT_LABEL}=true {RECIPE_LABEL}={image.recipe()}",
    ]
    report(f"adding {', '.join(scripts) or 'its settings'} on {image.on.tag}")
    with tempfile.TemporaryDirectory(dir=ensure_writable(cache_dir() / "build", "cache")) as tmp:
        for name in scripts:
            shutil.copy2(image.support / name, Path(tmp) / name)
            (Path(tmp) / name).chmod(0o755)
        (Path(tmp) / "Dockerfile").write_text("\n".join(dockerfile) + "\n")
        try:
            client.images.build(path=tmp, tag=image.tag, rm=True, forcerm=True)
        except (BuildError, APIError) as e:
            raise ImageProvisionError(f"building {image.tag} on {image.on.tag} failed: {e}") from e
