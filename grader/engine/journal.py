"""The course's event journal: the engine's events kept by the course, from the engine's start.

The engine keeps only its last 256 events, which a chapter's demonstrations and the
checks' own probes push out long before a check runs. A recorder subscribed to the
engine's event stream keeps, in ``FOLDER/journal.jsonl`` (one JSON object a line), the
events a lesson about what the learner did needs: containers created, started, dead
(with their exit code), renamed and removed; images tagged, loaded and removed; volumes
and networks created and removed. The course's own probe containers are skipped.

Bounded: past ``MAX_BYTES`` the file becomes ``journal.1.jsonl`` (the one before is
dropped) and a new file starts with a ``continued`` header, so the journal never holds
more than twice that. A recorder holds an exclusive lock on ``journal.lock`` while it
runs: a reader tells a live journal from one whose recorder stopped.

Records: a header ``{"journal": "start", "t", "engine", "from_engine_start"}`` per
recorder start, ``{"journal": "continued", "t"}`` after a rotation, ``{"journal":
"reset", "t"}`` when the course reset the engine, and events ``{"t", "type",
"action", "id", "name", ...}``. :mod:`grader.facts.journal` reads them.

In a lab, lab-init starts ``python -m grader.engine.journal FOLDER --from-engine-start``
right after the engine answers (before any kernel); grading runs a :class:`Recorder`
of its own outside the lab.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import docker

from grader.engine.client import connect
from grader.engine.settings import PROBE_LABEL
from grader.errors import GraderError

JOURNAL = "journal.jsonl"
PREVIOUS = "journal.1.jsonl"
LOCK = "journal.lock"
FOLDER_ENV = "DOCKER_COURSE_JOURNAL"  # a folder: the journal to read instead of the engine's own (grading)
MAX_BYTES = 2 * 1024 * 1024
KEPT = {
    "container": {"create", "start", "die", "destroy", "rename", "oom"},
    "image": {"tag", "untag", "delete", "load", "import", "pull"},
    "volume": {"create", "destroy"},
    "network": {"create", "destroy"},
}


def entry(event: dict[str, Any]) -> dict[str, Any] | None:
    """The journal record of one engine event (None for an event the journal does not keep).

    Example::

        entry({"Type": "container", "Action": "die", "timeNano": 1_700_000_000_000_000_000,
               "Actor": {"ID": "c" * 64, "Attributes": {"name": "note-1", "image": "busybox", "exitCode": "0"}}})
        # {"t": 1700000000.0, "type": "container", "action": "die", "id": "ccc...", "name": "note-1",
        #  "image": "busybox", "exit": 0}
    """
    kind, action = str(event.get("Type") or ""), str(event.get("Action") or event.get("status") or "")
    if action not in KEPT.get(kind, ()):
        return None
    actor = event.get("Actor") or {}
    attributes = actor.get("Attributes") or {}
    if PROBE_LABEL in attributes:
        return None  # the course's own probe containers are not the learner's history
    nano = event.get("timeNano") or int(event.get("time") or 0) * 1_000_000_000
    record: dict[str, Any] = {"t": int(nano) / 1e9, "type": kind, "action": action, "id": str(actor.get("ID") or "")}
    record["name"] = str(attributes.get("name") or record["id"])
    if kind == "container":
        record["image"] = str(attributes.get("image") or "")
        if action == "die" and str(attributes.get("exitCode", "")).lstrip("-").isdigit():
            record["exit"] = int(attributes["exitCode"])
        if action == "rename":
            record["old_name"] = str(attributes.get("oldName") or "").lstrip("/")
    return record


class JournalWriter:
    """Appends records to ``FOLDER/journal.jsonl``, rotating it past ``max_bytes``."""

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES):
        self.folder = folder
        self.max_bytes = max_bytes
        self._file: IO[str] = (folder / JOURNAL).open("a", encoding="utf-8")
        self._last = 0.0

    def write(self, record: dict[str, Any]) -> None:
        self._last = max(self._last, float(record.get("t") or 0))
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()
        if self._file.tell() > self.max_bytes:
            self._rotate()

    def _rotate(self) -> None:
        self._file.close()
        os.replace(self.folder / JOURNAL, self.folder / PREVIOUS)
        self._file = (self.folder / JOURNAL).open("a", encoding="utf-8")
        # the period of a file that starts here begins with the last event written before it
        self.write({"journal": "continued", "t": self._last or time.time()})

    def close(self) -> None:
        self._file.close()


def _first_header(folder: Path) -> dict[str, Any]:
    for name in (PREVIOUS, JOURNAL):
        with contextlib.suppress(OSError, ValueError), (folder / name).open(encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record.get("journal") == "start":
                    return dict(record)
    return {}


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold ``journal.lock`` exclusively (readers test it to know a recorder runs)."""
    handle = (folder / LOCK).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RuntimeError(f"another recorder already keeps the journal in {folder}") from None
    try:
        yield
    finally:
        handle.close()


