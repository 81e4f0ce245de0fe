"""Grading reads what the learner did from a journal kept outside the lab (tests/fixtures/05-mini, ch05-ex1).

The reference scores 4; a submission that runs only note-2 and writes note-1's life into the lab's own
journal (which the lab's root can write) gains nothing by it: the grader's recorder, outside the lab,
saw no note-1.
"""

from __future__ import annotations

import pytest

from tests.classroom.class_support import FIXTURES, ClassRoom, grading_leftovers, per_exercise

pytestmark = [pytest.mark.slow, pytest.mark.engine]
A = "05-mini"
FORGER = """import json, time
!docker run --name note-2 busybox cat /tmp/note.txt
t = time.time() - 5  # before note-2's creation
with open("/run/course-engine/journal.jsonl", "a") as f:
    for action, extra in (("create", {}), ("start", {}), ("die", {"exit": 0}), ("destroy", {})):
        line = {"t": t, "type": "container", "action": action, "id": "f" * 64, "name": "note-1", **extra}
        f.write(json.dumps(line) + "\\n")
note_survived = False
"""


def test_grading_journal_is_kept_outside_the_lab() -> None:
    """full = 4; the forger's note-2 part and answer count (3), the note-1 part does not."""
    room = ClassRoom(FIXTURES)
    room.release(A)
    room.submit("full", A, room.solutions(A))
    room.submit("forger", A, {"ch05-ex1-run": FORGER})
    done = room.grade(A, "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    scores = {student: per_exercise(s) for student, s in room.gradebook(A).items()}
    assert scores == {"full": {"ch05-ex1-check": 4.0}, "forger": {"ch05-ex1-check": 3.0}}, done.stdout
    assert not grading_leftovers(room), f"grading left objects on the host engine: {grading_leftovers(room)}"
