"""ch05-ex1..ex5 against the real engine: the reference answer passes, wrong answers fail
with the hint that names the mistake, partial answers get partial points, and the checks
leave no probe container behind."""

from __future__ import annotations

import pytest

from grader.engine.provided import prepare
from grader.engine.settings import course_dir
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


def run(engine: EngineSession, *commands: str) -> None:
    """Run shell commands in the chapter folder inside the lab (a failing docker run is allowed)."""
    engine.sh(" ; ".join(commands), workdir=str(CHAPTER))


def check(engine: EngineSession, exercise: str, **answers: object):
    result = engine.check(exercise, **answers)
    probes = [c.name for c in engine.client.containers.list(all=True) if c.name.startswith("course-probe")]
    assert not probes, f"the check left probe containers: {probes}"
    return result


def hints(result) -> str:
    return " | ".join(f"{p.hint} {p.found}" for p in result.parts if not p.passed)


# ---- ch05-ex1 data loss -------------------------------------------------------------------------

NOTES = (
    "docker run --name note-1 busybox sh -c 'echo remember > /tmp/note.txt'",
    "docker rm note-1",
    "docker run --name note-2 busybox cat /tmp/note.txt",
)


def test_ex1_reference_passes(lab: EngineSession) -> None:
    run(lab, *NOTES)
    survived = lab.sh("docker inspect -f '{{.State.ExitCode}}' note-2").output.strip() == "0"
    result = check(lab, "ch05-ex1", note_survived=survived)
    assert result.passed and result.score == 4, dump(result)


def test_ex1_cli_string_answer_passes(lab: EngineSession) -> None:
    run(lab, *NOTES)
    assert check(lab, "ch05-ex1", note_survived="FALSE").passed


def test_ex1_typed_true_does_not_match_engine(lab: EngineSession) -> None:
    run(lab, *NOTES)
    result = check(lab, "ch05-ex1", note_survived=True)
    assert result.score == 3, dump(result)
    assert "does not match the engine" in hints(result)


def test_ex1_unset_answer(lab: EngineSession) -> None:
    run(lab, *NOTES)
    result = check(lab, "ch05-ex1")
    assert result.score == 3 and "Set note_survived" in hints(result), dump(result)


def test_ex1_note1_kept(lab: EngineSession) -> None:
    run(lab, NOTES[0], NOTES[2])
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 3 and "docker rm note-1" in hints(result), dump(result)


def test_ex1_note2_removed_with_rm(lab: EngineSession) -> None:
    run(lab, NOTES[0], NOTES[1], "docker run --rm busybox cat /tmp/note.txt")
    result = check(lab, "ch05-ex1", note_survived=False)
    assert result.score == 0, dump(result)
    assert "without --rm" in hints(result)


def test_ex1_note_in_a_volume_survives_and_fails(lab: EngineSession) -> None:
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
    run(lab, "docker volume create course-db-data", DB1, PUT, "docker rm -f db-1", DB2)
    result = check(lab, "ch05-ex2")
    assert result.passed and result.score == 5, dump(result)
    assert lab.client.volumes.get("course-db-data"), "the check must never remove the learner's volume"


def test_ex2_bind_mount_instead_of_volume(lab: EngineSession) -> None:
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
    run(lab, DB2, "sleep 0.3", "docker exec db-2 kv put greeting hello")
    result = check(lab, "ch05-ex2")
    assert result.score == 4, dump(result)
    assert "written after db-2 existed" in hints(result)


def test_ex2_db1_kept_and_no_volume(lab: EngineSession) -> None:
    run(lab, "docker run -d --name db-1 course/kv:1.0", "docker run -d --name db-2 course/kv:1.0")
    result = check(lab, "ch05-ex2")
    assert result.score == 0, dump(result)
    found = hints(result)
    assert "docker rm -f db-1" in found and "Nothing is mounted at /var/lib/kv" in found
    assert not lab.client.volumes.list(), "a check must not create the volume it looks for"


def test_ex2_db2_stopped(lab: EngineSession) -> None:
    run(lab, DB1, PUT, "docker rm -f db-1", DB2, "docker stop -t 1 db-2")
    result = check(lab, "ch05-ex2")
    assert result.score == 3, dump(result)
    assert "must be running" in hints(result)


# ---- ch05-ex3 read-only bind mount ------------------------------------------------------------------


def test_ex3_reference_passes(lab: EngineSession) -> None:
    run(lab, READER.format(flag='-v "$PWD/config:/config:ro"'))
    result = check(lab, "ch05-ex3")
    assert result.passed and result.score == 3, dump(result)


def test_ex3_mount_flag_form_passes(lab: EngineSession) -> None:
    run(lab, READER.format(flag='--mount type=bind,source="$PWD/config",target=/config,readonly'))
    assert check(lab, "ch05-ex3").passed


