"""The per-exercise timeline on a real lab: ch05-ex1's note-1 run and removed, then note-2, as the
course's event journal kept them (the recorder lab-init starts)."""

from __future__ import annotations

import time

import pytest

from grader.services.timeline import Timeline, exercise_timeline
from tests.checks_support import run
from tests.support import NOTES_TIMELINE, EngineSession

pytestmark = pytest.mark.engine

NOTES = (
    "docker run --name note-1 busybox sh -c 'echo remember > /tmp/note.txt'",
    "docker rm note-1",
    "docker run --name note-2 busybox cat /tmp/note.txt",
)


def settled(engine: EngineSession, wanted: int, timeout: float = 10) -> Timeline:
    """The timeline once the recorder wrote ``wanted`` entries (it follows the event stream a little late)."""
    deadline = time.monotonic() + timeout
    while True:
        timeline = exercise_timeline("ch05-ex1", client=engine.client)
        if len(timeline.entries) >= wanted or time.monotonic() > deadline:
            return timeline
        time.sleep(0.2)


def test_timeline_lists_runs_exit_codes_and_removal(engine: EngineSession) -> None:
    run(engine, *NOTES, workdir="/tmp", may_fail=True)
    timeline = settled(engine, 7)
    said = [(e.name, e.action, e.exit) for e in timeline.entries]
    assert said == NOTES_TIMELINE, timeline.to_text()
    assert timeline.available and "covers this engine from" in timeline.coverage
