"""Where the learner's workspace is, and whether the course may use that folder.

Default ``~/docker-course-work``; ``DOCKER_COURSE_WORKSPACE`` moves it. Never
inside the checkout (learners often clone it as ``~/docker-course``: their work
would then fight with ``git pull``) and never around it (the lab mounts the whole
workspace, and nothing of the checkout may reach the lab).
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.errors import ConfigError

WORKSPACE_ENV = "DOCKER_COURSE_WORKSPACE"
STATE_FOLDER = ".docker-course"


def default_workspace() -> Path:
    """``~/docker-course-work``."""
    return Path.home() / "docker-course-work"


def workspace_path() -> Path:
    """The workspace in force (``DOCKER_COURSE_WORKSPACE``, else the default), absolute, not checked."""
    raw = os.environ.get(WORKSPACE_ENV) or str(default_workspace())
    return Path(os.path.abspath(os.path.expanduser(raw)))


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def validate(path: Path, checkout: Path, create: bool = True) -> Path:
    """Check that ``path`` can be the workspace (made when ``create``); return its resolved path.

    Raises:
        ConfigError: inside or around the checkout, a file, or not writable (one
            sentence naming the folder and ``DOCKER_COURSE_WORKSPACE``).
    """
    resolved = Path(os.path.realpath(path))
    repo = Path(os.path.realpath(checkout))
    move = f"Set {WORKSPACE_ENV} to another folder (default ~/docker-course-work)."
    if _within(resolved, repo):
        raise ConfigError(
            f"The workspace {path} is inside the course checkout {repo}: your work would mix with the course's "
            f"files. {move}"
        )
    if _within(repo, resolved):
        raise ConfigError(
            f"The workspace {path} contains the course checkout {repo}, and the lab mounts the whole workspace. {move}"
        )
    if resolved.exists() and not resolved.is_dir():
        raise ConfigError(f"The workspace {path} is a file, not a folder. {move}")
    if not resolved.exists() and not create:
        return resolved
    try:
        resolved.mkdir(parents=True, exist_ok=True)
        probe = resolved / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise ConfigError(f"The workspace {path} is not writable ({e.strerror or e}). {move}") from e
    return resolved
