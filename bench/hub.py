"""Benchmark the hub: a simulated class of N learners (default 30) on one machine.

A hub of its own (its own state folder, labs ``docker-course-bench-hub-NAME``, one base
image per lab) on 127.0.0.1; learners made through the REST API; their servers started in
waves (``--wave`` start requests at a time, sent together; the next wave once this one is
ready, failed or past ``--wave-timeout``). As soon as a learner's server is ready, that
learner, through the hub's proxy with their own token, starts a kernel in ``01-dockerfile``
of their workspace and runs over its WebSocket chapter 01's setup cells, the reference
answer of ch01-ex1 (from the source notebook) and its check cell; whether the check passed
and how long it took are recorded, the kernel shut down (:mod:`hub_class`). Then every server
is stopped and the hub goes down with its labs. Sampled every 2 s meanwhile: memory in use on
the machine (MemTotal - MemAvailable), CPU busy share, load average, tasks (threads, which
count against ``kernel.pid_max``). Bounded in count (``--learners`` at most 60) and in time
(``--timeout`` over the whole class). Traffic only to 127.0.0.1 and the labs' own addresses.

Figures: labs started, checks passed, time to all-ready and per learner (from the class's first
start request, and from the learner's own: ``learner_spawn``), exercise+check time
per learner, time to all checked, time to stop all, peak memory over the idle baseline (and
per lab), CPU, load average and tasks. Measured, not asserted; leftovers are checked at the end.

Run: .venv/bin/python bench/hub.py [--learners 30] [--wave 10]   (writes bench/results/hub.json)
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker
import hub_class
from harness import PREFIX, Bench, run_bench, summarise

from grader.engine import lab
from grader.engine.settings import Settings
from grader.hub import server, state
from grader.services import hub_labs
from grader.workspace.solutions import reference_run

HUB_PREFIX = PREFIX + "hub"
EXERCISE, CHAPTER_FOLDER = "ch01-ex1", "01-dockerfile"
MAX_LEARNERS = 60


class Sampler(threading.Thread):
    """Memory in use (MiB), CPU busy share (0..1), 1-min load average and task count, every ``every`` s."""

    def __init__(self, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.every, self.memory, self.cpu, self.load, self.tasks = every, [], [], [], []  # type: ignore[var-annotated]
        self.stopped = threading.Event()

    @staticmethod
    def used_mib() -> float:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024

    @staticmethod
    def tasks_now() -> int:
        """Threads on the machine (``/proc/loadavg``'s running/total): what ``pid_max`` bounds."""
        return int(Path("/proc/loadavg").read_text().split()[3].split("/")[1])

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
            self.load.append(os.getloadavg()[0])
            self.tasks.append(self.tasks_now())


def _lab_usage(host: docker.DockerClient, names: list[str]) -> tuple[list[float], list[float]]:
    """Each learner's lab's memory in use (MiB, its cgroup's usage) and its process count (pids)."""
    memory, pids = [], []
    for name in names:
        container = lab.find(host, f"{HUB_PREFIX}-{name}")
        if container is not None:
            stats = container.stats(stream=False)
            memory.append(stats["memory_stats"].get("usage", 0) / 2**20)
            pids.append(float((stats.get("pids_stats") or {}).get("current", 0)))
    return memory, pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _class(bench: Bench, record: state.HubRecord, names: list[str], args: argparse.Namespace) -> list[str]:
    """Spawn in waves, each ready learner doing the exercise at once; the learners whose server was ready."""
    run = reference_run(EXERCISE)
    deadline = time.monotonic() + args.timeout
    began, ready, spawn, failed = time.monotonic(), {}, {}, {}
    runs: list[Future[hub_class.LearnerRun]] = []
    with ThreadPoolExecutor(max_workers=args.wave) as pool:

        def on_ready(name: str, _: float) -> None:
            left = max(min(args.exercise_timeout, deadline - time.monotonic()), 1)
            runs.append(pool.submit(hub_class.exercise, record, name, run, CHAPTER_FOLDER, left))

        for at in range(0, len(names), args.wave):
            if time.monotonic() >= deadline:
                print(f"[bench] overall timeout: {len(names) - at} learners not started", file=sys.stderr)
                break
            offset = time.monotonic() - began
            got, lost = hub_class.wave(
                record, names[at : at + args.wave], min(args.wave_timeout, deadline - time.monotonic()), on_ready
            )
            ready.update({n: offset + s for n, s in got.items()})
            spawn.update(got)
            failed.update(lost)
            took = time.monotonic() - began
            print(f"[bench] wave {at // args.wave + 1}: {len(got)} ready, {len(lost)} failed, {took:.0f} s")
        all_ready = time.monotonic() - began
        done = [f.result() for f in runs]  # each bounded by its own timeout
    bench.value("labs_asked", len(names), unit="")
    bench.value("labs_started", len(ready), unit="")
    bench.value("checks_passed", sum(r.passed for r in done), unit="")
    bench.value("all_ready", all_ready)
    bench.value("all_checked", time.monotonic() - began)
    if ready:  # from the class's first start request, and from the learner's own
        bench.figures["learner_ready"] = summarise(list(ready.values()))
        bench.figures["learner_spawn"] = summarise(list(spawn.values()))
    if done:
        bench.figures["exercise_and_check"] = summarise([r.seconds for r in done])
    for name, why in sorted(failed.items())[:5]:
        bench.notes.append(f"{name} not started: {why}")
    for r in [r for r in done if not r.passed][:5]:
        bench.notes.append(f"{r.name}'s check did not pass ({r.score:g} points): {r.error}")
    return sorted(ready)


def _machine_figures(bench: Bench, sampler: Sampler, baseline: float, ready: int) -> None:
    peak = max(sampler.memory, default=Sampler.used_mib())
    bench.value("memory_peak_over_idle", peak - baseline, unit="MiB")
    if ready:
        bench.value("memory_per_ready_lab", (peak - baseline) / ready, unit="MiB")
    if sampler.cpu:
        bench.value("cpu_busy_mean", 100 * sum(sampler.cpu) / len(sampler.cpu), unit="%")
        bench.value("cpu_busy_peak", 100 * max(sampler.cpu), unit="%")
    if sampler.load:
        bench.value("load_average_1min_peak", max(sampler.load), unit="")
    if sampler.tasks:
        bench.value("tasks_peak", max(sampler.tasks), unit="")


def body(args: argparse.Namespace) -> Any:
    def run(bench: Bench, host: docker.DockerClient) -> None:
        folder = Path(tempfile.mkdtemp(prefix="docker-course-bench-hub-"))
        os.environ["DOCKER_COURSE_STATE"] = str(folder / "state")
        names = [f"l{n:03d}" for n in range(1, args.learners + 1)]
        sampler, baseline, tasks_idle = Sampler(), Sampler.used_mib(), Sampler.tasks_now()
        ready: list[str] = []
        try:
            up = time.monotonic()
            record = server.up(port=_free_port(), prefix=HUB_PREFIX, bases=[args.base], report=print)
            bench.value("hub_up", time.monotonic() - up)
            server.api(record, "users", "POST", {"usernames": names})
            sampler.start()
            ready = _class(bench, record, names, args)
            memory, pids = _lab_usage(host, ready)
            if memory:
                bench.figures["lab_memory"] = summarise(memory, unit="MiB")
                bench.figures["lab_pids"] = summarise(pids, unit="")
            bench.value("stop_all", hub_class.stop_all(record, names, args.wave_timeout))
        finally:
            sampler.stopped.set()
            server.down(purge=True, report=print)
            shutil.rmtree(folder, ignore_errors=True)
        _machine_figures(bench, sampler, baseline, len(ready))
        bench.value("hub_labs_left", len(hub_labs.hub_labs(HUB_PREFIX)), unit="")
        pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
        cap = Settings.load().lab_pids
        bench.notes.append(
            f"{args.learners} learners in waves of {args.wave} (start requests of a wave sent together), base image "
            f"{args.base} per lab; each ready learner ran {EXERCISE}'s reference answer and check cell in a new "
            "kernel through the proxy with their own token, while later waves started"
        )
        bench.notes.append(
            f"pids: kernel.pid_max {pid_max}; {tasks_idle} tasks before, peak in tasks_peak; each lab's cap "
            f"{cap} x {args.learners} labs = {cap * args.learners} (the caps are not all reachable at once)"
        )

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--wave", type=int, default=10, help="servers started together")
    parser.add_argument("--wave-timeout", type=float, default=900, help="seconds a wave may take")
    parser.add_argument("--exercise-timeout", type=float, default=600, help="seconds a learner's exercise may take")
    parser.add_argument("--timeout", type=float, default=2400, help="seconds the whole class may take")
    parser.add_argument("--base", default="busybox:latest", help="the one base image each lab gets")
    args = parser.parse_args()
    if not 1 <= args.learners <= MAX_LEARNERS or args.wave < 1:
        parser.error(f"--learners is 1..{MAX_LEARNERS} and --wave at least 1")
    return run_bench("hub", body(args), prefix=HUB_PREFIX)


if __name__ == "__main__":
    sys.exit(main())
