"""The images the course provisions: the base images exercises use, and the lab image.

Base images go into every course engine (a lab's, or the host's in host mode);
the lab image runs on the host engine. Both are made the same way (see
``provisioning``), from the recipes listed here.
"""

from __future__ import annotations

from grader.engine import rootfs
from grader.engine.image_recipe import IMAGES_DIR, ImageRecipe
from grader.engine.lab_image import LAB, LAB_IMAGE
from grader.errors import ImageProvisionError

BUSYBOX_SUPPORT = IMAGES_DIR / "busybox"
PYTHON_SLIM = ("python3", "python3-pip", "python3-venv", "ca-certificates")
# python:3.11 sits on a fuller Debian (the official one on buildpack-deps), never on the slim Python
BUILD_TOOLS = ("gcc", "libc6-dev", "make", "ca-certificates")
PYTHON_DEV = ("python3", "python3-pip", "python3-venv", "python3-dev", "python3-setuptools", "python3-wheel")
PYTHON_FULL = (*PYTHON_SLIM, "python3-dev", "python3-setuptools", "python3-wheel", "gcc", "libc6-dev", "make")
_ENV_PATH = f"ENV PATH={rootfs.PATH_LOCAL_FIRST}"
_PYTHON_CHANGES = (_ENV_PATH, "ENV LANG=C.UTF-8", "ENV PYTHON_VERSION=3.11", 'CMD ["python3"]')

DEBIAN_SLIM = ImageRecipe("debian:bookworm-slim", "debian", changes=(_ENV_PATH, 'CMD ["bash"]'), size_hint="~75 MB")
BASE_IMAGES: tuple[ImageRecipe, ...] = (
    ImageRecipe("busybox:latest", "busybox", changes=('CMD ["sh"]',), size_hint="~4 MB", support=BUSYBOX_SUPPORT),
    DEBIAN_SLIM,
    ImageRecipe(
        "python:3.11-slim",
        "python",
        PYTHON_SLIM,
        _PYTHON_CHANGES,
        "~130 MB",
        layout=rootfs.python_layout,
        on=DEBIAN_SLIM,
        layers=(PYTHON_SLIM,),
    ),
    ImageRecipe(
        "python:3.11",
        "python",
        PYTHON_FULL,
        _PYTHON_CHANGES,
        "~1 GB",
        layout=rootfs.python_layout,
        on=DEBIAN_SLIM,
        layers=(BUILD_TOOLS, PYTHON_DEV),
    ),
)
ALL_IMAGES: tuple[ImageRecipe, ...] = (*BASE_IMAGES, LAB)
BY_TAG = {image.tag: image for image in ALL_IMAGES}
COURSE_BASE_TAGS = tuple(i.tag for i in BASE_IMAGES)
__all__ = ["ALL_IMAGES", "BASE_IMAGES", "BY_TAG", "COURSE_BASE_TAGS", "LAB_IMAGE", "resolve"]


def resolve(names: list[str] | None) -> list[ImageRecipe]:
    """Images by name (``busybox`` means ``busybox:latest``); all of them when ``names`` is empty.

    Raises:
        ImageProvisionError: a name the course does not provision.
    """
    if not names:
        return list(ALL_IMAGES)
    out = []
    for name in names:
        tag = name if ":" in name else f"{name}:latest"
        if tag not in BY_TAG:
            known = ", ".join(BY_TAG)
            raise ImageProvisionError(f"{name!r} is not a course base image; known: {known}.")
        out.append(BY_TAG[tag])
    return out


def base_images(names: list[str] | None = None) -> list[ImageRecipe]:
    """The base images among ``names`` (all base images when empty): what a course engine holds."""
    return [i for i in resolve(names or list(COURSE_BASE_TAGS)) if i in BASE_IMAGES]
