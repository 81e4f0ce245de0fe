"""Base images layered like the official ones: a Debian base below, one layer of packages per step.

``python:3.11-slim`` is ``debian:bookworm-slim`` plus a layer of Python;
``python:3.11`` is the same Debian plus a layer of build tools (the official
image sits on buildpack-deps) plus a layer of Python with its headers, never the
slim Python image. Each layer is made host-side: the base image's files, ``apt-get
install`` in a chroot of them (the only step that reaches the package mirror), the
files that changed (less what ``rootfs.trim`` removes), then ``ADD layer.tar /`` in a
Dockerfile FROM the base. Nothing is bootstrapped twice.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import docker
from docker.errors import APIError, BuildError, DockerException

from grader.engine import rootfs
from grader.engine.image_recipe import RECIPE_LABEL, ImageRecipe
from grader.engine.progress import Reporter
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, ensure_writable
from grader.errors import ImageProvisionError

# Files Docker manages in every container: never part of a layer.
ENGINE_FILES = {"etc/resolv.conf", "etc/hosts", "etc/hostname", ".dockerenv"}
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


def build_layered(client: docker.DockerClient, image: ImageRecipe, report: Reporter) -> None:
    """Make ``image`` as ``image.on`` plus one layer per entry of ``image.layers``.

    Raises:
        ImageProvisionError: the base is missing, apt-get failed, or the build failed.
    """
    assert image.on is not None and image.layers, "a layered recipe names its base and its layers"
    work = ensure_writable(cache_dir() / "build", "cache") / image.slug
    shutil.rmtree(work, ignore_errors=True)
    root, before, context = work / "root", work / "before", work / "context"
    debs = cache_dir() / "debs"
    try:
        report(f"the files of {image.on.tag}")
        export_root(client, image.on.tag, root)
        shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf")  # apt-get reaches the mirror
        apt(root, ["update"], "apt-get update")
        context.mkdir()
        for n, packages in enumerate(image.layers):
            shutil.rmtree(before, ignore_errors=True)
            rootfs.run(["cp", "-a", str(root), str(before)], "snapshot of the root filesystem")
            report(f"layer {n + 1}: apt-get install {' '.join(packages)}")
            install(root, packages, debs)
            if n == len(image.layers) - 1 and image.layout is not None:
                image.layout(root, report)
            count = write_layer(before, root, context / f"layer{n}.tar")
            report(f"layer {n + 1}: {count} files")
        dockerfile = [
            f"FROM {image.on.tag}",
            *(f"ADD layer{n}.tar /" for n in range(len(image.layers))),
            *image.changes,
            f"LABEL {COURSE_BUILT_LABEL}=true {RECIPE_LABEL}={image.recipe()}",
        ]
        (context / "Dockerfile").write_text("\n".join(dockerfile) + "\n")
        report(f"docker build FROM {image.on.tag}")
        client.images.build(path=str(context), tag=image.tag, rm=True, forcerm=True)
    except (BuildError, APIError) as e:
        raise ImageProvisionError(f"building {image.tag} on {image.on.tag} failed: {e}") from e
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_root(client: docker.DockerClient, tag: str, target: Path) -> None:
    """Unpack the filesystem of image ``tag`` into ``target`` (through a created container).

    Raises:
        ImageProvisionError: the image is missing or the export failed.
    """
    target.mkdir(parents=True)
    try:
        container = client.containers.create(tag, command=["true"], network_disabled=True)
    except DockerException as e:
        raise ImageProvisionError(f"cannot read the files of {tag}: {e}") from e
    try:
        untar = subprocess.Popen(["tar", "-x", "--numeric-owner", "-C", str(target)], stdin=subprocess.PIPE)
        assert untar.stdin is not None
        for chunk in container.export():
            untar.stdin.write(chunk)
        untar.stdin.close()
        if untar.wait() != 0:
            raise ImageProvisionError(f"unpacking the files of {tag} failed")
    finally:
        container.remove(force=True)


def install(root: Path, packages: tuple[str, ...], debs: Path) -> None:
    """``apt-get install --no-install-recommends`` in ``root``, reusing and filling the deb cache."""
    archives = root / "var/cache/apt/archives"
    archives.mkdir(parents=True, exist_ok=True)
    debs.mkdir(parents=True, exist_ok=True)
    _link_debs(debs, archives)
    apt(root, ["install", "-y", "-q", "--no-install-recommends", *packages], "apt-get install")
    _link_debs(archives, debs)


def apt(root: Path, args: list[str], what: str) -> None:
    """Run apt-get in the chroot ``root`` (host-side: the chroot shares the host's network)."""
    env = {"PATH": rootfs.PATH_LOCAL_FIRST, "HOME": "/root", "LANG": "C.UTF-8", **APT_ENV}
    rootfs.run(["chroot", str(root), "apt-get", *args], what, env=env)


def _link_debs(source: Path, target: Path) -> None:
    for deb in source.glob("*.deb"):
        dest = target / deb.name
        if not dest.exists():
            try:
                os.link(deb, dest)
            except OSError:
                shutil.copy2(deb, dest)


def trimmed_away(rel: str) -> bool:
    """True for a path ``rootfs.trim`` removes (docs, man pages, apt lists, caches, __pycache__)."""
    if any(rel.startswith(prefix + "/") for prefix in rootfs.TRIM_PATHS):
        return True
    return fnmatch.fnmatch(rel, "usr/lib/python3*/*__pycache__*")


def write_layer(before: Path, after: Path, tar_path: Path) -> int:
    """Tar every path of ``after`` that is new or changed since ``before``; return how many.

    Paths that the trim removes and the files Docker manages are left out. A path removed
    since ``before`` cannot be expressed by ``ADD`` and is ignored (apt-get install removes none).
    """
    count = 0
    with tarfile.open(tar_path, "w") as tar:
        for dirpath, dirnames, filenames in os.walk(after):
            dirnames.sort()
            for name in [*dirnames, *sorted(filenames)]:
                path = Path(dirpath) / name
                rel = str(path.relative_to(after))
                if rel in ENGINE_FILES or trimmed_away(rel) or _unchanged(path, before / rel):
                    continue
                tar.add(path, arcname=rel, recursive=False)
                count += 1
    return count


def _unchanged(new: Path, old: Path) -> bool:
    try:
        a, b = os.lstat(new), os.lstat(old)
    except FileNotFoundError:
        return False
    if (a.st_mode, a.st_uid, a.st_gid) != (b.st_mode, b.st_uid, b.st_gid):
        return False
    if stat.S_ISLNK(a.st_mode):
        return os.readlink(new) == os.readlink(old)
    if stat.S_ISDIR(a.st_mode) or not stat.S_ISREG(a.st_mode):
        return True
    if a.st_size != b.st_size:
        return False
    return a.st_mtime_ns == b.st_mtime_ns or new.read_bytes() == old.read_bytes()