def open_journal(client: docker.DockerClient, folder: Path, from_engine_start: bool, max_bytes: int) -> JournalWriter:
    """A writer on ``folder``'s journal with this recorder's header written; a journal of another
    engine (its data was wiped) is started afresh."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = str(client.info().get("ID") or "")
    if _first_header(folder).get("engine") not in (None, engine):
        for name in (JOURNAL, PREVIOUS):
            (folder / name).unlink(missing_ok=True)
    writer = JournalWriter(folder, max_bytes)
    writer.write({"journal": "start", "t": time.time(), "engine": engine, "from_engine_start": from_engine_start})
    return writer


def record(
    client: docker.DockerClient,
    folder: Path,
    from_engine_start: bool = False,
    max_bytes: int = MAX_BYTES,
    started: threading.Event | None = None,
    streams: list[Any] | None = None,
) -> None:
    """Keep the engine's events in ``folder``'s journal until the engine's stream ends.

    Args:
        from_engine_start: the engine started just now (nothing ran on it yet): the events it
            still holds (from ``since=1``) are all there were, and the journal says so.
        started: set once subscribed (a caller's thread waits on it before the learner's code runs).
        streams: the event stream is appended here, so another thread can close it to stop.

    Raises:
        RuntimeError: another recorder keeps this folder's journal.
    """
    with _locked(folder):
        writer = open_journal(client, folder, from_engine_start, max_bytes)
        since = 1 if from_engine_start else int(time.time())
        stream = client.api.events(since=since, decode=True)
        if streams is not None:
            streams.append(stream)
        if started is not None:
            started.set()
        try:
            for event in stream:
                kept = entry(event)
                if kept is not None:
                    writer.write(kept)
        except (docker.errors.DockerException, OSError, ValueError, AttributeError):
            pass  # the stream was closed (stop) or the engine went away: the journal ends here
        finally:
            writer.close()


class Recorder:
    """A recorder in a thread of this process (grading: outside the lab, where the submission cannot reach)."""

    def __init__(self, client: docker.DockerClient, folder: Path, from_engine_start: bool = True):
        self._streams: list[Any] = []
        self._started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(client, folder, from_engine_start), name="course-journal", daemon=True
        )
        self.error = ""

    def _run(self, client: docker.DockerClient, folder: Path, from_engine_start: bool) -> None:
        try:
            record(client, folder, from_engine_start, started=self._started, streams=self._streams)
        except (RuntimeError, docker.errors.DockerException, OSError) as e:
            self.error = str(e)
            self._started.set()

    def start(self, timeout: float = 10.0) -> Recorder:
        """Start recording; returns once subscribed to the engine's events (or failed: see ``error``)."""
        self._thread.start()
        self._started.wait(timeout)
        return self

    def stop(self) -> None:
        for stream in self._streams:
            with contextlib.suppress(Exception):
                stream.close()
        self._thread.join(timeout=5)


def journal_folder(client: docker.DockerClient) -> Path | None:
    """Where the journal of ``client``'s engine is: ``$DOCKER_COURSE_JOURNAL`` (grading's, kept
    outside the lab), else beside the engine's socket (a lab's run folder); None for a TCP engine."""
    if os.environ.get(FOLDER_ENV):
        return Path(os.environ[FOLDER_ENV])
    with contextlib.suppress(Exception):
        socket = client.api.get_adapter(client.api.base_url).socket_path
        return Path(os.path.realpath(socket)).parent
    return None


def mark_reset(folder: Path | None) -> None:
    """Note in ``folder``'s journal that the course reset the engine: what came before is another history."""
    if folder is None or not (folder / JOURNAL).exists():
        return
    with contextlib.suppress(OSError), (folder / JOURNAL).open("a", encoding="utf-8") as f:
        f.write(json.dumps({"journal": "reset", "t": time.time()}) + "\n")


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.engine.journal FOLDER [--socket PATH] [--from-engine-start]`` (lab-init runs it)."""
    parser = argparse.ArgumentParser(prog="python -m grader.engine.journal", description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--socket", default="", help="the engine's socket (default: FOLDER/docker.sock)")
    parser.add_argument("--from-engine-start", action="store_true")
    args = parser.parse_args(argv)
    socket = args.socket or str(args.folder / "docker.sock")
    try:
        record(connect("unix://" + socket, what="engine"), args.folder, args.from_engine_start)
    except (RuntimeError, GraderError, docker.errors.DockerException) as e:
        print(f"journal: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
