"""The workspace operations every front end calls: make/update, describe, lock.

Called on the host (the CLI, ``engine up``). Called from inside a lab (a widget
in the lab's kernel), the workspace is the folder the lab mounts at the same
absolute path (``DOCKER_COURSE_WORKSPACE`` is set in the lab); making or
updating it needs the course's source, which a learner's lab does not have.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.engine.progress import Reporter, silent
from grader.engine.settings import in_lab, repo_root
from grader.errors import GraderError
from grader.workspace import lock
from grader.workspace.lab_kit import learner_kit
from grader.workspace.location import STATE_FOLDER, validate, workspace_path
from grader.workspace.safe_fs import SafeTree
from grader.workspace.state import WorkspaceState
from grader.workspace.student_version import source_digest, student_versions
from grader.workspace.update import UpdateReport, sync


def open_workspace(create: bool = True) -> Path:
    """The workspace folder in force, checked (and made when ``create``).

    Raises:
        ConfigError: inside/around the checkout, a file, or not writable.
    """
    return validate(workspace_path(), repo_root(), create=create)


def update_workspace(source: Path | None = None, report: Reporter = silent) -> UpdateReport:
    """Make the workspace on first use, else bring the course's changes in (``docker-course update``).

    Raises:
        ConfigError: the workspace folder cannot be used.
        StudentVersionFailed: nbgrader could not make a student version.
        UnsafePath: the workspace's state folder is a link.
        GraderError: called inside a lab, which has no course source to update from.
    """
    on_the_host("`docker-course update`")
    folder = open_workspace()
    versions = student_versions(source, report=report)
    return sync(folder, versions, report=report)


def on_the_host(what: str) -> None:
    """Refuse inside a lab: the course's source (answers, new versions) is on the host only.

    Raises:
        GraderError: called inside a lab (the message says to run ``what`` on the computer).
    """
    if in_lab():
        raise GraderError(
            f"{what} runs on your computer, not in the lab: the course's source stays outside the lab. "
            f"Open a terminal on your computer, in the course's folder, and run it there."
        )


def describe_workspace(source: Path | None = None) -> dict[str, Any]:
    """Path, folders (notebooks, up to date with the course or not), made, and who serves it."""
    folder = open_workspace(create=False)
    if not folder.is_dir():
        return {"path": str(folder), "exists": False, "folders": [], "made": "", "served_by": None}
    tree = SafeTree(folder)
    state = WorkspaceState.load(tree)
    src = (source or repo_root() / "course").resolve()
    folders = []
    for name, record in sorted(state.folders.items()):
        # in a lab there is no source to compare with (the kit holds no notebooks): unknown there
        current = source_digest(src / name) if (src / name).is_dir() and not in_lab() else None
        folders.append(
            {
                "name": name,
                "notebooks": record.notebooks,
                "present": [n for n in record.notebooks if tree.kind(f"{name}/{n}") == "file"],
                "up_to_date": current == record.digest if current else None,
                "updated": record.updated,
            }
        )
    owner = lock.holder(tree)
    return {
        "path": str(tree.root),
        "exists": True,
        "state": str(tree.root / STATE_FOLDER),
        "made": state.made,
        "folders": folders,
        "served_by": owner.describe() if owner else None,
    }


def claim(owner: str, alive: Callable[[lock.LockOwner], bool]) -> lock.LockOwner:
    """Take the workspace for ``owner`` (``lab:NAME`` or ``pid:N``).

    Raises:
        WorkspaceBusy: another running lab or JupyterLab serves it (the message names it).
    """
    return lock.acquire(SafeTree(open_workspace()), owner, alive)


def release(owner: str) -> bool:
    """Give the workspace up (the lab or JupyterLab ``owner`` stopped)."""
    folder = open_workspace(create=False)
    return folder.is_dir() and lock.release(SafeTree(folder), owner)


@dataclass(frozen=True)
class Served:
    """What a lab (or host-mode JupyterLab) about to serve the workspace needs: the folder, the kit, the update."""

    workspace: Path
    kit: Path
    update: UpdateReport


def serve(
    owner: str, alive: Callable[[lock.LockOwner], bool], source: Path | None = None, report: Reporter = silent
) -> Served:
    """Take the workspace for ``owner``, make or update it, and make the read-only kit its lab mounts.

    The lock comes first: a second lab refuses before it touches a notebook the first one serves.

    Raises:
        ConfigError: the workspace folder cannot be used.
        WorkspaceBusy: another running lab serves it (the message names it).
        StudentVersionFailed: nbgrader could not make a student version.
    """
    folder = open_workspace()
    lock.acquire(SafeTree(folder), owner, alive)
    done = update_workspace(source, report)
    for line in done.lines()[:-1]:
        report(line)
    return Served(folder, learner_kit(source), done)


def pid_alive(owner: lock.LockOwner) -> bool:
    """For ``pid:N`` owners on this machine: is process N still there?"""
    import socket

    kind, _, pid = owner.owner.partition(":")
    if kind != "pid" or not pid.isdigit():
        return True  # not ours to judge: assume it runs
    if owner.host and owner.host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
