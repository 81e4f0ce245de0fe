"""Chapter 05's pure logic without an engine: timestamps, anonymous names, the volume probe's
output, answer parsing, and each mount shape's hint over recorded inspect data."""

from __future__ import annotations

from typing import Any

import pytest

from grader.checks.base import Context
from grader.checks.volume_anon_answer import AnonymousVolumeAnswer
from grader.checks.volume_mount import VolumeMount
from grader.checks.volume_mounted_file import MountedFile
from grader.checks.volume_note_answer import SurvivedAnswer
from grader.checks.volume_read_only import MountReadOnly
from grader.checks.volume_served_key import ServedKey
from grader.errors import ProbeError
from grader.facts.networks import HttpAnswer
from grader.facts.volumes import is_anonymous, parse_time, parse_volume_file
from tests.unit.fakes import FakeFacts, declared

ANON = "3f" * 32


def test_docker_and_stat_times_agree() -> None:
    docker = parse_time("2024-05-01T10:00:00.123456789Z")
    stat = parse_time("2024-05-01 10:00:00.123456789 +0000")
    assert docker == stat
    assert parse_time("2024-05-01 12:00:00.5 +0200") == pytest.approx(parse_time("2024-05-01T10:00:00.5Z"))
    assert parse_time("2024-05-01T10:00:01Z") - docker == pytest.approx(0.876543211, abs=1e-6)


def test_bad_time_raises() -> None:
    with pytest.raises(ValueError):
        parse_time("yesterday")


def test_anonymous_names() -> None:
    assert is_anonymous(ANON)
    assert not is_anonymous("course-db-data") and not is_anonymous(ANON[:12])


def test_volume_file_output() -> None:
    f = parse_volume_file("v", "greeting", "FILE\n2024-05-01 10:00:00.000000000 +0000\nhello")
    assert f.exists and f.text == "hello" and f.mtime == parse_time("2024-05-01T10:00:00Z")
    missing = parse_volume_file("v", "greeting", "MISSING\nother\n.hidden\n")
    assert not missing.exists and missing.listing == ("other", ".hidden")
    with pytest.raises(ProbeError):
        parse_volume_file("v", "greeting", "sh: not found")


def container(mounts: list[dict[str, Any]], image: str = "busybox", running: bool = True, code: int = 0) -> dict:
    state = {"Status": "running" if running else "exited", "Running": running, "ExitCode": code}
    return {"Id": "c" * 64, "Image": "sha256:x", "Config": {"Image": image}, "State": state, "Mounts": mounts}


def volume(name: str, dest: str, rw: bool = True) -> dict[str, Any]:
    return {
        "Type": "volume",
        "Name": name,
        "Source": f"/var/lib/docker/volumes/{name}/_data",
        "Destination": dest,
        "RW": rw,
    }


def bind(source: str, dest: str, rw: bool = True) -> dict[str, Any]:
    return {"Type": "bind", "Source": source, "Destination": dest, "RW": rw}


def ctx(containers: dict[str, dict], **answers: Any) -> Context:
    return Context(FakeFacts(containers=containers), answers)


DB2 = VolumeMount(container="db-2", destination="/var/lib/kv", volume="course-db-data")
READER = VolumeMount(container="reader", destination="/config", type="bind", source_suffix="05-volumes/config")


def test_named_volume_mount_passes_and_bind_is_named() -> None:
    assert DB2.run(ctx({"db-2": container([volume("course-db-data", "/var/lib/kv")])})).passed
    part = DB2.run(ctx({"db-2": container([bind("/work/course-db-data", "/var/lib/kv")])}))
    assert not part.passed and "bind mount of the host folder" in part.hint


def test_no_mount_means_writable_layer() -> None:
    part = DB2.run(ctx({"db-2": container([])}))
    assert not part.passed and "writable layer" in part.hint and part.found == "no mounts"


