"""ch05-ex1..ex5 against the real engine: the reference answer passes, wrong answers fail
with the hint that names the mistake, partial answers get partial points, and the checks
leave no probe container behind."""

from __future__ import annotations

import time

import pytest

from grader.engine.provided import prepare
from grader.engine.settings import PROBE_LABEL, course_dir
from tests.checks_support import hints
from tests.checks_support import run as run_in_lab
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

CHAPTER = course_dir() / "05-volumes"
DB1 = "docker run -d --name db-1 -v course-db-data:/var/lib/kv course/kv:1.0 && sleep 0.3"
DB2 = "docker run -d --name db-2 -v course-db-data:/var/lib/kv course/kv:1.0"
PUT = "docker exec db-1 kv put greeting hello"
READER = "docker run -d --name reader {flag} busybox sleep 3600"
WRITE_MESSAGE = "sh -c 'echo hello from producer > /shared/message.txt'"
PRODUCER = f"docker run --name producer -v shared-data:/shared busybox {WRITE_MESSAGE}"
CONSUMER = "docker run --name consumer {flag} busybox cat /shared/message.txt"


@pytest.fixture
def lab(engine: EngineSession) -> EngineSession:
    prepare(engine.client, "05")
    return engine


def run(engine: EngineSession, *commands: str) -> str:
    """Run shell commands in the chapter folder inside the lab (a failing docker run is allowed)."""
    return run_in_lab(engine, *commands, workdir=str(CHAPTER), may_fail=True)


def check(engine: EngineSession, exercise: str, **answers: object):
    result = engine.check(exercise, **answers)
    probes = [c.name for c in engine.client.containers.list(all=True) if c.name.startswith("course-probe")]
    assert not probes, f"the check left probe containers: {probes}"
    return result


# ---- ch05-ex1 data loss -------------------------------------------------------------------------

NOTES = (
    "docker run --name note-1 busybox sh -c 'echo remember > /tmp/note.txt'",
    "docker rm note-1",
    "docker run --name note-2 busybox cat /tmp/note.txt",
)


def test_ex1_reference_passes(lab: EngineSession) -> None:
    """note-1 removed, note-2 found no note, note_survived computed from its exit code: all four points."""
    run(lab, *NOTES)
    survived = lab.sh("docker inspect -f '{{.State.ExitCode}}' note-2").output.strip() == "0"
    result = check(lab, "ch05-ex1", note_survived=survived)
    assert result.passed and result.score == 4, dump(result)


def test_ex1_note1_that_never_existed_fails_from_the_journal(lab: EngineSession) -> None:
    """note-2 alone (no note-1 ever ran): absence proves nothing; the journal shows no note-1 before note-2."""
    run(lab, NOTES[2])
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 3 and "no container note-1 ran on this engine" in hints(result), dump(result)


def test_ex1_note1_failed_run_fails_with_its_exit_code(lab: EngineSession) -> None:
    """note-1 ran but did not write its note (exit 1): the journal shows the exit code."""
    run(lab, "docker run --name note-1 busybox sh -c 'exit 1'", *NOTES[1:])
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 3 and "note-1 exited 1" in hints(result), dump(result)


def test_ex1_journal_outlives_the_engines_event_buffer(lab: EngineSession) -> None:
    """130 probe containers (260 events: the engine keeps 256) between note-1's removal and the check: the
    course's journal skips them and still proves note-1's run."""
    run(lab, *NOTES)
    created = [lab.client.api.create_container("busybox", ["true"], labels={PROBE_LABEL: "true"}) for _ in range(130)]
    for c in created:
        lab.client.api.remove_container(c["Id"], force=True)
    since = int(time.time()) - 3600
    buffered = lab.client.api.events(since=since, until=int(time.time()) + 1, decode=True)
    assert not any((e.get("Actor") or {}).get("Attributes", {}).get("name") == "note-1" for e in buffered)
    assert check(lab, "ch05-ex1", note_survived=False).passed


def test_ex1_cli_string_answer_passes(lab: EngineSession) -> None:
    """The CLI's string FALSE counts as False."""
    run(lab, *NOTES)
    assert check(lab, "ch05-ex1", note_survived="FALSE").passed


