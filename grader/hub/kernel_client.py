"""A small Jupyter kernel client: a single-user server's REST API and its kernel WebSocket.

For the hub's load benchmark and tests (the learner's side, scripted): start a kernel
(``POST api/kernels``), run cells over its ``channels`` WebSocket, shut it down
(``DELETE api/kernels/ID``). On that socket every message is one JSON text frame naming
its channel (``shell``, ``iopub``, ...); a cell is done when both its ``execute_reply``
(shell) and the kernel's ``idle`` status for it (iopub) have come, in either order, and
messages answering other requests are skipped. Every wait is bounded: a cell that does not
finish in time raises :class:`KernelTimeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from grader.errors import GraderError

PROTOCOL_VERSION = "5.3"


class KernelError(GraderError):
    """The kernel's socket closed, or the server refused a kernel."""


class KernelTimeout(KernelError):
    """A cell did not finish in time."""


class Connection(Protocol):
    """What :func:`execute` needs of a WebSocket (tornado's client connection has it)."""

    def write_message(self, message: str) -> Awaitable[None]: ...

    def read_message(self) -> Awaitable[str | bytes | None]: ...


@dataclass
class CellOutput:
    """What one cell produced: its stream text, its error, its rich outputs, its reply's status."""

    text: str = ""  # stdout and stderr, in order
    error: str = ""  # "ename: evalue" of an error, "" when none
    traceback: str = ""
    data: list[dict[str, Any]] = field(default_factory=list)  # display_data and execute_result bundles
    status: str = ""  # the execute_reply's status: "ok", "error" or "aborted"

    def mime(self, mimetype: str) -> list[Any]:
        """Every rich output of ``mimetype``, in order."""
        return [bundle[mimetype] for bundle in self.data if mimetype in bundle]


def execute_request(code: str, session: str, username: str = "") -> tuple[str, dict[str, Any]]:
    """(msg_id, the ``execute_request`` message for ``code`` on the shell channel)."""
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": "execute_request",
        "session": session,
        "username": username,
        "version": PROTOCOL_VERSION,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
    return msg_id, message


class Collector:
    """The replies to one request, fed message by message; :attr:`done` once reply and idle came."""

    def __init__(self, msg_id: str) -> None:
        self.msg_id, self.output = msg_id, CellOutput()
        self._replied = self._idle = False

    @property
    def done(self) -> bool:
        """True once both the shell reply and the iopub idle status for the request came."""
        return self._replied and self._idle

    def feed(self, message: dict[str, Any]) -> bool:
        """Take one message (ignored unless it answers this request); True when the cell is done."""
        if (message.get("parent_header") or {}).get("msg_id") != self.msg_id:
            return self.done
        kind, content = message.get("msg_type") or message.get("header", {}).get("msg_type"), message.get("content", {})
        out = self.output
        if kind == "stream":
            out.text += str(content.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            out.data.append(dict(content.get("data") or {}))
        elif kind == "error":
            out.error = f"{content.get('ename', '')}: {content.get('evalue', '')}"
            out.traceback = "\n".join(content.get("traceback") or [])
        elif kind == "execute_reply":
            out.status, self._replied = str(content.get("status", "")), True
        elif kind == "status" and content.get("execution_state") == "idle":
            self._idle = True
        return self.done


async def execute(conn: Connection, code: str, timeout: float, session: str, username: str = "") -> CellOutput:
    """Run ``code`` in the kernel behind ``conn``; what it produced.

    Raises:
        KernelTimeout: it did not finish within ``timeout`` seconds.
        KernelError: the socket closed first.
    """
    msg_id, message = execute_request(code, session, username)
    collector = Collector(msg_id)
    deadline = time.monotonic() + timeout
    await conn.write_message(json.dumps(message))
    while not collector.done:
        left = deadline - time.monotonic()
        try:
            raw = await asyncio.wait_for(conn.read_message(), timeout=max(left, 0.001))
        except TimeoutError:
            first = (code.splitlines() or [""])[0][:80]
            raise KernelTimeout(f"the cell did not finish within {timeout:g} s: {first!r}") from None
        if raw is None:
            raise KernelError("the kernel's WebSocket closed before the cell finished")
        collector.feed(json.loads(raw))
    return collector.output


def _call(url: str, token: str, method: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the caller's own server
        text = response.read()
    return json.loads(text) if text else None


class KernelSession:
    """A running kernel and its open WebSocket."""

    def __init__(self, conn: Connection, kernel_id: str, username: str) -> None:
        self.conn, self.kernel_id, self.username = conn, kernel_id, username
        self.session = uuid.uuid4().hex

    async def run(self, code: str, timeout: float = 120) -> CellOutput:
        """Run one cell (see :func:`execute`)."""
        return await execute(self.conn, code, timeout, self.session, self.username)


@asynccontextmanager
async def kernel(server_url: str, token: str, path: str = "", username: str = "") -> AsyncIterator[KernelSession]:
    """A new kernel on the server at ``server_url`` (``.../user/NAME/``), its cwd ``path``; shut down after.

    Raises:
        KernelError: the server refused the kernel or its WebSocket.
    """
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    base = server_url.rstrip("/") + "/api/kernels"
    try:
        started = await asyncio.to_thread(_call, base, token, "POST", {"name": "python3", "path": path})
    except OSError as e:
        raise KernelError(f"the server at {server_url} did not start a kernel: {e}") from e
    kernel_id = str(started["id"])
    try:
        ws_url = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + f"/{kernel_id}/channels"
        try:
            conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
        except (OSError, HTTPClientError) as e:
            raise KernelError(f"the kernel's WebSocket at {ws_url} refused: {e}") from e
        try:
            yield KernelSession(conn, kernel_id, username)
        finally:
            conn.close()
    finally:
        with contextlib.suppress(OSError):  # the server is going away anyway (its lab stops at the end)
            await asyncio.to_thread(_call, f"{base}/{kernel_id}", token, "DELETE")
