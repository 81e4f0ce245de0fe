"""Make the learner's workspace on first start, and bring new course versions into it without losing work.

For every course folder (the landing folder and the chapters) the workspace
gets the student version; on later runs, a notebook the course changed is
merged cell by cell with the learner's (``merge.py``), after a backup of the
learner's notebook outside the chapter folder. Per notebook the order is:
backup (fsync'd), merged notebook (temporary file, fsync, rename), then the new
base; ``state.json`` last. An update interrupted at any point loses nothing, and
the next update finishes the job (without marking a conflict twice).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader.engine.progress import Reporter, silent
from grader.workspace import state as records
from grader.workspace.cells import grade_id
from grader.workspace.merge import merge_notebooks
from grader.workspace.safe_fs import SafeTree, UnsafePath
from grader.workspace.state import FolderRecord, WorkspaceState
from grader.workspace.student_version import StudentVersion


@dataclass(frozen=True)
class Change:
    """What an update did to one path of the workspace, in one sentence."""

    path: str  # relative to the workspace
    action: str  # made | updated | replaced | restored | conflict | broken | kept | skipped
    message: str = ""

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "action": self.action, "message": self.message}


@dataclass
class UpdateReport:
    """Everything an update (or the first start) did."""

    workspace: Path
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def problems(self) -> list[Change]:
        """Changes the learner should read: conflicts, broken or skipped notebooks, kept files."""
        return [c for c in self.changes if c.action in ("conflict", "broken", "skipped", "kept", "restored")]

    def lines(self) -> list[str]:
        """One line per change (files made in one folder: one line), then a summary line."""
        made: dict[str, int] = {}
        out = []
        for c in self.changes:
            if c.action == "made":
                folder = c.path.split("/", 1)[0]
                if folder not in made:
                    out.append(f"{folder}: made from the course")
                made[folder] = made.get(folder, 0) + 1
            else:
                out.append(f"{c.path}: {c.message or c.action}")
        out.append(f"{len(self.changes)} change(s), {self.unchanged} notebook(s) and file(s) already up to date.")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "changes": [c.to_json() for c in self.changes],
            "unchanged": self.unchanged,
        }


def parse_notebook(data: bytes) -> dict[str, Any] | None:
    """The notebook in ``data``, or None when it is not one (not JSON, no list of cells)."""
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    if not all(isinstance(c, dict) for c in nb["cells"]):
        return None
    return nb


def dump_notebook(nb: dict[str, Any]) -> bytes:
    """A notebook as JupyterLab writes it (one-space indent, sorted keys)."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sync(
    workspace: Path, versions: dict[str, StudentVersion], when: str = "", report: Reporter = silent
) -> UpdateReport:
    """Make or update ``workspace`` (a validated folder) from the student ``versions``."""
    tree = SafeTree(workspace)
    state = WorkspaceState.load(tree)
    out = UpdateReport(tree.root)
    if state.problem:
        report(state.problem)
    stamp = records.stamp()
    for name, version in versions.items():
        try:
            _sync_folder(tree, state, name, version, stamp, when or records.now()[:10], out)
        except UnsafePath as e:
            out.changes.append(Change(name, "skipped", str(e)))
        state.save()
    if not state.made:
        state.made = records.now()
        state.save()
    return out


def _sync_folder(
    tree: SafeTree, state: WorkspaceState, name: str, version: StudentVersion, stamp: str, when: str, out: UpdateReport
) -> None:
    previous = state.folders.get(name)
    notebooks = version.notebooks()
    files = version.files()
    for rel in notebooks:
        _sync_notebook(tree, state, name, rel, version, previous, stamp, when, out)
    kept = _sync_files(tree, name, version, files, previous, out)
    for rel in sorted(set(previous.notebooks if previous else []) - set(notebooks)):
        out.changes.append(Change(f"{name}/{rel}", "kept", "the course no longer has this notebook: yours is kept"))
    state.folders[name] = FolderRecord(version.digest, notebooks, {**files, **kept}, records.now())


def _sync_notebook(
    tree: SafeTree,
    state: WorkspaceState,
    name: str,
    rel: str,
    version: StudentVersion,
    previous: FolderRecord | None,
    stamp: str,
    when: str,
    out: UpdateReport,
) -> None:
    path = PurePosixPath(name) / rel
    new_bytes = (version.folder / rel).read_bytes()
    kind = tree.kind(path)
    if kind is None:
        tree.write_bytes(path, new_bytes)
        state.write_base(name, rel, new_bytes)
        if previous is not None and rel in previous.notebooks:
            note = _renamed_copy(tree, name, rel, new_bytes)
            out.changes.append(Change(str(path), "restored", f"was missing, restored from the course{note}"))
        else:
            out.changes.append(Change(str(path), "made", "made from the course"))
        return
    mine_bytes = _learners_notebook(tree, path, kind, out)
    if mine_bytes is None:
        return
    base_bytes = state.read_base(name, rel)
    if base_bytes == new_bytes or mine_bytes == new_bytes:
        if base_bytes != new_bytes:
            state.write_base(name, rel, new_bytes)
        out.unchanged += 1
        return
    if mine_bytes == base_bytes:  # untouched since it was made: the new version as nbgrader wrote it
        tree.write_bytes(path, new_bytes)
        state.write_base(name, rel, new_bytes)
        out.changes.append(
            Change(str(path), "replaced", "replaced by the course's new version (you had not changed it)")
        )
        return
    _merge_into(tree, state, name, rel, mine_bytes, base_bytes, new_bytes, stamp, when, out)


