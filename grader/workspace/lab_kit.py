"""The read-only kit a learner's lab mounts instead of the checkout: the grader package, nothing of the answers.

The same kit grading labs mount (``nbgrader_glue.workspace.make_kit``): the
``grader`` package, the course's nbgrader config and the course's files without
notebooks (chapter assets that checks compare against). The lab mounts it
read-only, so nothing the lab writes is code the host runs; the learner's
notebooks come from the workspace. Kits are content-addressed
(``STATE/kits/<digest>``): a changed course or grader makes a new kit, and with
it a new lab fingerprint, so a lab never runs stale code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from grader.engine.settings import ensure_writable, repo_root, state_dir
from grader.nbgrader_glue.workspace import make_kit
from grader.workspace.student_version import ignored

KEEP = 2  # kits kept: the one in use and the one before (a lab being replaced may still mount it)


def _digest(source: Path) -> str:
    digest = hashlib.sha256()
    roots = [(repo_root() / "grader", "grader"), (source, "course")]
    for folder, name in roots:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not ignored(d) and d != ".mypy_cache")
            for f in sorted(filenames):
                path = Path(dirpath) / f
                if ignored(f) or (name == "course" and f.endswith(".ipynb")):
                    continue
                digest.update(f"{name}/{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes())
    digest.update((repo_root() / "nbgrader_config.py").read_bytes())
    return digest.hexdigest()[:16]


def learner_kit(source: Path | None = None) -> Path:
    """The kit for the course's current code and files, made when missing; older kits are pruned.

    Raises:
        ConfigError: the state folder is not writable (the sentence names it and DOCKER_COURSE_STATE).
    """
    source = (source or repo_root() / "course").resolve()
    kits = state_dir() / "kits"
    kit = kits / _digest(source)
    if not kit.is_dir():
        ensure_writable(kits, "state")
        building = Path(tempfile.mkdtemp(prefix=".build-", dir=kits))
        try:
            make_kit(building, source)
            building.chmod(0o755)
            building.rename(kit)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            if not kit.is_dir():
                raise
    others = sorted((p for p in kits.iterdir() if p != kit and not p.name.startswith(".")), key=os.path.getmtime)
    for old in others[: max(0, len(others) - (KEEP - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    return kit
