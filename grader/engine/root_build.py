"""A course image's root filesystem, made once per recipe under a lock: by provisioning, or ahead of it.

The lab's root filesystem (debootstrap of Debian 13, the wheelhouse, the venv) is
the longest step of a fresh machine, and needs only the standard library and the
host's tools. ``./course.sh start`` therefore runs ``python -m
grader.engine.root_build`` in the background while pip installs the course's
Python packages (Debian's root filesystem too, below both Python images);
provisioning then finds the root made (or waits for it, under the
same lock) and only imports it. Without the head start, provisioning makes it itself.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from grader.engine import rootfs
from grader.engine.file_lock import held
from grader.engine.image_recipe import ImageRecipe
from grader.engine.progress import Reporter, console
from grader.engine.settings import Settings, cache_dir, ensure_writable
from grader.errors import GraderError


def deb_cache(image: ImageRecipe) -> Path:
    """The folder of downloaded .debs of the image's Debian release (debootstrap picks debs by name)."""
    return cache_dir() / ("debs" if image.suite == rootfs.SUITE else f"debs-{image.suite}")


@contextmanager
def made_root(image: ImageRecipe, report: Reporter) -> Iterator[Path]:
    """The trimmed root filesystem of ``image``: made ahead, or made now; removed once used.

    Raises:
        ImageProvisionError: debootstrap, the prefetch or the layout failed.
    """
    with _root_lock(image) as root:
        done = _done_marker(root)
        try:
            if done.exists():
                report("root filesystem made ahead (while the course's Python packages installed)")
            else:
                make_root(image, root, report)
            yield root
        finally:
            shutil.rmtree(root, ignore_errors=True)
            done.unlink(missing_ok=True)


def make_root(image: ImageRecipe, root: Path, report: Reporter) -> None:
    """Debootstrap ``image``'s packages into ``root`` (its prefetch downloading meanwhile), lay out, trim."""
    done = _done_marker(root)
    done.unlink(missing_ok=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        fetched = pool.submit(image.prefetch, report) if image.prefetch is not None else None
        rootfs.debootstrap(root, list(image.packages), deb_cache(image), report, suite=image.suite)
        if fetched is not None:
            fetched.result()
    if image.layout is not None:
        image.layout(root, report)
    rootfs.trim(root)
    done.write_text(image.recipe())


def make_ahead(image: ImageRecipe, tarball: Path, report: Reporter) -> bool:
    """Make ``image``'s root filesystem now, for a provisioning to come; False when it is not needed.

    Not needed: the image that uses it is cached already (``tarball``), or the root is made.
    """
    if tarball.exists():
        return False
    with _root_lock(image) as root:
        if _done_marker(root).exists():
            return False
        make_root(image, root, report)
        return True


@contextmanager
def _root_lock(image: ImageRecipe) -> Iterator[Path]:
    """Hold the image's build lock; yield where its root filesystem for the current recipe lives."""
    work = ensure_writable(cache_dir() / "build", "cache")
    root = work / f"{image.slug}-{image.recipe()}"
    with held(work / f"{image.slug}.lock"):
        for stale in work.glob(f"{image.slug}-*"):  # an older recipe's root, made ahead and never used
            mine = stale.name.removesuffix(".done").rsplit("-", 1)[0] == image.slug  # not python_3.11-slim's
            if mine and stale.name not in (root.name, _done_marker(root).name):
                _remove(stale)
        yield root


def _done_marker(root: Path) -> Path:
    return root.with_name(root.name + ".done")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def main() -> int:
    """Make the lab's and Debian's root filesystems ahead of ``docker-course up`` (root on Debian, lab mode only)."""
    from grader.engine.catalogue import DEBIAN_SLIM
    from grader.engine.lab_image import LAB, LAB_BASE  # the lab's recipe reads the Python lock

    report = console("root-build")
    if os.geteuid() != 0 or not (shutil.which("mmdebstrap") or shutil.which("debootstrap")):
        report("not root, or no debootstrap: provisioning will make the lab's root filesystem itself")
        return 0
    try:
        if Settings.load().mode != "lab":
            report("host mode: no lab image to make")
            return 0
        # Debian's too: then only the Python layers of python:3.11-slim are left for after pip
        ahead = [(LAB_BASE, LAB.tarball_name), (DEBIAN_SLIM, DEBIAN_SLIM.tarball_name)]
        with ThreadPoolExecutor(max_workers=len(ahead)) as pool:
            jobs = [pool.submit(make_ahead, image, cache_dir() / "images" / name, report) for image, name in ahead]
            made = [job.result() for job in jobs]
    except GraderError as e:
        report(f"failed ({e}); provisioning will try again")
        return 1
    for (image, _), done in zip(ahead, made, strict=True):
        report(f"{image.tag}: " + ("made" if done else "not needed (its image is cached, or its root is made)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
