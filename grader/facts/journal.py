"""The course's event journal, read: what the learner did on the engine, and the period it covers.

:mod:`grader.engine.journal` writes it. A reader gets the events since the last reset of
the engine, the time from which the journal is continuous up to now (a recorder start that
was not the engine's own start, or a rotation that dropped older events, begins a new
period), and whether a recorder still runs (it holds ``journal.lock``): a check says
"the journal cannot tell" where a verdict would need a period it does not cover.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.engine.journal import JOURNAL, LOCK, PREVIOUS


@dataclass(frozen=True)
class JournalEvent:
    """One kept engine event: when (seconds), what (``container``/``die``), on which object."""

    t: float
    type: str
    action: str
    id: str
    name: str
    image: str = ""
    exit: int | None = None
    old_name: str = ""

    @property
    def clock(self) -> str:
        """The event's time of day, UTC, to the millisecond (as the learner's messages show it)."""
        return clock(self.t)


def clock(t: float) -> str:
    """``HH:MM:SS.mmm UTC`` of a Unix time."""
    return datetime.fromtimestamp(t, UTC).strftime("%H:%M:%S.%f")[:-3] + " UTC"


@dataclass(frozen=True)
class Journal:
    """What the journal holds: events (oldest first) and the period it covers without a gap.

    ``since`` is None when there is no journal at all; ``live`` is False when its recorder
    stopped (the journal then ends at ``until``).
    """

    where: str
    events: tuple[JournalEvent, ...] = ()
    since: float | None = None
    live: bool = False
    until: float | None = None

    @property
    def available(self) -> bool:
        return self.since is not None

    def gap_before(self, t: float) -> str:
        """Why the journal cannot vouch for everything up to ``t`` ('' when it can)."""
        if self.since is None:
            return f"the course's event journal is not kept on this engine (no {JOURNAL} in {self.where})"
        if t < self.since:
            return f"the course's event journal covers this engine only from {clock(self.since)}"
        if not self.live and self.until is not None and t > self.until:
            return f"the course's event journal stopped at {clock(self.until)} (its recorder is not running)"
        return ""

    def of_container(self, name: str) -> list[JournalEvent]:
        """The events of every container that was called ``name`` (renames followed), oldest first."""
        ids = {e.id for e in self.events if e.type == "container" and name in (e.name, e.old_name)}
        return [e for e in self.events if e.type == "container" and e.id in ids]


def read_journal(folder: Path | None) -> Journal:
    """The journal in ``folder`` (an empty, unavailable one when there is none)."""
    if folder is None or not (folder / JOURNAL).exists():
        return Journal(str(folder or "this engine's folder"))
    records: list[dict[str, Any]] = []
    for name in (PREVIOUS, JOURNAL):
        records.extend(_records(folder / name))
    return build_journal(str(folder), records, _recorder_runs(folder))


@dataclass
class _Read:
    """What one journal file gave so far: its first bytes, how far it was read, the records up to there."""

    head: bytes  # the file's first bytes (its start record, timed): another file at the path has others
    offset: int  # bytes read, up to the last complete line
    records: list[dict[str, Any]]


_READ: dict[Path, _Read] = {}  # per process: a journal only grows, so a re-read parses what was added
_READ_LOCK = threading.Lock()
HEAD = 256


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of one journal file, in file order (an unreadable or missing file has none).

    Parsed once per process and then only past what was read before (the recorder appends
    whole lines; a line still being written is read next time). Another file at the same
    path (rotated, or a new lab's: its first bytes differ) or a shorter one is read from its start.
    """
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            with _READ_LOCK:
                known = _READ.get(path)
            if known is None or size < known.offset or f.read(len(known.head)) != known.head:
                known = _Read(b"", 0, [])
            f.seek(known.offset)
            added = f.read(max(0, size - known.offset))
    except OSError:
        return []
    complete = added[: added.rfind(b"\n") + 1]
    records = list(known.records)
    for line in complete.splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    offset = known.offset + len(complete)
    head = known.head if known.offset else complete[:HEAD]
    with _READ_LOCK:
        _READ[path] = _Read(head, offset, records)
    return records


def build_journal(where: str, records: list[dict[str, Any]], live: bool) -> Journal:
    """A :class:`Journal` from its records (in file order) and whether its recorder runs.

    The continuous period starts at the last of: a recorder started late (not with its
    engine), the engine's reset, the oldest kept record after a rotation dropped older ones.
    A recorder started with its engine continues the period (the engine was down between);
    one that starts the period reaches back to the engine's own first buffered event.
    """
    since: float | None = None
    from_start = -1  # index of the engine-start header that began the period
    for i, record in enumerate(records):
        mark, t = record.get("journal"), float(record.get("t") or 0)
        if mark == "start" and record.get("from_engine_start"):
            if since is None:
                since, from_start = t, i
        elif mark == "start" or mark == "reset" or (mark == "continued" and since is None):
            since, from_start = t, -1
    if since is not None and from_start >= 0:
        since = min([since] + [float(r.get("t") or 0) for r in records[from_start:] if r.get("journal") is None])
    reset = max((float(r.get("t") or 0) for r in records if r.get("journal") == "reset"), default=0.0)
    kept = [r for r in records if r.get("journal") is None and float(r.get("t") or 0) >= reset]
    events = tuple(sorted((_event(r) for r in kept), key=lambda e: e.t))
    until = max((float(r.get("t") or 0) for r in records), default=None)
    return Journal(where, events, since, live, until)


def _event(record: dict[str, Any]) -> JournalEvent:
    code = record.get("exit")
    return JournalEvent(
        float(record.get("t") or 0),
        str(record.get("type") or ""),
        str(record.get("action") or ""),
        str(record.get("id") or ""),
        str(record.get("name") or ""),
        str(record.get("image") or ""),
        int(code) if isinstance(code, int) else None,
        str(record.get("old_name") or ""),
    )


def _recorder_runs(folder: Path) -> bool:
    """True when a recorder holds the journal's lock (a reader's shared lock is then refused)."""
    try:
        handle = (folder / LOCK).open("rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
