"""The lab's channel to the host: only hints and solutions, validated, links the lab plants never followed."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.services import channel, channel_process, progress
from grader.services.channel_server import answer, bind_in, handlers_for, serve, still_ours
from grader.workspace.solutions import hints, source_dir


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b'{"op": "read", "exercise": "ch01-ex2"}', "answers only"),
        (b'{"op": "grade-everyone"}', "answers only"),
        (b'{"op": "hint", "exercise": "../../etc/passwd"}', "needs 'exercise'"),
        (b'{"op": "hint", "exercise": "ch01-ex2", "path": "/etc"}', "takes only"),
        (b'{"op": "hint", "exercise": ["ch01-ex2"]}', "needs 'exercise'"),
        (b'{"op": "hint"}', "needs 'exercise'"),
        (b"not json", "one line of JSON"),
        (b'["hint", "ch01-ex2"]', "JSON object"),
        (b"\xff\xfe", "one line of JSON"),
        (b'{"op": "hint", "exercise": "' + b"x" * 5000 + b'"}', "at most"),
    ],
)
def test_anything_but_a_well_formed_hint_or_solution_is_refused(raw: bytes, why: str) -> None:
    with pytest.raises(channel.ChannelRefused, match=why):
        channel.validate(raw)


def test_a_well_formed_request_passes_normalised() -> None:
    assert channel.validate(b'{"op": "solution", "exercise": " CH01-EX2 "}') == ("solution", "ch01-ex2")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """A channel server on a run folder of its own, in a thread; yields the run folder."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    sock, inode = bind_in(run_dir)
    stop = threading.Event()
    handlers = handlers_for(source_dir(), run_dir / "progress.json")
    thread = threading.Thread(target=serve, args=(sock, handlers, lambda: not stop.is_set()), daemon=True)
    thread.start()
    yield run_dir
    stop.set()
    sock.close()
    thread.join(timeout=10)
    assert still_ours(run_dir, inode)


def test_a_hint_then_the_solution_are_answered_and_recorded_on_the_host(served: Path) -> None:
    sock = served / channel.SOCKET_NAME
    assert os.stat(sock).st_mode & 0o666 == 0o666  # the lab's root (another uid on the host) may connect
    first = channel.request("hint", exercise="ch01-ex2", path=sock)
    second = channel.request("hint", exercise="ch01-ex2", path=sock)
    expected = hints("ch01-ex2")
    assert expected and first["shown"] == expected[:1] and second["shown"] == expected[:2]
    shown = channel.request("solution", exercise="ch01-ex2", path=sock)
    assert shown["exercise"] == "ch01-ex2" and shown["cells"] and "BEGIN SOLUTION" not in json.dumps(shown)
    views = progress.views(served / "progress.json")
    assert views["ch01-ex2"]["hints"] == 2 and views["ch01-ex2"]["solution"] is True


def test_refusals_and_unknown_ids_are_one_sentence_over_the_socket(served: Path) -> None:
    sock = served / channel.SOCKET_NAME
    with pytest.raises(GraderError, match="answers only"):
        channel.request("shell", exercise="ch01-ex2", path=sock)
    with pytest.raises(GraderError, match="not an exercise of the course"):
        channel.request("solution", exercise="ch09-ex9", path=sock)
    raw = socket.socket(socket.AF_UNIX)
    raw.connect(str(sock))
    raw.sendall(b"x" * 10000)  # no newline, over the limit: refused, the server stays up
    assert b"at most" in raw.recv(4096)
    raw.close()
    assert channel.request("hint", exercise="ch01-ex1", path=sock)["exercise"] == "ch01-ex1"


def test_a_progress_link_planted_in_the_run_folder_is_replaced_not_written_through(
    served: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "host-secret"
    outside.write_text("host file\n")
    (served / "progress.json").symlink_to(outside)
    channel.request("solution", exercise="ch01-ex1", path=served / channel.SOCKET_NAME)
    assert outside.read_text() == "host file\n"
    assert not (served / "progress.json").is_symlink()
    assert progress.views(served / "progress.json")["ch01-ex1"]["solution"] is True


def test_a_socket_name_planted_as_a_link_is_removed_never_its_target(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    (run_dir / channel.SOCKET_NAME).symlink_to(target)
    sock, inode = bind_in(run_dir)
    sock.close()
    assert target.read_text() == "keep\n" and still_ours(run_dir, inode)
    (run_dir / channel.SOCKET_NAME).unlink()
    (run_dir / channel.SOCKET_NAME).symlink_to(target)
    assert not still_ours(run_dir, inode)  # replaced: the server would stop by itself
    linked = tmp_path / "linked-run"
    linked.symlink_to(run_dir)
    with pytest.raises(OSError):
        bind_in(linked)  # a run folder that is a link is not used


def test_solutions_turned_off_are_refused() -> None:
    handlers = handlers_for(source_dir(), Path("/nonexistent/progress.json"), solutions=False)
    reply = answer(b'{"op": "solution", "exercise": "ch01-ex2"}', handlers)
    assert reply == {"ok": False, "error": "solution is turned off for this lab."}


def test_the_server_process_starts_answers_and_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``engine up``'s part: a detached server on the lab's run folder, found by its command line, stopped."""
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path / "state"))
    run_dir = tmp_path / "state" / "labs" / "lab-x" / "run"
    run_dir.mkdir(parents=True)
    pid = channel_process.start("lab-x")
    try:
        assert channel_process.running("lab-x") == pid
        shown = channel.request("hint", exercise="ch01-ex2", path=run_dir / channel.SOCKET_NAME)
        assert shown["shown"] and progress.views(run_dir / "progress.json")["ch01-ex2"]["hints"] == 1
    finally:
        assert channel_process.stop("lab-x")
    assert channel_process.running("lab-x") is None and not (run_dir / channel.SOCKET_NAME).exists()


def test_a_class_lab_shows_solutions_only_while_the_instructor_switch_is_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Off unless turned on (`docker-course hub solutions on`), read at every request; hints stay; no self-grading."""
    from grader import cli
    from grader.services.class_switch import switch_path

    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path / "state"))
    handlers = handlers_for(source_dir(), tmp_path / "progress.json", grading=False, class_switch=switch_path())
    ask = b'{"op": "solution", "exercise": "ch01-ex2"}'
    assert "not turned solutions on" in answer(ask, handlers)["error"]
    assert answer(b'{"op": "hint", "exercise": "ch01-ex2"}', handlers)["ok"]
    assert cli.main(["hub", "solutions", "on"]) == 0 and "is on" in capsys.readouterr().out
    assert answer(ask, handlers)["ok"]
    assert cli.main(["hub", "solutions", "off"]) == 0 and "is off" in capsys.readouterr().out
    assert not answer(ask, handlers)["ok"]
    assert "turned off" in answer(b'{"op": "grade", "chapter": "01"}', handlers)["error"]