def test_anonymous_where_named_volume_asked() -> None:
    part = DB2.run(ctx({"db-2": container([volume(ANON, "/var/lib/kv")])}))
    assert not part.passed and "anonymous volume" in part.hint


def test_bind_source_suffix_and_relative_path() -> None:
    good = container([bind("/home/me/course/05-volumes/config", "/config", rw=False)])
    assert READER.run(ctx({"reader": good})).passed
    part = READER.run(ctx({"reader": container([volume("config", "/config", rw=False)])}))
    assert not part.passed and "named volume called config" in part.hint
    part = READER.run(ctx({"reader": container([bind("/home/me/05-volumes/config-old", "/config")])}))
    assert not part.passed and "not the chapter's config/ folder" in part.hint


def test_survived_answer_matches_truth() -> None:
    failed = {"note-2": container([], running=False, code=1)}
    check = SurvivedAnswer(answer="note_survived", container="note-2", expected=False)
    assert check.run(ctx(failed, note_survived=False)).passed
    assert check.run(ctx(failed, note_survived="false")).passed
    assert "does not match the engine" in check.run(ctx(failed, note_survived=True)).hint
    assert "True or False" in check.run(ctx(failed, note_survived="maybe")).hint
    found = {"note-2": container([], running=False, code=0)}
    assert "without any volume" in check.run(ctx(found, note_survived=True)).hint


def test_anonymous_volume_answer() -> None:
    anon = {"anon-vol": container([volume(ANON, "/data")])}
    check = AnonymousVolumeAnswer(answer="anon_volume_name", container="anon-vol", destination="/data")
    assert check.run(ctx(anon, anon_volume_name=ANON)).passed
    assert "does not match the engine" in check.run(ctx(anon, anon_volume_name="ab" * 32)).hint
    assert "full 64-character" in check.run(ctx(anon, anon_volume_name=ANON[:12])).hint
    assert "Set anon_volume_name" in check.run(ctx(anon)).hint


def test_replaced_needs_the_successor() -> None:
    from grader.checks.container_replaced import ContainerReplaced

    check = ContainerReplaced(removed="note-1", successor="note-2")
    assert not check.run(ctx({})).passed, "a blank engine must not earn the point"
    assert check.run(ctx({"note-2": container([], running=False, code=1)})).passed
    both = {"note-1": container([]), "note-2": container([])}
    assert "docker rm -f note-1" in check.run(ctx(both)).hint


def test_chapter_texts_reach_the_generic_volume_checks() -> None:
    """Chapter 05's own commands (kv put, course/kv:1.0, the config/ bind flag) come from its
    declarations: the check types only say what they observed."""
    running = container([bind("/course/05-volumes/config", "/config")])
    facts = FakeFacts(containers={"db-2": running, "reader": running})
    served = declared("ch05-ex2", ServedKey)
    missing_key = served.run(Context(facts))  # nothing answers: no recorded HTTP answer
    assert "does not answer on port 8080: run course/kv:1.0 with its own command." in missing_key.hint
    facts.answers[("127.0.0.1", 8080, "db-2")] = HttpAnswer("http://127.0.0.1:8080/greeting", 404, "", "")
    assert "(docker exec NAME kv put KEY VALUE)" in served.run(Context(facts)).hint
    generic = ServedKey(container="db-2", key="greeting", value="hello", port=8080).run(Context(facts))
    assert "kv put" not in generic.hint and "course/kv" not in generic.hint
    writable = declared("ch05-ex3", MountReadOnly).run(Context(facts))
    assert '-v "$PWD/config:/config:ro"' in writable.hint
    assert "$PWD/config" not in MountReadOnly(container="reader", destination="/config").run(Context(facts)).hint
    no_file = declared("ch05-ex3", MountedFile).run(Context(facts))  # cat fails: nothing recorded
    assert 'bind the chapter\'s config/ folder: -v "$PWD/config:/config:ro".' in no_file.hint
