"""The single-user server's packages for the lab: JupyterHub's own, beside the lab's venv.

The lab image carries JupyterLab but not JupyterHub (a hub is optional, and changing the
image would rebuild every lab). The hub builds, once, a folder of what
``jupyterhub-singleuser`` needs that the lab's venv lacks, resolved for the lab's Python
against the lab's own pins, and a tarball of it that each learner's lab gets a private
copy of (a shared mount would let one learner change another's server).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from grader.engine.lab_image import LAB_PYTHON_VERSION, runtime_pins
from grader.engine.progress import Reporter, silent
from grader.engine.settings import cache_dir
from grader.errors import ConfigError

KIT_IN_LAB = "/opt/hubkit"  # on the single-user server's PYTHONPATH, before the lab's venv


def _jupyterhub_pin() -> str:
    """``jupyterhub==V``: the version this host runs, so hub and single-user servers agree."""
    from importlib.metadata import version

    return f"jupyterhub=={version('jupyterhub')}"


def kit_tarball(report: Reporter = silent) -> Path:
    """The tarball (``hubkit/...``) of the single-user packages, built when missing.

    Raises:
        ConfigError: pip could not resolve or download them (the message has pip's last line).
    """
    pins = runtime_pins()
    digest = hashlib.sha256(repr((pins, _jupyterhub_pin(), LAB_PYTHON_VERSION)).encode()).hexdigest()[:12]
    tarball = cache_dir() / f"hubkit-{digest}.tar"
    if tarball.exists():
        return tarball
    report("downloading JupyterHub's single-user packages for the labs (pip, once)")
    work = Path(tempfile.mkdtemp(dir=cache_dir(), prefix=".hubkit-"))
    try:
        missing = _missing_from_lab(work, pins)
        target = work / "hubkit"
        _pip(["install", "-q", "--no-deps", "--target", str(target), *_lab_python(), *missing])
        partial = tarball.with_suffix(".part")
        with tarfile.open(partial, "w") as tar:
            # the hub's own web assets (share/) and scripts (bin/) are not the single-user server's
            tar.add(target, arcname="hubkit", filter=lambda i: None if _hub_only(i.name) else i)
        partial.rename(tarball)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tarball


def _hub_only(name: str) -> bool:
    parts = name.split("/")
    return len(parts) > 1 and parts[1] in ("share", "bin", "__pycache__")


def _lab_python() -> list[str]:
    return ["--python-version", LAB_PYTHON_VERSION, "--only-binary=:all:"]


def _missing_from_lab(work: Path, pins: str) -> list[str]:
    """``name==version`` of every package JupyterHub needs that the lab's pins do not have."""
    (work / "pins.txt").write_text(pins)
    report = work / "report.json"
    _pip(
        ["install", "-q", "--dry-run", "--ignore-installed", "--target", str(work / "t"), "--report", str(report)]
        + [*_lab_python(), "-c", str(work / "pins.txt"), _jupyterhub_pin()]
    )
    pinned = {line.split("==")[0].lower() for line in pins.splitlines()}
    found = json.loads(report.read_text())["install"]
    names = [(i["metadata"]["name"], i["metadata"]["version"]) for i in found]
    return [f"{n}=={v}" for n, v in names if _norm(n) not in {_norm(p) for p in pinned}]


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _pip(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise ConfigError(f"pip could not fetch JupyterHub's single-user packages for the labs: {last[0][:300]}")