def _learners_notebook(tree: SafeTree, path: PurePosixPath, kind: str, out: UpdateReport) -> bytes | None:
    """The learner's notebook bytes, or None (reported) when it is a link, not a file, or not a notebook."""
    if kind != "file":
        out.changes.append(Change(str(path), "skipped", f"is a {kind}, not a notebook file: left alone"))
        return None
    try:
        data = tree.read_bytes(path)
    except UnsafePath as e:
        out.changes.append(Change(str(path), "skipped", str(e)))
        return None
    if parse_notebook(data) is None:
        out.changes.append(
            Change(str(path), "broken", "is not a valid notebook (JSON): left alone, not updated; fix or delete it")
        )
        return None
    return data


def _merge_into(
    tree: SafeTree,
    state: WorkspaceState,
    name: str,
    rel: str,
    mine_bytes: bytes,
    base_bytes: bytes | None,
    new_bytes: bytes,
    stamp: str,
    when: str,
    out: UpdateReport,
) -> None:
    """Merge, back up the learner's notebook, write the result, then the new base (in that order)."""
    path = PurePosixPath(name) / rel
    base = parse_notebook(base_bytes) if base_bytes is not None else None
    if base is None:
        # no record of what it was made from: every difference counts as the learner's
        base = parse_notebook(new_bytes) or {}
    result = merge_notebooks(base, parse_notebook(mine_bytes) or {}, parse_notebook(new_bytes) or {}, when)
    merged = dump_notebook(result.notebook)
    if merged != mine_bytes:
        backup = state.backup(stamp, name, rel, mine_bytes)
        tree.write_bytes(path, merged)
        out.changes.append(Change(str(path), *_describe(result, backup, tree.root)))
    else:
        out.unchanged += 1
    state.write_base(name, rel, new_bytes)


def _describe(result: Any, backup: Path, root: Path) -> tuple[str, str]:
    saved = f"previous version in {backup.relative_to(root)}"
    if result.conflicts:
        cells = ", ".join(result.conflicts)
        return "conflict", (
            f"updated; you and the course both changed {cells}: yours kept, the course's new text in a marked "
            f"cell after it ({saved})"
        )
    extra = []
    if result.restored:
        extra.append(f"restored the course's changed {', '.join(result.restored)}")
    if result.kept_removed:
        extra.append(f"kept your {', '.join(result.kept_removed)}, which the course removed")
    if result.learner_untouched and not extra:
        return "replaced", f"replaced by the course's new version ({saved})"
    return "updated", "; ".join(["updated, your work kept", *extra, saved])


def _renamed_copy(tree: SafeTree, name: str, rel: str, new_bytes: bytes) -> str:
    """`` (OTHER looks like your renamed copy: kept as is)`` when another notebook of the folder has its cells."""
    wanted = {grade_id(c) for c in (parse_notebook(new_bytes) or {}).get("cells", [])} - {None}
    for other in tree.listdir(PurePosixPath(name) / PurePosixPath(rel).parent):
        if not other.endswith(".ipynb") or other == PurePosixPath(rel).name:
            continue
        try:
            nb = parse_notebook(tree.read_bytes(PurePosixPath(name) / PurePosixPath(rel).parent / other))
        except (OSError, UnsafePath):
            continue
        if nb and wanted and wanted & {grade_id(c) for c in nb["cells"]}:
            return f"; {other} looks like your renamed copy: it is kept as is"
    return ""


def _sync_files(
    tree: SafeTree,
    name: str,
    version: StudentVersion,
    files: dict[str, str],
    previous: FolderRecord | None,
    out: UpdateReport,
) -> dict[str, str]:
    """Copy the chapter's assets; a file the learner changed is kept. Returns the kept files' base hashes."""
    import hashlib

    kept: dict[str, str] = {}
    old = previous.files if previous else {}
    for rel, digest in files.items():
        path = PurePosixPath(name) / rel
        if old.get(rel) == digest:
            out.unchanged += 1
            continue  # the course did not change it: whatever the learner did with it stays
        try:
            mine = tree.read_bytes(path) if tree.kind(path) == "file" else None
        except UnsafePath:
            mine = None
        mine_digest = hashlib.sha256(mine).hexdigest() if mine is not None else None
        if mine_digest == digest:
            out.unchanged += 1
        elif mine is None and tree.kind(path) is not None:
            out.changes.append(Change(str(path), "skipped", "is not a plain file: left alone"))
        elif mine is None or mine_digest == old.get(rel):
            tree.write_bytes(path, (version.folder / rel).read_bytes())
            out.changes.append(Change(str(path), "made" if rel not in old else "updated"))
        else:
            kept[rel] = old.get(rel, "")
            out.changes.append(Change(str(path), "kept", "you changed this file and so did the course: yours is kept"))
    return kept
