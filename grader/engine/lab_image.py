"""The lab image: Debian 13 with Docker 26 (BuildKit, buildx, Compose v2), the course's Python and the lab's init.

Built offline like the base images (debootstrap of trixie, whose engine is the
one a learner meets today, while the base look-alikes stay bookworm), plus a
Python venv installed from a wheelhouse that the host downloads for the lab's
Python. Two images: ``LAB_BASE`` (Debian, the engine, the venv) and the lab FROM
it with the scripts of ``grader/images/lab/`` (``lab-init``, the lab's
``docker-course`` and ``docker``), so an edit of a script costs seconds. The
host's venv and the lab's install the same pins (constraints.txt): a gradebook
made on one opens on the other.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grader.engine import rootfs
from grader.engine.image_recipe import IMAGES_DIR, ImageRecipe
from grader.engine.progress import Reporter, silent
from grader.engine.settings import cache_dir
from grader.errors import ImageProvisionError

# A tag of its own (not the bookworm lab's): a checkout on the old recipe and one on
# this one can share a host engine and its tarball cache without rebuilding each other's.
# DOCKER_COURSE_LAB_IMAGE names it otherwise (the fresh-machine benchmark builds one of its own
# beside the lab image other labs on the machine run from).
LAB_IMAGE = os.environ.get("DOCKER_COURSE_LAB_IMAGE") or "docker-course/lab:trixie"
LAB_SUITE = "trixie"
LAB_PYTHON_VERSION = "3.13.5"  # Debian 13's python3: the lab's wheels must install there
HOST_PYTHON_FLOOR = "3.11.2"  # Debian 12's python3, which course.sh may make the host's venv with
LAB_SUPPORT = IMAGES_DIR / "lab"
LAB_PYTHON = "/opt/course"  # the lab's venv: its kernel, JupyterLab, nbgrader
# The course's Python lock (``./course.sh lock``); the lab installs its runtime section.
CONSTRAINTS = IMAGES_DIR.parents[1] / "constraints.txt"
RUNTIME_SECTION, TEST_SECTION = "# [runtime]", "# [test]"
LAB_PACKAGES = (
    "docker.io",
    "docker-cli",  # trixie's docker.io ships the engine only
    "docker-buildx",  # BuildKit becomes `docker build`'s default builder
    "docker-compose",
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
)


def runtime_pins() -> str:
    """The runtime section of constraints.txt (``name==version`` lines): exactly what the lab installs.

    Raises:
        ImageProvisionError: the file or its runtime section is missing.
    """
    try:
        text = CONSTRAINTS.read_text()
    except OSError as e:
        raise ImageProvisionError(
            f"The lab's Python lock {CONSTRAINTS} cannot be read ({e.strerror}): regenerate it with `./course.sh lock`."
        ) from e
    pins, inside = [], False
    for line in text.splitlines():
        if line.startswith("#"):
            inside = line.startswith(RUNTIME_SECTION) or (inside and not line.startswith(TEST_SECTION))
        elif inside and line.strip():
            pins.append(line.strip())
    if not pins:
        raise ImageProvisionError(
            f"{CONSTRAINTS} has no {RUNTIME_SECTION} section: regenerate it with `./course.sh lock`."
        )
    return "".join(f"{pin}\n" for pin in pins)


def lab_layout(root: Path, report: Reporter) -> None:
    """Install the lab's Python environment (the runtime pins, from a wheelhouse); the scripts come in a layer above."""
    pins = runtime_pins()
    wheelhouse = wheelhouse_for_lab(pins, report)
    inside = root / "tmp/wheelhouse"
    shutil.copytree(wheelhouse, inside)
    (inside / "pins.txt").write_text(pins)
    report("installing JupyterLab, nbgrader and the SDK into the lab (offline, pinned)")
    rootfs.chroot(
        root,
        f"python3 -m venv {LAB_PYTHON} && {LAB_PYTHON}/bin/pip install -q --no-index "
        "--find-links /tmp/wheelhouse -r /tmp/wheelhouse/pins.txt",
        "installing the lab's Python packages",
    )
    shutil.rmtree(inside)


def wheelhouse_for_lab(pins: str, report: Reporter = silent) -> Path:
    """Wheels of the pinned packages, resolved for the lab's Python (Debian 13's), cached by their digest."""
    digest = hashlib.sha256(repr((pins, LAB_PYTHON_VERSION)).encode()).hexdigest()[:12]
    folder = cache_dir() / f"wheelhouse-{digest}"
    if (folder / ".complete").exists():
        return folder
    report(f"downloading wheels for the lab's Python {LAB_PYTHON_VERSION} (pip download)")
    tmp = Path(tempfile.mkdtemp(dir=cache_dir()))
    (tmp / "pins.txt").write_text(pins)
    command = [sys.executable, "-m", "pip", "download", "-q", "--python-version", LAB_PYTHON_VERSION]
    rootfs.run(
        [*command, "--only-binary=:all:", "-d", str(tmp), "-r", str(tmp / "pins.txt")],
        "pip download (the lab's wheelhouse)",
    )
    (tmp / "pins.txt").unlink()
    (tmp / ".complete").write_text("ok")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


# Debian, its engine and the course's venv: rebuilt only when packages or the Python pins change.
LAB_BASE = ImageRecipe(
    "{}-base:{}".format(*LAB_IMAGE.rsplit(":", 1)),  # docker-course/lab-base:trixie
    "lab",
    LAB_PACKAGES,
    size_hint="~870 MB",
    inputs=lambda: runtime_pins() + LAB_PYTHON_VERSION,  # read when needed: a test-tool bump leaves it
    layout=lab_layout,
    prefetch=lambda report: wheelhouse_for_lab(runtime_pins(), report),  # downloaded while debootstrap runs
    pullable=False,  # no registry has it: always built here
    suite=LAB_SUITE,
)
# The lab: its base plus the scripts of grader/images/lab/ (lab-init, docker-course, docker).
LAB = ImageRecipe(
    LAB_IMAGE,
    "lab",
    changes=(
        f"ENV PATH={LAB_PYTHON}/bin:" + rootfs.PATH_LOCAL_FIRST,
        "ENV LANG=C.UTF-8",
        "ENV SHELL=/bin/bash",
        'ENTRYPOINT ["/usr/local/bin/lab-init"]',
        "EXPOSE 8888",
    ),
    size_hint="~870 MB",
    support=LAB_SUPPORT,
    pullable=False,
    suite=LAB_SUITE,
    on=LAB_BASE,
)
