"""The course's event journal without an engine: what the recorder keeps (probes skipped), its bound,
the period a reader says it covers (late starts, rotations, resets, a stopped recorder), and ch05-ex1's
verdicts drawn from it (note-1 ran, exited 0 and was removed before note-2 was created)."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

import pytest

from grader.checks.base import Context
from grader.checks.container_replaced import ContainerReplaced
from grader.engine import journal as recorder
from grader.engine.settings import PROBE_LABEL
from grader.facts.journal import Journal, build_journal, read_journal
from tests.unit.fakes import FakeFacts, declared

T0 = 1_700_000_000.0


def event(action: str, name: str, t: float, cid: str = "", **attributes: Any) -> dict[str, Any]:
    """An engine event as the events API streams it (a container's)."""
    attrs = {"name": name, "image": "busybox", **{k: str(v) for k, v in attributes.items()}}
    return {
        "Type": "container",
        "Action": action,
        "timeNano": int(t * 1e9),
        "Actor": {"ID": cid or name * 8, "Attributes": attrs},
    }


def records(*events: dict[str, Any], from_engine_start: bool = True, start: float = T0) -> list[dict[str, Any]]:
    """A journal's records: one recorder's header, then the kept events."""
    header = {"journal": "start", "t": start, "engine": "E", "from_engine_start": from_engine_start}
    return [header, *(e for e in map(recorder.entry, events) if e is not None)]


def test_entry_keeps_lifecycle_events_with_exit_codes_and_skips_probes_and_noise() -> None:
    """create/die/destroy are kept (die with its exit code); exec and attach are not; a probe never is."""
    die = recorder.entry(event("die", "note-1", T0, exitCode=0))
    assert die is not None and die["exit"] == 0 and die["name"] == "note-1" and die["t"] == T0
    assert recorder.entry(event("exec_start: sh", "note-1", T0)) is None
    assert recorder.entry(event("attach", "note-1", T0)) is None
    assert recorder.entry(event("create", "course-probe-x", T0, **{PROBE_LABEL: "true"})) is None
    renamed = recorder.entry(event("rename", "new", T0, oldName="/old"))
    assert renamed is not None and renamed["old_name"] == "old"


def test_writer_rotates_and_keeps_the_journal_bounded(tmp_path: Path) -> None:
    """Past its bound the journal moves to journal.1 (the older one dropped): never more than twice the bound;
    the reader then says the period starts at the oldest kept file's first record."""
    writer = recorder.JournalWriter(tmp_path, max_bytes=2000)
    writer.write({"journal": "start", "t": T0, "engine": "E", "from_engine_start": True})
    for i in range(300):
        writer.write(recorder.entry(event("create", f"c{i}", T0 + i)) or {})
    writer.close()
    sizes = [p.stat().st_size for p in tmp_path.glob("journal*.jsonl")]
    assert len(sizes) == 2 and sum(sizes) < 2 * 2000 + 400
    journal = read_journal(tmp_path)
    assert journal.available and journal.since is not None and journal.since > T0 + 200
    assert journal.gap_before(T0 + 10) and not journal.gap_before(T0 + 299)


def test_period_late_start_reset_and_engine_restart() -> None:
    """A recorder started late begins a new period; a reset too (its earlier events dropped); a recorder
    started with its engine continues the period and reaches back to the engine's first buffered event."""
    first = records(event("create", "a", T0 - 5), start=T0)
    assert build_journal("x", first, True).since == T0 - 5
    restarted = first + records(event("create", "b", T0 + 50), start=T0 + 60)
    assert build_journal("x", restarted, True).since == T0 - 5
    late = first + records(event("create", "b", T0 + 70), from_engine_start=False, start=T0 + 60)
    assert build_journal("x", late, True).since == T0 + 60
    reset = [*first, {"journal": "reset", "t": T0 + 10}, *records(event("create", "c", T0 + 20))[1:]]
    journal = build_journal("x", reset, True)
    assert journal.since == T0 + 10 and [e.name for e in journal.events] == ["c"]


def test_a_stopped_recorder_is_seen_from_its_lock(tmp_path: Path) -> None:
    """A reader knows a recorder runs while it holds journal.lock; after that the journal ends at its last record."""
    (tmp_path / recorder.JOURNAL).write_text("\n".join(json.dumps(r) for r in records()) + "\n")
    with (tmp_path / recorder.LOCK).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert read_journal(tmp_path).live
    stopped = read_journal(tmp_path)
    assert not stopped.live and stopped.gap_before(T0 + 100) and not stopped.gap_before(T0)


def test_reset_mark_goes_only_into_an_existing_journal(tmp_path: Path) -> None:
    """A reset is noted in a journal that exists; an engine without one gets no file."""
    recorder.mark_reset(tmp_path)
    assert not (tmp_path / recorder.JOURNAL).exists()
    (tmp_path / recorder.JOURNAL).write_text(json.dumps(records()[0]) + "\n")
    recorder.mark_reset(tmp_path)
    assert read_journal(tmp_path).since is not None and read_journal(tmp_path).since != T0


def note2(created: float) -> dict[str, Any]:
    state = {"Status": "exited", "Running": False, "ExitCode": 1}
    iso = __import__("datetime").datetime.fromtimestamp(created, __import__("datetime").UTC).isoformat()
    return {"Id": "n2" * 32, "Name": "/note-2", "Created": iso.replace("+00:00", "Z"), "State": state}


def ex1(journal: Journal, created: float = T0 + 30) -> Any:
    facts = FakeFacts(containers={"note-2": note2(created)}, journal=journal)
    return declared("ch05-ex1", ContainerReplaced).run(Context(facts))


LIFE = [event("create", "note-1", T0 + 1), event("start", "note-1", T0 + 2), event("die", "note-1", T0 + 3, exitCode=0)]


def test_ex1_note1_ran_exited_0_and_was_removed_before_note2_passes() -> None:
    """The journal shows note-1's whole life before note-2's creation: the part passes, with the times."""
    part = ex1(build_journal("x", records(*LIFE, event("destroy", "note-1", T0 + 10)), True))
    assert part.passed and "note-1 exited 0" in part.found


@pytest.mark.parametrize(
    ("life", "found"),
    [
        ([], "no container note-1 ran on this engine"),
        (LIFE[:2] + [event("die", "note-1", T0 + 3, exitCode=1), event("destroy", "note-1", T0 + 10)], "exited 1"),
        ([event("create", "note-1", T0 + 1), event("destroy", "note-1", T0 + 5)], "without ever running"),
        ([*LIFE, event("destroy", "note-1", T0 + 40)], "after note-2 was created"),
    ],
)
def test_ex1_wrong_histories_fail_with_what_happened(life: list[dict[str, Any]], found: str) -> None:
    """note-1 never existed, failed, never ran, or was removed only after note-2 came: each fails, saying so."""
    part = ex1(build_journal("x", records(*life), True))
    assert not part.passed and found in part.found and "docker rm note-2" in part.hint


def test_ex1_300_probe_containers_between_do_not_push_note1_out() -> None:
    """Probes are never journaled: note-1's life survives 300 probe containers after it."""
    probes = [
        event(a, f"course-probe-{i}", T0 + 11 + i / 1000, **{PROBE_LABEL: "true"})
        for i in range(300)
        for a in ("create", "start", "die", "destroy")
    ]
    kept = records(*LIFE, event("destroy", "note-1", T0 + 10), *probes)
    assert len(kept) == 5 and ex1(build_journal("x", kept, True)).passed


@pytest.mark.parametrize(
    ("journal", "says"),
    [
        (Journal("/run/course-engine"), "not kept on this engine"),
        (build_journal("x", records(start=T0 + 40, from_engine_start=False), True), "covers this engine only from"),
        (build_journal("x", records(start=T0 - 100), False), "stopped at"),
    ],
)
def test_ex1_a_journal_that_does_not_cover_the_period_says_it_cannot_tell(journal: Journal, says: str) -> None:
    """No journal, one that starts after note-2's creation, or one whose recorder stopped before it: the part
    says the journal cannot tell (a clear message), not that note-1 never existed."""
    part = ex1(journal)
    assert not part.passed and part.found.startswith("cannot tell") and says in part.found
    assert "cannot see note-1's run" in part.hint


def test_a_reread_journal_parses_only_what_was_added(tmp_path: Path) -> None:
    """Appended records are seen; a line still being written waits for its end; a rotated (new) file
    and a shorter one are read from their start."""

    def write(mode: str, *records: dict[str, Any], tail: str = "") -> None:
        with (tmp_path / recorder.JOURNAL).open(mode) as f:
            f.write("".join(json.dumps(r) + "\n" for r in records) + tail)

    def names() -> list[str]:
        return [e.name for e in read_journal(tmp_path).events]

    start = {"journal": "start", "t": T0}
    write("w", start, recorder.entry(event("create", "a", T0 + 2.0)) or {})
    assert names() == ["a"]
    write(
        "a",
        recorder.entry(event("create", "b", T0 + 3.0)) or {},
        tail=json.dumps(recorder.entry(event("create", "c", T0 + 4.0)))[:20],
    )
    assert names() == ["a", "b"]  # c is half written
    write("a", tail=json.dumps(recorder.entry(event("create", "c", T0 + 4.0)))[20:] + "\n")
    assert names() == ["a", "b", "c"]
    (tmp_path / recorder.JOURNAL).rename(tmp_path / recorder.PREVIOUS)
    write("w", recorder.entry(event("create", "d", T0 + 5.0)) or {})
    assert names() == ["a", "b", "c", "d"]  # the rotated file kept, the new one read from its start
    write("w", start, recorder.entry(event("create", "e", T0 + 6.0)) or {})
    (tmp_path / recorder.PREVIOUS).unlink()
    assert names() == ["e"]