def test_ex1_typed_true_does_not_match_engine(lab: EngineSession) -> None:
    """A typed True contradicts note-2's result: only the answer point is lost."""
    run(lab, *NOTES)
    result = check(lab, "ch05-ex1", note_survived=True)
    assert result.score == 3, dump(result)
    assert "does not match the engine" in hints(result)


def test_ex1_unset_answer(lab: EngineSession) -> None:
    """No answer: only the answer point is lost, the hint says to set it."""
    run(lab, *NOTES)
    result = check(lab, "ch05-ex1")
    assert result.score == 3 and "Set note_survived" in hints(result), dump(result)


def test_ex1_note1_kept(lab: EngineSession) -> None:
    """note-1 never removed: the removal point is lost with docker rm note-1 as hint."""
    run(lab, NOTES[0], NOTES[2])
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 3 and "docker rm note-1" in hints(result), dump(result)


def test_ex1_note2_removed_with_rm(lab: EngineSession) -> None:
    """A note-2 run with --rm leaves nothing to read: zero points, the hint says without --rm."""
    run(lab, NOTES[0], NOTES[1], "docker run --rm busybox cat /tmp/note.txt")
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 0, dump(result)
    assert "without --rm" in hints(result)


def test_ex1_note_in_a_volume_survives_and_fails(lab: EngineSession) -> None:
    """With a volume the note survives: that is not this exercise's lesson, so it fails."""
    run(
        lab,
        "docker run --name note-1 -v notes:/tmp busybox sh -c 'echo remember > /tmp/note.txt'",
        "docker rm note-1",
        "docker run --name note-2 -v notes:/tmp busybox cat /tmp/note.txt",
    )
    result = check(lab, "ch05-ex1", note_survived=True)
    assert result.score == 1, dump(result)
    assert "without any volume" in hints(result)


# ---- ch05-ex2 named volume ------------------------------------------------------------------------


def test_ex2_reference_passes(lab: EngineSession) -> None:
    """Key stored through db-1, db-1 removed, db-2 on the same volume serves it: all five points, and the volume
    stays."""
    run(lab, "docker volume create course-db-data", DB1, PUT, "docker rm -f db-1", DB2)
    result = check(lab, "ch05-ex2")
    assert result.passed and result.score == 5, dump(result)
    assert lab.client.volumes.get("course-db-data"), "the check must never remove the learner's volume"


def test_ex2_bind_mount_instead_of_volume(lab: EngineSession) -> None:
    """db-2 on a bind mount instead of the volume: the mount and key parts fail with the bind-mount hint."""
    run(
        lab,
        "docker volume create course-db-data",
        DB1,
        PUT,
        "docker rm -f db-1",
        "docker run -d --name db-2 -v /tmp/course-db-data:/var/lib/kv course/kv:1.0",
    )
    result = check(lab, "ch05-ex2")
    assert result.score == 3, dump(result)
    assert "bind mount of the host folder" in hints(result)


def test_ex2_data_in_container_layer(lab: EngineSession) -> None:
    """The key written to db-1's writable layer died with it: the mount, key and file parts fail."""
    run(
        lab,
        "docker run -d --name db-1 course/kv:1.0",
        PUT,
        "docker rm -f db-1",
        "docker volume create course-db-data",
        DB2,
    )
    result = check(lab, "ch05-ex2")
    assert result.score == 3, dump(result)
    assert "writable layer" in hints(result) and "HTTP 404" in hints(result)


def test_ex2_key_stored_in_db2(lab: EngineSession) -> None:
    """The key stored in db-2 itself proves nothing about survival: the timing part fails."""
    run(lab, DB2, "sleep 0.3", "docker exec db-2 kv put greeting hello")
    result = check(lab, "ch05-ex2")
    assert result.score == 4, dump(result)
    assert "written after db-2 existed" in hints(result)


