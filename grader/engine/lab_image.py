"""The lab image: Debian with Docker's engine, the course's Python environment and the lab's init.

Built offline like the base images (debootstrap), plus a Python venv installed
from a wheelhouse that the host downloads for the lab's Python, and the scripts
in ``grader/images/lab/`` (``lab-init``, the lab's ``docker-course``).
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
from grader.errors import ImageProvisionError

LAB_IMAGE = "docker-course/lab:latest"
LAB_SUPPORT = IMAGES_DIR / "lab"
LAB_PYTHON = "/opt/course"  # the lab's venv: its kernel, JupyterLab, nbgrader
# The course's Python lock (``./course.sh lock``); the lab installs its runtime section.
CONSTRAINTS = IMAGES_DIR.parents[1] / "constraints.txt"
RUNTIME_SECTION, TEST_SECTION = "# [runtime]", "# [test]"
LAB_PACKAGES = (
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
    """Install the lab's Python environment (the runtime pins, from a wheelhouse) and its init scripts."""
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
    for name in ("lab-init", "docker-course", "docker"):
        shutil.copy2(LAB_SUPPORT / name, root / "usr/local/bin" / name)
        (root / "usr/local/bin" / name).chmod(0o755)


def wheelhouse_for_lab(pins: str, report: Reporter = silent) -> Path:
    """Wheels of the pinned packages, resolved for the lab's Python (Debian's), cached by their digest."""
    digest = hashlib.sha256(repr((pins, rootfs.LAB_PYTHON_VERSION)).encode()).hexdigest()[:12]
    folder = cache_dir() / f"wheelhouse-{digest}"
    if (folder / ".complete").exists():
        return folder
    report(f"downloading wheels for the lab's Python {rootfs.LAB_PYTHON_VERSION} (pip download)")
    tmp = Path(tempfile.mkdtemp(dir=cache_dir()))
    (tmp / "pins.txt").write_text(pins)
    command = [sys.executable, "-m", "pip", "download", "-q", "--python-version", rootfs.LAB_PYTHON_VERSION]
    rootfs.run(
        [*command, "--only-binary=:all:", "-d", str(tmp), "-r", str(tmp / "pins.txt")],
        "pip download (the lab's wheelhouse)",
    )
    (tmp / "pins.txt").unlink()
    (tmp / ".complete").write_text("ok")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


LAB = ImageRecipe(
    LAB_IMAGE,
    "lab",
    LAB_PACKAGES,
    (
        f"ENV PATH={LAB_PYTHON}/bin:" + rootfs.PATH_LOCAL_FIRST,
        "ENV LANG=C.UTF-8",
        "ENV SHELL=/bin/bash",
        'ENTRYPOINT ["/usr/local/bin/lab-init"]',
        "EXPOSE 8888",
    ),
    size_hint="~750 MB",
    support=LAB_SUPPORT,
    inputs=runtime_pins,  # read when the recipe is needed: a test-tool bump leaves it alone
    layout=lab_layout,
    pullable=False,  # no registry has it: always built here
)
