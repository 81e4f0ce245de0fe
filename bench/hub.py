"""Benchmark the hub: a simulated class of N learners (default 30) on one machine.

A hub of its own (its own state folder, labs ``docker-course-bench-hub-NAME``, one base
image per lab) on 127.0.0.1; learners made through the REST API; their servers started in
waves (``--wave`` at a time: each wave's labs start together, the next wave when it is
ready); each learner's JupyterLab reached through the hub's proxy with their own token
(``/user/NAME/api/status``, then ``/user/NAME/lab``); then every server stopped and the hub
down. Sampled every 2 s meanwhile: memory in use on the machine (MemTotal - MemAvailable)
and CPU busy share. Bounded: a wave waits at most ``--wave-timeout`` s; a learner not ready
by then counts as not started. Traffic only to 127.0.0.1 and the labs' own addresses.

Figures: time to all-ready, per-learner time to ready (median/min/max), ready count,
time to stop all, peak memory over the idle baseline (and per lab), mean and peak CPU.
Speed is measured, not asserted; the hub's labs are checked gone at the end.

Run: .venv/bin/python bench/hub.py [--learners 30] [--wave 10]   (writes bench/results/hub.json)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import docker
from harness import PREFIX, Bench, run_bench, summarise

from grader.engine import lab
from grader.hub import server, state
from grader.services import hub_labs

HUB_PREFIX = PREFIX + "hub"


class Sampler(threading.Thread):
    """Memory in use (MiB) and CPU busy share (0..1) of the machine, every ``every`` s."""

    def __init__(self, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.every, self.memory, self.cpu = every, [], []  # type: ignore[var-annotated]
        self.stopped = threading.Event()

    @staticmethod
    def used_mib() -> float:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024

    @staticmethod
    def _cpu() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def run(self) -> None:
        busy0, total0 = self._cpu()
        while not self.stopped.wait(self.every):
            busy, total = self._cpu()
            self.cpu.append((busy - busy0) / max(total - total0, 1))
            busy0, total0 = busy, total
            self.memory.append(self.used_mib())


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url)
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our hub on 127.0.0.1
        return int(response.status)


def _ready(record: state.HubRecord, name: str) -> bool:
    user = server.api(record, f"users/{name}")
    return bool((user.get("servers") or {}).get("", {}).get("ready"))


def _wave(record: state.HubRecord, names: list[str], timeout: float) -> dict[str, float]:
    """Start the servers of ``names`` together; seconds to ready per learner (missing: not ready in time)."""
    started = time.monotonic()
    for name in names:
        server.api(record, f"users/{name}/server", "POST")
    ready: dict[str, float] = {}
    while len(ready) < len(names) and time.monotonic() - started < timeout:
        for name in names:
            if name not in ready and _ready(record, name):
                ready[name] = time.monotonic() - started
        time.sleep(2)
    return ready


def _reach_jupyterlab(record: state.HubRecord, names: list[str]) -> list[str]:
    """Learners whose JupyterLab answered through the proxy with their own token."""
    reached = []
    for name in names:
        token = json.loads(_post(f"{record.url}hub/api/users/{name}/tokens", record.api_token))["token"]
        try:
            if (
                _get(f"{record.url}user/{name}/api/status", token) == 200
                and _get(f"{record.url}user/{name}/lab", token) == 200
            ):
                reached.append(name)
        except OSError as e:
            print(f"[bench] {name}'s JupyterLab did not answer: {e}", file=sys.stderr)
    return reached


def _post(url: str, token: str) -> str:
    request = urllib.request.Request(url, data=b"{}", method="POST")
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our hub on 127.0.0.1
        return str(response.read().decode())


def _stop_all(record: state.HubRecord, names: list[str], timeout: float) -> float:
    started = time.monotonic()
    for name in names:
        server.api(record, f"users/{name}/server", "DELETE")
    while time.monotonic() - started < timeout:
        if not [n for n in names if (server.api(record, f"users/{n}").get("servers") or {})]:
            break
        time.sleep(2)
    return time.monotonic() - started


def _lab_memory(host: docker.DockerClient, names: list[str]) -> list[float]:
    """Each ready learner's lab's memory in use (MiB, its cgroup's usage as the engine reports it)."""
    out = []
    for name in names:
        container = lab.find(host, f"{HUB_PREFIX}-{name}")
        if container is not None:
            out.append(container.stats(stream=False)["memory_stats"].get("usage", 0) / 2**20)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(args: argparse.Namespace) -> Any:
    def run(bench: Bench, host: docker.DockerClient) -> None:
        folder = Path(tempfile.mkdtemp(prefix="docker-course-bench-hub-"))
        os.environ["DOCKER_COURSE_STATE"] = str(folder / "state")
        names = [f"l{n:03d}" for n in range(1, args.learners + 1)]
        sampler = Sampler()
        baseline = Sampler.used_mib()
        try:
            up = time.monotonic()
            record = server.up(port=_free_port(), prefix=HUB_PREFIX, bases=[args.base], report=print)
            bench.value("hub_up", time.monotonic() - up)
            server.api(record, "users", "POST", {"usernames": names})
            sampler.start()
            began, ready = time.monotonic(), {}
            for at in range(0, len(names), args.wave):
                wave = names[at : at + args.wave]
                offset = time.monotonic() - began
                got = _wave(record, wave, args.wave_timeout)
                ready.update({n: offset + s for n, s in got.items()})
                slowest = max(got.values(), default=0)
                print(f"[bench] wave {at // args.wave + 1}: {len(got)}/{len(wave)} ready, {slowest:.0f} s")
            bench.value("all_ready", time.monotonic() - began)
            bench.value("labs_ready", len(ready), unit="")
            bench.value("labs_asked", len(names), unit="")
            if ready:
                bench.figures["learner_ready"] = summarise(list(ready.values()))
            reached = _reach_jupyterlab(record, sorted(ready))
            bench.value("jupyterlab_reached", len(reached), unit="")
            per_lab = _lab_memory(host, sorted(ready))
            if per_lab:
                bench.figures["lab_memory"] = summarise(per_lab, unit="MiB")
            peak = max(sampler.memory, default=Sampler.used_mib())
            bench.value("memory_peak_over_idle", peak - baseline, unit="MiB")
            if ready:
                bench.value("memory_per_ready_lab", (peak - baseline) / len(ready), unit="MiB")
            bench.value("stop_all", _stop_all(record, names, args.wave_timeout))
        finally:
            sampler.stopped.set()
            server.down(purge=True, report=print)
            shutil.rmtree(folder, ignore_errors=True)
        if sampler.cpu:
            bench.value("cpu_busy_mean", 100 * sum(sampler.cpu) / len(sampler.cpu), unit="%")
            bench.value("cpu_busy_peak", 100 * max(sampler.cpu), unit="%")
        bench.value("hub_labs_left", len(hub_labs.hub_labs(HUB_PREFIX)), unit="")
        bench.notes.append(f"{args.learners} learners in waves of {args.wave}, base image {args.base} per lab")

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--wave", type=int, default=10, help="servers started together")
    parser.add_argument("--wave-timeout", type=float, default=900, help="seconds a wave may take")
    parser.add_argument("--base", default="busybox:latest", help="the one base image each lab gets")
    args = parser.parse_args()
    return run_bench("hub", body(args), prefix=HUB_PREFIX)


if __name__ == "__main__":
    sys.exit(main())
