"""The lab's one narrow channel to the course on the host: hints, solutions and chapter grading.

The reference answers stay outside the lab, and nothing the lab writes is code
the host runs. A lab's kernel therefore asks a course process on the host
(:mod:`grader.services.channel_server`) through a unix socket in the lab's run
folder (``/run/course-engine/course-channel.sock`` inside the lab): one JSON
line per connection, one JSON line back. The server answers only the requests
:data:`REQUESTS` names and validates every argument with :func:`validate`
before anything else reads it; this module is that protocol and the lab's side.

Example::

    from grader.services import channel
    channel.request("hint", exercise="ch01-ex2")   # {"exercise": ..., "shown": [...], "total": 2}
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

from grader.engine.settings import CHANNEL_SOCKET, LAB_SOCKET_IN_LAB
from grader.errors import GraderError

SOCKET_NAME = CHANNEL_SOCKET
MAX_REQUEST = 4096  # bytes of one request line: a few short fields
MAX_REPLY = 8 << 20  # bytes of one reply (a grading summary with every part)
# request -> its only argument and the pattern that argument must match (whole string)
REQUESTS: dict[str, tuple[str, str]] = {
    "hint": ("exercise", r"ch0[1-9]-ex[1-9][0-9]?"),
    "solution": ("exercise", r"ch0[1-9]-ex[1-9][0-9]?"),
    "grade": ("chapter", r"0[1-9]"),
}


class ChannelRefused(GraderError):
    """A request the channel does not answer (unknown, malformed, or an argument out of bounds)."""


class ChannelUnavailable(GraderError):
    """No course process on the host answers this lab's channel."""


def validate(raw: bytes) -> tuple[str, str]:
    """The request and its one argument, from one request line the lab sent.

    Only the requests of :data:`REQUESTS` pass, each with exactly its one argument,
    a short string matching its pattern (an exercise id, a chapter number).

    Raises:
        ChannelRefused: anything else (the message says what was wrong, never echoing more than a little).
    """
    if len(raw) > MAX_REQUEST:
        raise ChannelRefused(f"A request is at most {MAX_REQUEST} bytes.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ChannelRefused("A request is one line of JSON.") from e
    if not isinstance(data, dict) or not isinstance(data.get("op"), str):
        raise ChannelRefused('A request is a JSON object with an "op".')
    op = data["op"]
    if op not in REQUESTS:
        raise ChannelRefused(f"The channel answers only {', '.join(sorted(REQUESTS))}; not {op[:40]!r}.")
    name, pattern = REQUESTS[op]
    extra = sorted(set(data) - {"op", name})
    if extra:
        raise ChannelRefused(f"{op} takes only {name!r}; not {', '.join(k[:20] for k in extra[:3])}.")
    value = data.get(name)
    if not isinstance(value, str) or not re.fullmatch(pattern, value.strip().lower()):
        raise ChannelRefused(f"{op} needs {name!r} like {'ch01-ex2' if name == 'exercise' else '01'}.")
    return op, value.strip().lower()


def lab_socket() -> Path:
    """Where the channel's socket is inside a lab (beside the lab's engine socket)."""
    return Path(LAB_SOCKET_IN_LAB).parent / SOCKET_NAME


def request(op: str, timeout: float = 60.0, path: Path | None = None, **args: str) -> dict[str, Any]:
    """Ask the course on the host for ``op`` (see :data:`REQUESTS`) and return its result.

    Args:
        timeout: seconds to wait for the answer (a chapter's grading takes minutes).
        path: the channel's socket (default: the lab's, :func:`lab_socket`).

    Raises:
        ChannelUnavailable: nothing answers on the socket (the course on the host is not running).
        GraderError: the host answered with an error (its sentence), or with no answer in time.
    """
    path = path or lab_socket()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as e:
            raise ChannelUnavailable(
                "Hints, solutions and chapter grading come from the course on your computer, which does not "
                "answer this lab: run `./course.sh start` (or `docker-course engine up`) on your computer again."
            ) from e
        try:
            conn.sendall(json.dumps({"op": op, **args}).encode() + b"\n")
            reply = _read_all(conn, MAX_REPLY)
        except TimeoutError as e:
            raise GraderError(f"The course on your computer did not answer {op} within {timeout:g} s.") from e
    try:
        answer = json.loads(reply.decode("utf-8"))
    except ValueError as e:
        raise GraderError(f"The course on your computer sent an unreadable answer to {op}.") from e
    if not isinstance(answer, dict) or not answer.get("ok"):
        raise GraderError(str(answer.get("error") if isinstance(answer, dict) else "") or f"{op} failed.")
    result = answer.get("result")
    return result if isinstance(result, dict) else {}


def _read_all(conn: socket.socket, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := conn.recv(min(65536, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