def test_ex3_relative_path_makes_a_named_volume(lab: EngineSession) -> None:
    run(lab, READER.format(flag="-v config:/config:ro"))
    result = check(lab, "ch05-ex3")
    assert result.score == 1, dump(result)
    found = hints(result)
    assert "VOLUME NAME" in found and "named volume called config" in found


def test_ex3_writable_bind(lab: EngineSession) -> None:
    run(lab, READER.format(flag='-v "$PWD/config:/config"'))
    result = check(lab, "ch05-ex3")
    assert result.score == 2 and ":ro" in hints(result), dump(result)
    assert not list((CHAPTER / "config").glob(".course-write-test*")), "the write test must clean up"


def test_ex3_other_folder(lab: EngineSession) -> None:
    run(
        lab,
        "mkdir -p /tmp/other && echo 'other = 1' > /tmp/other/app.conf",
        READER.format(flag="-v /tmp/other:/config:ro"),
    )
    result = check(lab, "ch05-ex3")
    assert result.score == 1, dump(result)
    assert "not the chapter's config/ folder" in hints(result) and "differs from the host file" in hints(result)


def test_ex3_reader_not_running(lab: EngineSession) -> None:
    run(lab, 'docker run --name reader -v "$PWD/config:/config:ro" busybox true')
    result = check(lab, "ch05-ex3")
    assert result.score == 0 and "must be running" in hints(result), dump(result)


# ---- ch05-ex4 sharing ---------------------------------------------------------------------------------


def test_ex4_reference_passes(lab: EngineSession) -> None:
    run(lab, "docker volume create shared-data", PRODUCER, CONSUMER.format(flag="-v shared-data:/shared"))
    result = check(lab, "ch05-ex4")
    assert result.passed and result.score == 4, dump(result)


def test_ex4_volumes_from_passes(lab: EngineSession) -> None:
    run(lab, PRODUCER, CONSUMER.format(flag="--volumes-from producer"))
    assert check(lab, "ch05-ex4").passed


def test_ex4_producer_wrote_its_own_layer(lab: EngineSession) -> None:
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
    run(lab, PRODUCER, "docker run --rm -v shared-data:/shared busybox cat /shared/message.txt")
    result = check(lab, "ch05-ex4")
    assert result.score == 2 and "no --rm" in hints(result), dump(result)


def test_ex4_consumer_on_another_volume(lab: EngineSession) -> None:
    run(lab, PRODUCER, CONSUMER.format(flag="-v other-data:/shared"))
    result = check(lab, "ch05-ex4")
    assert result.score == 2, dump(result)
    assert "Mount the same volume" in hints(result)


def test_ex4_producer_bind_mount(lab: EngineSession) -> None:
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
    run(lab, ANON)
    name = lab.sh(NAME).output.strip()
    result = check(lab, "ch05-ex5", anon_volume_name=[name])  # what `x = !docker inspect ...` gives
    assert result.passed and result.score == 3, dump(result)


def test_ex5_stale_name_does_not_match(lab: EngineSession) -> None:
    run(lab, ANON)
    old = lab.sh(NAME).output.strip()
    run(lab, "docker rm -f -v anon-vol", ANON)
    result = check(lab, "ch05-ex5", anon_volume_name=old)
    assert result.score == 1 and "does not match the engine" in hints(result), dump(result)


def test_ex5_short_name(lab: EngineSession) -> None:
    run(lab, ANON)
    short = lab.sh(NAME).output.strip()[:12]
    result = check(lab, "ch05-ex5", anon_volume_name=short)
    assert result.score == 1 and "full 64-character name" in hints(result), dump(result)


def test_ex5_unset_answer(lab: EngineSession) -> None:
    run(lab, ANON)
    result = check(lab, "ch05-ex5")
    assert result.score == 1 and "Set anon_volume_name" in hints(result), dump(result)


def test_ex5_named_volume_is_not_anonymous(lab: EngineSession) -> None:
    run(lab, "docker run -d --name anon-vol -v mydata:/data course/volume-port:1.0")
    result = check(lab, "ch05-ex5", anon_volume_name="mydata")
    assert result.score == 2 and "without -v/--mount" in hints(result), dump(result)


def test_blank_engine_scores_zero_everywhere(lab: EngineSession) -> None:
    for exercise in ("ch05-ex1", "ch05-ex2", "ch05-ex3", "ch05-ex4", "ch05-ex5"):
        result = check(lab, exercise)
        assert result.score == 0 and not result.error, dump(result)


def test_ex5_missing_container(lab: EngineSession) -> None:
    result = check(lab, "ch05-ex5", anon_volume_name="abc")
    assert result.score == 0 and not result.error, dump(result)
    assert "docker run -d --name anon-vol" in hints(result)
