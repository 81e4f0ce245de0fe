"""The student version of each chapter: nbgrader's release of the source, cached by content hash.

nbgrader's own ``generate_assignment`` runs with the course config in a
throw-away course root (never the checkout's or an instructor's gradebook), so
answer cells hold the course's stubs, hidden tests are gone and the chapter's
assets sit beside the notebook, exactly as an instructor's release. The result
is kept in ``CACHE/student-versions/<folder>/<hash>/``, where the hash covers
the folder's files and everything that shapes a release (the course config, the
course's preprocessors, nbgrader's version): a second start reuses it in
milliseconds. Answer folders (``ex[0-9]``) and demonstrations (``demo``) never
reach a student version, even when an instructor ran the source notebooks.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader.engine.progress import Reporter, silent
from grader.engine.settings import cache_dir, ensure_writable, repo_root
from grader.errors import GraderError

# The same names as the course config's CourseDirectory.ignore (a unit test ties them).
IGNORED = (".ipynb_checkpoints", "*.pyc", "__pycache__", ".hadolint*", "ex[0-9]", "demo")
# What else shapes a release: the config and the course's nbgrader preprocessors.
RECIPE_FILES = (
    "nbgrader_config.py",
    "grader/nbgrader_glue/clear_solutions.py",
    "grader/nbgrader_glue/strip_answer_metadata.py",
)
FORMAT = "1"  # bump when this module changes what a cached student version holds


class StudentVersionFailed(GraderError):
    """nbgrader could not make the student version of a chapter."""


@dataclass(frozen=True)
class StudentVersion:
    """One chapter folder as the learner receives it (a read-only folder in the cache)."""

    name: str
    digest: str
    folder: Path

    def notebooks(self) -> list[str]:
        """The notebooks of the folder (relative paths), in name order."""
        return sorted(str(p.relative_to(self.folder)) for p in self.folder.rglob("*.ipynb"))

    def files(self) -> dict[str, str]:
        """Every other file (relative path -> sha256): the chapter's assets."""
        out = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.suffix != ".ipynb":
                out[str(path.relative_to(self.folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        return out


def ignored(name: str) -> bool:
    """True for a file or folder name nbgrader never releases."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED)


def chapter_folders(source: Path) -> list[str]:
    """Folders of ``source`` that hold a notebook: the landing folder and the chapters."""
    if not source.is_dir():
        raise StudentVersionFailed(f"The course source {source} is not a folder (DOCKER_COURSE_SOURCE).")
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not ignored(p.name) and any(p.glob("*.ipynb")))


def _released_files(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not ignored(d))
        found += [Path(dirpath) / f for f in sorted(filenames) if not ignored(f)]
    return found


def source_digest(folder: Path) -> str:
    """A hash of what the release of ``folder`` depends on."""
    digest = hashlib.sha256(f"{FORMAT}|{metadata.version('nbgrader')}".encode())
    for rel in RECIPE_FILES:
        digest.update(rel.encode() + b"\0" + (repo_root() / rel).read_bytes())
    for path in _released_files(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def versions_root() -> Path:
    """Where student versions are cached."""
    return cache_dir() / "student-versions"


def student_versions(
    source: Path | None = None, names: list[str] | None = None, report: Reporter = silent
) -> dict[str, StudentVersion]:
    """The student version of every folder of ``source`` (default: the checkout's ``course/``).

    Makes the missing ones with one nbgrader run; reuses the cached ones.

    Raises:
        StudentVersionFailed: nbgrader failed (its last lines in the message).
    """
    source = (source or repo_root() / "course").resolve()
    wanted = names if names is not None else chapter_folders(source)
    versions = {}
    for name in wanted:
        digest = source_digest(source / name)
        versions[name] = StudentVersion(name, digest, versions_root() / name / digest)
    missing = [v for v in versions.values() if not v.folder.is_dir()]
    if missing:
        started = time.monotonic()
        report(f"making the student version of {', '.join(v.name for v in missing)} (nbgrader)")
        _generate(source, missing)
        report(f"student versions ready ({time.monotonic() - started:.1f} s)")
    return versions


def _generate(source: Path, missing: list[StudentVersion]) -> None:
    root = ensure_writable(versions_root(), "cache")
    build = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        env = dict(
            os.environ,
            DOCKER_COURSE_NBGRADER_ROOT=str(build),
            DOCKER_COURSE_SOURCE=str(source),
            DOCKER_COURSE_GRADEBOOK=f"sqlite:///{build / 'gradebook.db'}",
            # nbgrader runs `alembic` from PATH when it creates a gradebook
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        done = subprocess.run(  # noqa: S603 - fixed program, arguments passed separately
            [sys.executable, "-m", "grader.workspace.release_run", *(v.name for v in missing)],
            cwd=build,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
            raise StudentVersionFailed(f"nbgrader could not make the student version:\n{tail}")
        for version in missing:
            _store(build / "release" / version.name, version)
    except subprocess.TimeoutExpired as e:
        raise StudentVersionFailed("nbgrader did not make the student version within 600 s.") from e
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _store(released: Path, version: StudentVersion) -> None:
    if not released.is_dir():
        raise StudentVersionFailed(f"nbgrader released nothing for {version.name}.")
    # nbgrader's ignore list already keeps these out; a student version never holds them, whatever the config says
    for path in sorted(released.rglob("*"), reverse=True):
        if ignored(path.name):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    version.folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        released.rename(version.folder)
    except OSError:
        if not version.folder.is_dir():  # not another process that stored the same version meanwhile
            raise
    for old in version.folder.parent.iterdir():
        if old != version.folder:
            shutil.rmtree(old, ignore_errors=True)
