"""The kernel client of the hub's tests and load benchmark: its message framing and its timeouts (a fake
WebSocket, no server), and the reference run of an exercise it executes (from the source notebook)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from grader.hub import kernel_client
from grader.hub.kernel_client import Collector, KernelError, KernelTimeout, execute, execute_request
from grader.workspace.solutions import NoSolution, reference_run


class FakeSocket:
    """Answers each execute_request with ``replies(msg_id)``; then stays silent (or closes)."""

    def __init__(self, replies: Any = None, close_after: bool = False) -> None:
        self.replies, self.close_after = replies or (lambda _: []), close_after
        self.sent: list[dict[str, Any]] = []
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()

    async def write_message(self, message: str) -> None:
        sent = json.loads(message)
        self.sent.append(sent)
        for reply in self.replies(sent["header"]["msg_id"]):
            self.queue.put_nowait(json.dumps(reply))
        if self.close_after:
            self.queue.put_nowait(None)

    async def read_message(self) -> str | None:
        return await self.queue.get()


def _msg(parent: str, kind: str, channel: str = "iopub", **content: Any) -> dict[str, Any]:
    return {
        "header": {"msg_type": kind},
        "msg_type": kind,
        "parent_header": {"msg_id": parent},
        "channel": channel,
        "content": content,
    }


def _full_run(parent: str) -> list[dict[str, Any]]:
    return [
        _msg(parent, "status", execution_state="busy"),
        _msg("someone-else", "stream", name="stdout", text="not ours\n"),
        _msg(parent, "stream", name="stdout", text="hello "),
        _msg(parent, "display_data", data={"text/plain": "x", "application/x-result": {"passed": True}}),
        _msg(parent, "stream", name="stderr", text="world\n"),
        _msg("someone-else", "status", execution_state="idle"),
        _msg(parent, "status", execution_state="idle"),  # idle before the shell reply: not done yet
        _msg(parent, "execute_reply", channel="shell", status="ok"),
    ]


def test_execute_request_is_a_shell_message_with_a_fresh_id() -> None:
    first, message = execute_request("print(1)", session="s1", username="ann")
    second, _ = execute_request("print(1)", session="s1")
    assert first != second and message["channel"] == "shell"
    assert message["header"]["msg_type"] == "execute_request" and message["header"]["msg_id"] == first
    assert message["header"]["session"] == "s1" and message["header"]["username"] == "ann"
    assert message["content"]["code"] == "print(1)" and message["content"]["allow_stdin"] is False


def test_a_cell_is_done_only_after_its_own_reply_and_idle_whatever_their_order() -> None:
    collector = Collector("me")
    results = [collector.feed(m) for m in _full_run("me")]
    assert results == [False] * 7 + [True]
    out = collector.output
    assert out.text == "hello world\n" and out.status == "ok" and not out.error
    assert out.mime("application/x-result") == [{"passed": True}] and out.mime("image/png") == []
    reply_first = Collector("me")
    assert not reply_first.feed(_msg("me", "execute_reply", channel="shell", status="ok"))
    assert reply_first.feed(_msg("me", "status", execution_state="idle"))


def test_an_error_is_kept_with_its_traceback() -> None:
    collector = Collector("me")
    collector.feed(_msg("me", "error", ename="CheckFailed", evalue="ch01-ex1: 0/3 points.", traceback=["a", "b"]))
    assert collector.output.error == "CheckFailed: ch01-ex1: 0/3 points." and collector.output.traceback == "a\nb"


def test_execute_sends_the_request_and_collects_its_replies() -> None:
    async def scenario() -> tuple[kernel_client.CellOutput, FakeSocket]:
        socket = FakeSocket(_full_run)
        return await execute(socket, "print('hello')", timeout=5, session="s"), socket

    out, socket = asyncio.run(scenario())
    assert out.text == "hello world\n" and socket.sent[0]["content"]["code"] == "print('hello')"


def test_a_silent_kernel_times_out_within_its_bound() -> None:
    async def scenario() -> None:
        busy = lambda parent: [_msg(parent, "status", execution_state="busy")]  # noqa: E731 - never idle
        await execute(FakeSocket(busy), "import time; time.sleep(999)", timeout=0.3, session="s")

    started = time.monotonic()
    with pytest.raises(KernelTimeout, match="did not finish within 0.3 s: 'import time; time.sleep"):
        asyncio.run(scenario())
    assert time.monotonic() - started < 3


def test_a_closed_socket_is_an_error_not_a_hang() -> None:
    async def scenario() -> None:
        await execute(FakeSocket(close_after=True), "1", timeout=30, session="s")

    started = time.monotonic()
    with pytest.raises(KernelError, match="WebSocket closed"):
        asyncio.run(scenario())
    assert time.monotonic() - started < 3


def test_reference_run_of_ch01_ex1_is_setup_answer_then_check() -> None:
    run = reference_run("ch01-ex1")
    assert run.setup[0].startswith("from grader.notebook import prepare, check") and 'prepare("01")' in run.setup[0]
    assert any('"ex1"' in code and "makedirs" in code for code in run.setup)
    assert run.answers[0].startswith("%%writefile ex1/Dockerfile\nFROM busybox")
    assert "BEGIN SOLUTION" not in "".join(run.answers) and "LABEL maintainer=" in run.answers[0]
    assert run.answers[1].strip() == "!docker build -t course/hello:1.0 ex1"
    assert run.checks == ['check("ch01-ex1")']


def test_reference_run_refuses_a_source_without_the_exercise(tmp_path: Any) -> None:
    with pytest.raises(NoSolution):
        reference_run("ch01-ex1", source=tmp_path)
