"""One lab per workspace: a lock file naming the lab (or JupyterLab process) that serves it.

Two labs writing the same notebooks would overwrite each other's saves, so a
second one refuses and names the first. A lab is not a process of ours (it is a
container that outlives the command that started it), so the lock is a record,
``WORKSPACE/.docker-course/lab.lock``, checked against what is really running:
a lock whose owner is gone is stale and taken over.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from grader.errors import GraderError
from grader.workspace.location import STATE_FOLDER, WORKSPACE_ENV
from grader.workspace.safe_fs import SafeTree, UnsafePath
from grader.workspace.state import now

LOCK_FILE = PurePosixPath(STATE_FOLDER) / "lab.lock"


class WorkspaceBusy(GraderError):
    """Another lab already serves this workspace."""


@dataclass(frozen=True)
class LockOwner:
    """Who serves the workspace: ``lab:NAME`` (a lab container), ``host:PORT`` or ``pid:N`` (a host-mode JupyterLab)."""

    owner: str
    host: str = ""
    since: str = ""

    def describe(self) -> str:
        kind, _, name = self.owner.partition(":")
        kinds = {"lab": f"lab {name}", "pid": f"JupyterLab process {name}", "host": f"the host-mode JupyterLab {name}"}
        what = kinds.get(kind, self.owner)
        return f"{what}" + (f" on {self.host}" if self.host else "") + (f" (since {self.since})" if self.since else "")


def holder(tree: SafeTree) -> LockOwner | None:
    """The recorded owner, or None (no lock, or an unreadable one)."""
    try:
        data = json.loads(tree.read_bytes(LOCK_FILE))
    except (OSError, UnsafePath, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("owner"):
        return None
    return LockOwner(str(data["owner"]), str(data.get("host", "")), str(data.get("since", "")))


def acquire(tree: SafeTree, owner: str, alive: Callable[[LockOwner], bool]) -> LockOwner:
    """Take the workspace for ``owner`` (again, if it already holds it).

    Args:
        alive: whether a recorded owner is still running (its lock is stale otherwise).

    Raises:
        WorkspaceBusy: another owner holds the lock and is running.
    """
    mine = LockOwner(owner, socket.gethostname(), now())
    data = json.dumps({"owner": mine.owner, "host": mine.host, "since": mine.since}).encode()
    for _ in range(3):
        if tree.create_exclusive(LOCK_FILE, data):
            return mine
        current = holder(tree)
        if current is not None and current.owner == owner:
            return current
        if current is not None and alive(current):
            raise WorkspaceBusy(
                f"The workspace {tree.root} is already served by {current.describe()}. Stop that one first "
                f"(`docker-course engine down`), or give this one another workspace ({WORKSPACE_ENV})."
            )
        tree.remove_file(LOCK_FILE)  # stale (or unreadable): its owner is gone
    raise WorkspaceBusy(f"Could not take the lock {tree.root / LOCK_FILE}: another start keeps taking it.")


def release(tree: SafeTree, owner: str) -> bool:
    """Drop the lock if ``owner`` holds it; True when it did."""
    current = holder(tree)
    if current is None or current.owner != owner:
        return False
    return tree.remove_file(LOCK_FILE)
