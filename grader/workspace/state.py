"""The workspace's own records, in ``WORKSPACE/.docker-course/`` (outside every chapter folder).

- ``state.json``: per folder, the digest of the student version it was made
  from, its notebooks and the hashes of its other files;
- ``base/FOLDER/NOTEBOOK``: that student version of each notebook, the base of
  the next update's three-way merge;
- ``backups/STAMP/FOLDER/NOTEBOOK``: the learner's notebook as it was before an
  update changed it (outside the chapter folder, so ``nbgrader submit`` never
  takes it along);
- ``lab.lock``: which lab serves this workspace (``lock.py``).

Everything here is read and written through ``SafeTree`` (the lab can write the
workspace, links included).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader.workspace.location import STATE_FOLDER
from grader.workspace.safe_fs import SafeTree, UnsafePath

VERSION = 1
STATE_FILE = PurePosixPath(STATE_FOLDER) / "state.json"


@dataclass
class FolderRecord:
    """What the workspace holds of one course folder."""

    digest: str
    notebooks: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    updated: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "notebooks": self.notebooks, "files": self.files, "updated": self.updated}


@dataclass
class WorkspaceState:
    """The records of one workspace (``load`` / ``save``)."""

    tree: SafeTree
    folders: dict[str, FolderRecord] = field(default_factory=dict)
    made: str = ""
    problem: str = ""  # why state.json could not be read, if it could not

    @classmethod
    def load(cls, tree: SafeTree) -> WorkspaceState:
        """Read ``state.json``; a missing or unreadable one is an empty state (``problem`` says which)."""
        try:
            data = json.loads(tree.read_bytes(STATE_FILE))
        except FileNotFoundError:
            return cls(tree)
        except (OSError, UnsafePath, ValueError) as e:
            return cls(tree, problem=f"{tree.root / STATE_FILE} could not be read ({e}); it is made again")
        folders = {}
        for name, raw in (data.get("folders") or {}).items() if isinstance(data, dict) else []:
            if isinstance(raw, dict) and isinstance(raw.get("digest"), str):
                folders[name] = FolderRecord(
                    raw["digest"],
                    [str(n) for n in raw.get("notebooks") or []],
                    {str(k): str(v) for k, v in (raw.get("files") or {}).items()},
                    str(raw.get("updated", "")),
                )
        return cls(tree, folders, str(data.get("made", "")))

    def save(self) -> None:
        """Write ``state.json`` atomically."""
        data = {
            "version": VERSION,
            "made": self.made or now(),
            "folders": {name: rec.to_json() for name, rec in sorted(self.folders.items())},
        }
        self.tree.write_bytes(STATE_FILE, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())

    def base_path(self, folder: str, notebook: str) -> PurePosixPath:
        return PurePosixPath(STATE_FOLDER) / "base" / folder / notebook

    def read_base(self, folder: str, notebook: str) -> bytes | None:
        """The student version a workspace notebook was made from, or None when it is not kept."""
        try:
            return self.tree.read_bytes(self.base_path(folder, notebook))
        except (FileNotFoundError, UnsafePath):
            return None

    def write_base(self, folder: str, notebook: str, data: bytes) -> None:
        self.tree.write_bytes(self.base_path(folder, notebook), data)

    def backup(self, stamp: str, folder: str, notebook: str, data: bytes) -> Path:
        """Keep the learner's notebook as it was; return where."""
        rel = PurePosixPath(STATE_FOLDER) / "backups" / stamp / folder / notebook
        self.tree.write_bytes(rel, data)
        return self.tree.root / rel


def now() -> str:
    """The current time, as the records write it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def stamp() -> str:
    """A backup folder name for this update (sortable, unique per second and process)."""
    import os

    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
