"""The host's side of a lab's channel: a small server answering hints, solutions and grading, nothing else.

Started by ``docker-course engine up`` for the learner's lab (``python -m
grader.services.channel_server --lab NAME ...``, see :mod:`grader.services.channel_process`),
it listens on ``course-channel.sock`` in the lab's run folder, a folder the lab's
root can write. So:

- the socket is made from a descriptor of that folder opened with ``O_NOFOLLOW``
  (``bind`` never follows a final link: a name the lab planted makes it fail, and
  the lab's link is removed, never its target);
- each request is one line of at most :data:`~grader.services.channel.MAX_REQUEST`
  bytes read within a few seconds, validated by :func:`grader.services.channel.validate`
  before anything reads it, and answered with the services the CLI uses
  (progress recorded on the host, through ``boundary_files``, as the CLI does);
- a few requests at a time; more are told the host is busy;
- it never hands the lab a file, a descriptor or the host's engine: only JSON text;
- it stops on SIGTERM, and by itself once its socket is no longer the one it made
  (the lab was taken down, or something replaced it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.engine.boundary_files import NOFOLLOW_DIR
from grader.errors import GraderError
from grader.services.channel import MAX_REQUEST, SOCKET_NAME, ChannelRefused, validate

READ_TIMEOUT = 5.0  # seconds a lab may take to send its one line
CONCURRENT = 4  # requests served at once; more are told the host is busy
WATCH_INTERVAL = 5.0  # seconds between checks that the socket is still ours

Handler = Callable[[str], dict[str, Any]]


def bind_in(run_dir: Path) -> tuple[socket.socket, int]:
    """A listening socket ``run_dir/course-channel.sock`` the lab's root can connect to, and its inode.

    Raises:
        OSError: the run folder is a link or missing, or the name cannot be taken (a folder the lab made).
    """
    dfd = os.open(run_dir, NOFOLLOW_DIR)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(SOCKET_NAME, dir_fd=dfd)  # the old socket, or a link the lab planted (never its target)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o111)  # srw-rw-rw-: the lab's root is not the host's, it needs the "other" bits
        try:
            sock.bind(f"/proc/self/fd/{dfd}/{SOCKET_NAME}")
        except OSError:
            sock.close()
            raise
        finally:
            os.umask(old)
        inode = _identity(os.stat(SOCKET_NAME, dir_fd=dfd, follow_symlinks=False))
    finally:
        os.close(dfd)
    sock.listen(16)
    return sock, inode


def _identity(st: os.stat_result) -> int:
    """A socket's inode number; anything else (a link or file put in its place) is -1."""
    return st.st_ino if stat.S_ISSOCK(st.st_mode) else -1


def still_ours(run_dir: Path, inode: int) -> bool:
    """True while ``run_dir/course-channel.sock`` is the socket this server made."""
    try:
        dfd = os.open(run_dir, NOFOLLOW_DIR)
    except OSError:
        return False
    try:
        return _identity(os.stat(SOCKET_NAME, dir_fd=dfd, follow_symlinks=False)) == inode
    except OSError:
        return False
    finally:
        os.close(dfd)


def answer(raw: bytes, handlers: dict[str, Handler]) -> dict[str, Any]:
    """The reply to one request line: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": ...}``."""
    try:
        op, value = validate(raw)
        if op not in handlers:
            raise ChannelRefused(f"{op} is turned off for this lab.")
        return {"ok": True, "result": handlers[op](value)}
    except GraderError as e:
        return {"ok": False, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - the lab gets one sentence; the host's log gets the rest
        _log(f"internal error: {type(e).__name__}: {e}")
        return {"ok": False, "error": "The course on your computer could not answer (see its channel log)."}


def _read_line(conn: socket.socket) -> bytes:
    conn.settimeout(READ_TIMEOUT)
    data = b""
    deadline = time.monotonic() + READ_TIMEOUT
    while b"\n" not in data and len(data) <= MAX_REQUEST and time.monotonic() < deadline:
        chunk = conn.recv(MAX_REQUEST + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0] if b"\n" in data else data


def _serve_one(conn: socket.socket, handlers: dict[str, Handler], slots: threading.BoundedSemaphore) -> None:
    try:
        with conn:
            try:
                raw = _read_line(conn)
            except OSError:
                return  # slow or gone: nothing to answer
            reply = answer(raw, handlers)
            _log(f"{raw[:80]!r} -> {'ok' if reply['ok'] else reply['error'][:80]}")
            conn.settimeout(60)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(reply).encode() + b"\n")
    finally:
        slots.release()


