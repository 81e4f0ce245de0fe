"""The learner's progress: the best result of every exercise checked, kept in one small JSON file.

Every explicit check (the notebook's ``check``, the Check button, ``docker-course
check``) records its result here, through :func:`grader.services.checking.check_and_record`;
the landing notebook reads it. The file lives
next to the lab's engine socket (``STATE/labs/LAB/run/progress.json`` on the host,
``/run/course-engine/progress.json`` inside the lab): the same file for the
kernel and the host-side CLI, kept when the lab is replaced or reset, one per lab
(a grading lab's progress never mixes with the learner's). In host mode it is
``STATE/progress.json``. ``DOCKER_COURSE_PROGRESS`` overrides the path.

Recording never fails a check: an unwritable file is ignored. The same file
keeps, under ``views``, the hints and solutions the learner asked for
(``docker-course hint`` / ``solution``, the Hint and Show solution buttons).

Inside a lab (the widgets and check cells run in the lab's kernel) the path is
``/run/course-engine/progress.json``, the host folder the lab mounts: the host-side
CLI and the kernel read and write the same file.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.chapters import registry
from grader.checks.result import CheckResult
from grader.engine import boundary_files
from grader.engine.settings import LAB_SOCKET_IN_LAB, Settings, in_lab, state_dir

PROGRESS_ENV = "DOCKER_COURSE_PROGRESS"
VERSION = 1


def progress_path() -> Path:
    """Where this learner's progress is kept (see the module docstring)."""
    if os.environ.get(PROGRESS_ENV):
        return Path(os.environ[PROGRESS_ENV])
    if in_lab():
        return Path(LAB_SOCKET_IN_LAB).parent / "progress.json"
    try:
        settings = Settings.load()
    except Exception:  # noqa: BLE001 - a broken config must not break a check; fall back to the state dir
        return state_dir() / "progress.json"
    if settings.mode == "lab":
        return settings.lab_run_dir() / "progress.json"
    return state_dir() / "progress.json"


def _read(path: Path) -> dict[str, Any]:
    # the run folder is the lab's to write: a link planted there is refused, never followed
    try:
        data = json.loads(boundary_files.read_text(path.parent, path.name))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _section(data: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    entries = data.get(key)
    return {k: v for k, v in (entries or {}).items() if isinstance(v, dict)} if isinstance(entries, dict) else {}


def _write(path: Path, data: dict[str, Any]) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # atomic (a reader never sees half a file), and a link planted at the name is replaced,
        # never written through
        text = json.dumps({**data, "version": VERSION}, indent=1, sort_keys=True) + "\n"
        boundary_files.write_text(path.parent, path.name, text)
    except OSError:
        return False
    return True


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Exercise id -> its recorded entry (``best``, ``max_score``, ``passed``, ``last``, ``at``)."""
    return _section(_read(path or progress_path()), "exercises")


def views(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Exercise id -> what the learner looked at: ``hints`` (how many shown), ``solution`` (bool), ``at``."""
    return _section(_read(path or progress_path()), "views")


def record_view(exercise: str, hints: int = 0, solution: bool = False, path: Path | None = None) -> bool:
    """Note that the learner saw ``hints`` hints (the most so far is kept) or the solution; True when written."""
    path = path or progress_path()
    data = _read(path)
    seen = _section(data, "views")
    old = seen.get(exercise, {})
    seen[exercise] = {
        "hints": max(int(old.get("hints", 0)), hints),
        "solution": bool(old.get("solution")) or solution,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return _write(path, {**data, "views": seen})


def record(result: CheckResult, via: str = "notebook", path: Path | None = None) -> bool:
    """Keep ``result`` (the best score stays); True when written.

    Results of inspect-only runs with skipped parts and results that could not run
    (``error``) are not recorded: they say nothing about the learner's work.
    """
    if result.skipped or result.error or not result.parts:
        return False
    path = path or progress_path()
    data = _read(path)
    exercises = _section(data, "exercises")
    old = exercises.get(result.exercise, {})
    best = max(float(old.get("best", 0.0)), result.score)
    exercises[result.exercise] = {
        "best": best,
        "max_score": result.max_score,
        "passed": bool(old.get("passed")) or result.passed,
        "last": result.score,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "via": via,
    }
    # the other sections (the hints and solutions seen) stay as they are
    return _write(path, {**data, "exercises": exercises})


@dataclass(frozen=True)
class ChapterProgress:
    """How far the learner got in one chapter."""

    chapter: str
    passed: int
    total: int
    points: float
    max_points: float

    @property
    def done(self) -> bool:
        return self.total > 0 and self.passed == self.total


def by_chapter(entries: dict[str, dict[str, Any]] | None = None) -> dict[str, ChapterProgress]:
    """Chapter number ("01".."06") -> progress, over every exercise of the curriculum."""
    entries = load() if entries is None else entries
    totals: dict[str, list[float]] = {}
    for exercise in registry().values():
        entry = entries.get(exercise.id, {})
        row = totals.setdefault(exercise.chapter, [0, 0, 0.0, 0.0])
        row[0] += 1 if entry.get("passed") else 0
        row[1] += 1
        row[2] += min(float(entry.get("best", 0.0)), exercise.max_score)
        row[3] += exercise.max_score
    return {ch: ChapterProgress(ch, int(r[0]), int(r[1]), r[2], r[3]) for ch, r in sorted(totals.items())}
