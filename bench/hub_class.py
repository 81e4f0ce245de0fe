"""The simulated class of ``bench/hub.py``: servers spawned in waves, each learner's exercise run in their kernel.

A wave's start requests go out together (``POST users/NAME/server`` holds each request up
to the hub's ``slow_spawn_timeout``, 10 s, before its 202, so one at a time would cost 10 s a
learner); one ``GET users`` a poll then tells ready, still pending, or failed (neither: the
hub gave the spawn up). A learner whose server is ready is handed to ``on_ready`` at once,
so exercises run while later waves start, as in a class. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from grader.checks.result import RESULT_MIME
from grader.hub import kernel_client, server, state
from grader.workspace.solutions import ReferenceRun

POLL = 2.0  # seconds between two looks at the hub's users


def _request(record: state.HubRecord, path: str, method: str) -> str:
    """'' when the hub took the request, else why not (one line)."""
    try:
        server.api(record, path, method)
    except (urllib.error.URLError, OSError) as e:
        return str(e)[:200]
    return ""


def _states(record: state.HubRecord) -> dict[str, str]:
    """Each user's default server: "ready", "pending" or "none"."""
    out = {}
    for user in server.api(record, "users"):
        default = (user.get("servers") or {}).get("")
        if default and default.get("ready"):
            out[user["name"]] = "ready"
        elif user.get("pending") or (default and default.get("pending")):
            out[user["name"]] = "pending"
        else:
            out[user["name"]] = "none"
    return out


def wave(
    record: state.HubRecord, names: list[str], timeout: float, on_ready: Callable[[str, float], None]
) -> tuple[dict[str, float], dict[str, str]]:
    """Start the servers of ``names`` together; (seconds to ready per learner, why not per failed learner).

    A learner neither ready nor failed within ``timeout`` s is in neither (not started in time).
    """
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        answers = pool.map(lambda n: _request(record, f"users/{n}/server", "POST"), names)
        refused = dict(zip(names, answers, strict=True))
    failed = {n: f"start refused: {why}" for n, why in refused.items() if why}
    ready: dict[str, float] = {}
    while len(ready) + len(failed) < len(names) and time.monotonic() - started < timeout:
        states = _states(record)
        for name in names:
            if name in ready or name in failed:
                continue
            if states.get(name) == "ready":
                ready[name] = time.monotonic() - started
                on_ready(name, ready[name])
            elif states.get(name) == "none":
                failed[name] = "the hub gave the spawn up (see its log)"
        time.sleep(POLL)
    return ready, failed


def stop_all(record: state.HubRecord, names: list[str], timeout: float) -> float:
    """Ask every server to stop (together); seconds until the hub has none left (or ``timeout``)."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(len(names), 16) or 1) as pool:
        list(pool.map(lambda n: _request(record, f"users/{n}/server", "DELETE"), names))
    while time.monotonic() - started < timeout:
        if not [n for n, s in _states(record).items() if n in names and s != "none"]:
            break
        time.sleep(POLL)
    return time.monotonic() - started


@dataclass
class LearnerRun:
    """One learner's exercise: whether the check passed, its score, how long it took, what went wrong."""

    name: str
    passed: bool
    seconds: float
    score: float = 0.0
    error: str = ""


def _score(output: kernel_client.CellOutput) -> tuple[bool, float, str]:
    """(passed, score, why not) of a check cell's output: the check's own JSON result."""
    results = output.mime(RESULT_MIME)
    if not results:
        return False, 0.0, output.error or f"no check result shown: {output.text.strip()[-160:]}"
    result = results[-1]
    return bool(result.get("passed")), float(result.get("score") or 0), "" if result.get("passed") else output.error


async def _exercise(url: str, name: str, token: str, run: ReferenceRun, path: str, timeout: float) -> LearnerRun:
    started = time.monotonic()
    async with kernel_client.kernel(url, token, path=path, username=name) as kernel:
        for code in (*run.setup, *run.answers):
            done = await kernel.run(code, timeout=max(timeout - (time.monotonic() - started), 1))
            if done.error:
                return LearnerRun(name, False, time.monotonic() - started, error=f"{code[:40]!r}: {done.error}")
        passed, score, why = False, 0.0, ""
        for code in run.checks:
            output = await kernel.run(code, timeout=max(timeout - (time.monotonic() - started), 1))
            passed, score, why = _score(output)
    return LearnerRun(name, passed, time.monotonic() - started, score, why[:200])


def exercise(record: state.HubRecord, name: str, run: ReferenceRun, path: str, timeout: float) -> LearnerRun:
    """``name`` does the exercise in a new kernel of their server, through the proxy with their own token."""
    started = time.monotonic()
    try:
        token = server.api(record, f"users/{name}/tokens", "POST", {"note": "bench"})["token"]
        return asyncio.run(_exercise(f"{record.url}user/{name}/", name, token, run, path, timeout))
    except (kernel_client.KernelError, OSError, KeyError) as e:
        return LearnerRun(name, False, time.monotonic() - started, error=f"{type(e).__name__}: {e}"[:200])
