"""The image memo: answers kept per engine and image id, never errors, never without an id; which probes qualify."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from grader.facts import image_memo
from grader.facts.probe import ProbeResult, ProbeSpec, image_only


def _client(url: str = "http+docker://localhost", socket: str = "/run/a.sock") -> Any:
    return SimpleNamespace(api=SimpleNamespace(base_url=url, _custom_adapter=SimpleNamespace(socket_path=socket)))


@pytest.fixture(autouse=True)
def empty() -> Iterator[None]:
    image_memo.clear()
    yield
    image_memo.clear()


def test_read_once_per_engine_and_id() -> None:
    """The same id on the same engine is read once; another id or another engine's socket is read again."""
    reads: list[str] = []

    def read(value: str) -> str:
        reads.append(value)
        return value

    a, b = _client(socket="/run/a.sock"), _client(socket="/run/b.sock")
    assert image_memo.remembered(a, "sha256:1", ("paths",), lambda: read("x")) == "x"
    assert image_memo.remembered(a, "sha256:1", ("paths",), lambda: read("y")) == "x"
    assert image_memo.remembered(a, "sha256:2", ("paths",), lambda: read("z")) == "z"
    assert image_memo.remembered(b, "sha256:1", ("paths",), lambda: read("w")) == "w"
    assert image_memo.remembered(a, "sha256:1", ("mounts",), lambda: read("m")) == "m"
    assert reads == ["x", "z", "w", "m"]


def test_errors_unkept_answers_and_no_id_are_read_again() -> None:
    """An exception, an answer worth_keeping refuses (a timed-out probe) and a read without an id are never kept."""
    client = _client()

    def fail() -> str:
        raise RuntimeError("engine hiccup")

    with pytest.raises(RuntimeError):
        image_memo.remembered(client, "sha256:1", ("run",), fail)
    timed_out = ProbeResult(-1, "", "", timed_out=True)
    done = ProbeResult(0, "ok", "")
    assert image_memo.remembered(client, "sha256:1", ("run",), lambda: timed_out, lambda r: not r.timed_out).timed_out
    assert image_memo.remembered(client, "sha256:1", ("run",), lambda: done, lambda r: not r.timed_out) is done
    assert image_memo.remembered(client, "sha256:1", ("run",), lambda: timed_out, lambda r: not r.timed_out) is done
    assert image_memo.remembered(client, "", ("run",), lambda: 1) == 1
    assert image_memo.remembered(client, "", ("run",), lambda: 2) == 2
    assert image_memo.size() == 1


def test_known_tells_absent_from_none_and_the_memo_is_bounded() -> None:
    """None (an absent file) is an answer; past MAX_ENTRIES the oldest entries go."""
    client = _client()
    assert image_memo.known(client, "sha256:1", ("file", "/x")) is image_memo.UNKNOWN
    image_memo.keep(client, "sha256:1", ("file", "/x"), None)
    assert image_memo.known(client, "sha256:1", ("file", "/x")) is None
    for n in range(image_memo.MAX_ENTRIES + 5):
        image_memo.keep(client, f"sha256:{n + 2}", ("paths",), n)
    assert image_memo.size() == image_memo.MAX_ENTRIES
    assert image_memo.known(client, "sha256:1", ("file", "/x")) is image_memo.UNKNOWN
    assert image_memo.known(client, "sha256:2", ("paths",)) is image_memo.UNKNOWN


def test_only_probes_of_the_image_alone_qualify() -> None:
    """Host namespaces, a network, a volume or an added capability let live state in: such probes are never kept."""
    assert image_only(ProbeSpec(image="course/app:slim", entrypoint=["env"], command=[]))
    assert not image_only(ProbeSpec(command=["ip", "-o", "link"], network_mode="host"))
    assert not image_only(ProbeSpec(command=["ls"], pid_host=True))
    assert not image_only(ProbeSpec(command=["cat", "/data/x"], volumes={"data": "/data"}))
    assert not image_only(ProbeSpec(command=["hostname"], cap_add=["SYS_ADMIN"]))
    assert not image_only(ProbeSpec(command=["wget", "x"], network_mode=None))