def serve(sock: socket.socket, handlers: dict[str, Handler], keep_going: Callable[[], bool]) -> None:
    """Answer connections on ``sock`` until ``keep_going`` says to stop (checked every few seconds)."""
    slots = threading.BoundedSemaphore(CONCURRENT)
    sock.settimeout(WATCH_INTERVAL)
    while keep_going():
        try:
            conn, _ = sock.accept()
        except TimeoutError:
            continue
        except OSError:
            break  # closed by the SIGTERM handler
        if not slots.acquire(blocking=False):
            with conn, contextlib.suppress(OSError):
                conn.sendall(b'{"ok": false, "error": "The course on your computer is busy: try again."}\n')
            continue
        threading.Thread(target=_serve_one, args=(conn, handlers, slots), daemon=True).start()


def handlers_for(
    source: Path | None,
    progress_file: Path,
    solutions: bool = True,
    grading: bool = True,
    class_switch: Path | None = None,
) -> dict[str, Handler]:
    """The requests this lab may make, answered by the services the CLI uses (views recorded in ``progress_file``).

    Args:
        class_switch: in a class, the instructor's switch file: solutions only while it says on.
    """
    from grader.services import answers
    from grader.services.class_switch import solutions_on

    def solution(exercise: str) -> dict[str, Any]:
        if class_switch is not None and not solutions_on(class_switch):
            raise GraderError("Your instructor has not turned solutions on for this class: ask them, or use Hint.")
        return answers.solution_here(exercise, source, progress_file).to_json()

    offered: dict[str, Handler] = {
        "hint": lambda exercise: answers.hint_here(exercise, source, progress_file).to_json(),
    }
    if solutions:
        offered["solution"] = solution
    if grading:
        offered["grade"] = ChapterGrading().grade
    return offered


class ChapterGrading:
    """``grade``: one chapter at a time, in a ``docker-course grade-chapter`` process of its own.

    A process of its own, so that stopping the server ends a grading run as Ctrl-C
    does (SIGTERM: its fresh lab removed), never leaving a grading lab behind.
    """

    running: set[subprocess.Popen[str]] = set()

    def __init__(self) -> None:
        self._one = threading.Lock()

    def grade(self, chapter: str) -> dict[str, Any]:
        if not self._one.acquire(blocking=False):
            raise GraderError("A chapter of yours is being graded already: wait for its result.")
        try:
            command = [sys.executable, "-m", "grader.cli", "grade-chapter", chapter, "--json"]
            proc = subprocess.Popen(  # noqa: S603 - fixed command, the chapter validated
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL
            )
            ChapterGrading.running.add(proc)
            try:
                out, err = proc.communicate()
            finally:
                ChapterGrading.running.discard(proc)
            if proc.returncode != 0:
                raise GraderError((err.strip().splitlines() or ["grading failed"])[-1].removeprefix("docker-course: "))
            result: dict[str, Any] = json.loads(out)
            return result
        finally:
            self._one.release()

    @classmethod
    def stop_all(cls) -> None:
        """SIGTERM every grading process, and wait for them to remove their labs."""
        for proc in list(cls.running):
            with contextlib.suppress(OSError):
                proc.terminate()
        for proc in list(cls.running):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=120)


def _log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.services.channel_server --lab NAME --run-dir DIR [--source DIR] [--no-solutions] ...``."""
    parser = argparse.ArgumentParser(prog="channel_server")
    parser.add_argument("--lab", required=True)
    parser.add_argument("--run-dir", required=True, type=Path)
    parser.add_argument("--source", type=Path)
    parser.add_argument("--no-solutions", action="store_true")
    parser.add_argument("--no-grading", action="store_true")
    parser.add_argument("--class-switch", type=Path)
    args = parser.parse_args(argv)
    handlers = handlers_for(
        args.source,
        args.run_dir / "progress.json",
        solutions=not args.no_solutions,
        grading=not args.no_grading,
        class_switch=args.class_switch,
    )
    sock, inode = bind_in(args.run_dir)
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _log(f"lab {args.lab}: serving {args.run_dir / SOCKET_NAME}")
    try:
        serve(sock, handlers, lambda: not stopping.is_set() and still_ours(args.run_dir, inode))
    finally:
        sock.close()
        ChapterGrading.stop_all()
        if still_ours(args.run_dir, inode):
            with contextlib.suppress(OSError):
                dfd = os.open(args.run_dir, NOFOLLOW_DIR)
                try:
                    os.unlink(SOCKET_NAME, dir_fd=dfd)
                finally:
                    os.close(dfd)
    _log(f"lab {args.lab}: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