def test_ex2_db1_kept_and_no_volume(lab: EngineSession) -> None:
    """db-1 kept and no volume anywhere: zero points, and the check creates no volume."""
    run(lab, "docker run -d --name db-1 course/kv:1.0", "docker run -d --name db-2 course/kv:1.0")
    result = check(lab, "ch05-ex2")
    assert result.score == 0, dump(result)
    found = hints(result)
    assert "docker rm -f db-1" in found and "Nothing is mounted at /var/lib/kv" in found
    assert not lab.client.volumes.list(), "a check must not create the volume it looks for"


def test_ex2_db2_stopped(lab: EngineSession) -> None:
    """A stopped db-2 serves nothing: it must be running."""
    run(lab, DB1, PUT, "docker rm -f db-1", DB2, "docker stop -t 1 db-2")
    result = check(lab, "ch05-ex2")
    assert result.score == 3, dump(result)
    assert "must be running" in hints(result)


# ---- ch05-ex3 read-only bind mount ------------------------------------------------------------------


def test_ex3_reference_passes(lab: EngineSession) -> None:
    """The chapter's config/ bind-mounted read-only: all three points."""
    run(lab, READER.format(flag='-v "$PWD/config:/config:ro"'))
    result = check(lab, "ch05-ex3")
    assert result.passed and result.score == 3, dump(result)


def test_ex3_mount_flag_form_passes(lab: EngineSession) -> None:
    """The --mount form with readonly counts the same."""
    run(lab, READER.format(flag='--mount type=bind,source="$PWD/config",target=/config,readonly'))
    assert check(lab, "ch05-ex3").passed


def test_ex3_relative_path_makes_a_named_volume(lab: EngineSession) -> None:
    """-v config:/config makes a named volume called config: the hint explains it."""
    run(lab, READER.format(flag="-v config:/config:ro"))
    result = check(lab, "ch05-ex3")
    assert result.score == 1, dump(result)
    found = hints(result)
    assert "VOLUME NAME" in found and "named volume called config" in found


def test_ex3_writable_bind(lab: EngineSession) -> None:
    """A writable bind loses the read-only point, and the write test leaves nothing behind."""
    run(lab, READER.format(flag='-v "$PWD/config:/config"'))
    result = check(lab, "ch05-ex3")
    assert result.score == 2 and ":ro" in hints(result), dump(result)
    assert not list((CHAPTER / "config").glob(".course-write-test*")), "the write test must clean up"


def test_ex3_other_folder(lab: EngineSession) -> None:
    """Another host folder is named, and its file differs from the chapter's."""
    run(
        lab,
        "mkdir -p /tmp/other && echo 'other = 1' > /tmp/other/app.conf",
        READER.format(flag="-v /tmp/other:/config:ro"),
    )
    result = check(lab, "ch05-ex3")
    assert result.score == 1, dump(result)
    assert "not the chapter's config/ folder" in hints(result) and "differs from the host file" in hints(result)


def test_ex3_reader_not_running(lab: EngineSession) -> None:
    """An exited reader: zero points, it must be running."""
    run(lab, 'docker run --name reader -v "$PWD/config:/config:ro" busybox true')
    result = check(lab, "ch05-ex3")
    assert result.score == 0 and "must be running" in hints(result), dump(result)


# ---- ch05-ex4 sharing ---------------------------------------------------------------------------------


def test_ex4_reference_passes(lab: EngineSession) -> None:
    """producer writes, consumer reads through shared-data: all four points."""
    run(lab, "docker volume create shared-data", PRODUCER, CONSUMER.format(flag="-v shared-data:/shared"))
    result = check(lab, "ch05-ex4")
    assert result.passed and result.score == 4, dump(result)


def test_ex4_volumes_from_passes(lab: EngineSession) -> None:
    """--volumes-from producer mounts the same volume and counts."""
    run(lab, PRODUCER, CONSUMER.format(flag="--volumes-from producer"))
    assert check(lab, "ch05-ex4").passed


def test_ex4_producer_wrote_its_own_layer(lab: EngineSession) -> None:
    """A producer without the volume wrote to its own layer: only the consumer's mount point is left."""
    run(
        lab,
        "docker volume create shared-data",
        "docker run --name producer busybox sh -c 'mkdir -p /shared; echo hello from producer > /shared/message.txt'",
        CONSUMER.format(flag="-v shared-data:/shared"),
    )
    result = check(lab, "ch05-ex4")
    assert result.score == 1, dump(result)
    assert "writable layer" in hints(result)


def test_ex4_consumer_removed(lab: EngineSession) -> None:
    """A consumer run with --rm is gone: its parts fail with the no --rm hint."""
    run(lab, PRODUCER, "docker run --rm -v shared-data:/shared busybox cat /shared/message.txt")
    result = check(lab, "ch05-ex4")
    assert result.score == 2 and "no --rm" in hints(result), dump(result)


def test_ex4_consumer_on_another_volume(lab: EngineSession) -> None:
    """A consumer on another volume: the hint asks for the same volume."""
    run(lab, PRODUCER, CONSUMER.format(flag="-v other-data:/shared"))
    result = check(lab, "ch05-ex4")
    assert result.score == 2, dump(result)
    assert "Mount the same volume" in hints(result)


def test_ex4_producer_bind_mount(lab: EngineSession) -> None:
    """A producer on a bind mount: the bind-mount hint, the volume never got the file."""
    run(
        lab,
        f"docker run --name producer -v /tmp/shared:/shared busybox {WRITE_MESSAGE}",
        CONSUMER.format(flag="-v shared-data:/shared"),
    )
    result = check(lab, "ch05-ex4")
    assert result.score == 1 and "bind mount of the host folder" in hints(result), dump(result)


# ---- ch05-ex5 anonymous volume ------------------------------------------------------------------------

ANON = "docker run -d --name anon-vol course/volume-port:1.0"
NAME = "docker inspect -f '{{range .Mounts}}{{.Name}}{{end}}' anon-vol"


def test_ex5_reference_passes(lab: EngineSession) -> None:
    """The anonymous volume's name, as `x = !docker inspect ...` gives it: all three points."""
    run(lab, ANON)
    name = lab.sh(NAME).output.strip()
    result = check(lab, "ch05-ex5", anon_volume_name=[name])  # what `x = !docker inspect ...` gives
    assert result.passed and result.score == 3, dump(result)


def test_ex5_stale_name_does_not_match(lab: EngineSession) -> None:
    """The name of a removed container's volume does not match the new one."""
    run(lab, ANON)
    old = lab.sh(NAME).output.strip()
    run(lab, "docker rm -f -v anon-vol", ANON)
    result = check(lab, "ch05-ex5", anon_volume_name=old)
    assert result.score == 1 and "does not match the engine" in hints(result), dump(result)


def test_ex5_short_name(lab: EngineSession) -> None:
    """A 12-character prefix fails with a hint asking for the full name."""
    run(lab, ANON)
    short = lab.sh(NAME).output.strip()[:12]
    result = check(lab, "ch05-ex5", anon_volume_name=short)
    assert result.score == 1 and "full 64-character name" in hints(result), dump(result)


def test_ex5_unset_answer(lab: EngineSession) -> None:
    """No answer: only the answer points are lost."""
    run(lab, ANON)
    result = check(lab, "ch05-ex5")
    assert result.score == 1 and "Set anon_volume_name" in hints(result), dump(result)


def test_ex5_named_volume_is_not_anonymous(lab: EngineSession) -> None:
    """A named volume at /data is not the image's anonymous volume."""
    run(lab, "docker run -d --name anon-vol -v mydata:/data course/volume-port:1.0")
    result = check(lab, "ch05-ex5", anon_volume_name="mydata")
    assert result.score == 2 and "without -v/--mount" in hints(result), dump(result)


def test_blank_engine_scores_zero_everywhere(lab: EngineSession) -> None:
    """On a blank engine every ch05 exercise scores zero without a run error."""
    for exercise in ("ch05-ex1", "ch05-ex2", "ch05-ex3", "ch05-ex4", "ch05-ex5"):
        result = check(lab, exercise)
        assert result.score == 0 and not result.error, dump(result)


def test_ex5_missing_container(lab: EngineSession) -> None:
    """No anon-vol: zero points, no run error, the run hint."""
    result = check(lab, "ch05-ex5", anon_volume_name="abc")
    assert result.score == 0 and not result.error, dump(result)
    assert "docker run -d --name anon-vol" in hints(result)
