"""Benchmark fairness between labs: what a runaway lab leaves its neighbour (CPU, processes, a container start).

Two labs with the course's default limits on the runner this machine offers. The
neighbour runs one CPU-bound thread (what a learner's build or notebook cell is) for
a fixed window, alone and then while the runaway lab spins 8 busy threads; the CPU
time each lab got in the window is read from its own cgroup on the host. Then the
runaway fills its process cap (``sleep`` until fork fails) and the neighbour forks
100 processes and starts a container. Figures are cores (CPU seconds per second).

Run: .venv/bin/python bench/fairness.py [--window S]   (writes bench/results/fairness.json)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import docker
from docker.models.containers import Container
from harness import PREFIX, Bench, run_bench, runner_name, start_lab

from grader.engine import lab

RUNAWAY, NEIGHBOUR = f"{PREFIX}fair-runaway", f"{PREFIX}fair-neighbour"
BUSY = "python3 -c 'import time\nend = time.time() + {s}\nwhile time.time() < end: pass'"
SPIN = "for i in 1 2 3 4 5 6 7 8; do (while :; do :; done) & done; wait"
# fork (each child becomes `sleep`, a few pages) until the lab's process cap says no
FILL = """python3 -c '
import os
n = 0
try:
    while True:
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "900"])
        n += 1
except OSError as e:
    print("forked", n, "then", e.strerror)
'"""


def cpu_seconds(container: Container) -> float:
    """CPU time the lab's whole cgroup has used (cgroup v1 cpuacct, or v2 cpu.stat)."""
    container.reload()
    pid = container.attrs["State"]["Pid"]
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            mount = next(m for m in ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct") if Path(m).is_dir())
            return int((Path(mount) / path.lstrip("/") / "cpuacct.usage").read_text()) / 1e9
        if number == "0" and Path("/sys/fs/cgroup/cgroup.controllers").exists():
            stat = (Path("/sys/fs/cgroup") / path.lstrip("/") / "cpu.stat").read_text().split()
            return int(stat[stat.index("usage_usec") + 1]) / 1e6
    raise RuntimeError(f"no cpu accounting group for {container.name}")


def window(labs: dict[str, Container], seconds: float) -> dict[str, float]:
    """Cores each lab used while the neighbour ran one busy thread for ``seconds``."""
    before = {k: cpu_seconds(c) for k, c in labs.items()}
    start = time.monotonic()
    labs["neighbour"].exec_run(["sh", "-c", BUSY.format(s=seconds)])
    took = time.monotonic() - start
    return {k: round((cpu_seconds(c) - before[k]) / took, 2) for k, c in labs.items()}


def body(bench: Bench, host: docker.DockerClient, seconds: float) -> None:
    bench.notes.append(f"runner: {runner_name()}")
    for name in (RUNAWAY, NEIGHBOUR):
        start_lab(host, name, ["busybox:latest"])
    runaway, neighbour = lab.find(host, RUNAWAY), lab.find(host, NEIGHBOUR)
    assert runaway is not None and neighbour is not None
    labs = {"runaway": runaway, "neighbour": neighbour}
    inner = docker.DockerClient(base_url=lab.describe(neighbour).docker_host, version="auto")

    def start_a_container() -> None:
        inner.containers.run("busybox", "true", remove=True)

    bench.time("neighbour_run_busybox[alone]", start_a_container, 3)
    alone = window(labs, seconds)
    bench.value("neighbour_cores[alone]", alone["neighbour"], unit="cores")
    runaway.exec_run(["sh", "-c", SPIN], detach=True)
    time.sleep(2)
    contended = window(labs, seconds)
    bench.value("neighbour_cores[runaway spinning 8 threads]", contended["neighbour"], unit="cores")
    bench.value("runaway_cores[spinning 8 threads]", contended["runaway"], unit="cores")
    bench.ratio("neighbour_cpu_contended_over_alone", contended["neighbour"], alone["neighbour"])
    bench.time("neighbour_run_busybox[runaway spinning]", start_a_container, 3)
    start = time.monotonic()
    code, out = runaway.exec_run(["sh", "-c", FILL])
    bench.value("runaway_fill_process_cap", time.monotonic() - start)
    bench.notes.append(f"runaway: {out.decode(errors='replace').strip()[-80:]} (exit {code})")
    forks = neighbour.exec_run(["sh", "-c", "for i in $(seq 100); do sleep 5 & done; wait; echo ok"])
    bench.value("neighbour_forks_100_with_runaway_at_cap", float(forks.output.strip().endswith(b"ok")), unit="ok")
    bench.time("neighbour_run_busybox[runaway at its process cap]", start_a_container, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=15.0, help="seconds of each CPU window")
    args = parser.parse_args()
    run = lambda bench, host: body(bench, host, args.window)  # noqa: E731
    return run_bench("fairness", run, labs=(RUNAWAY, NEIGHBOUR), prefix=f"{PREFIX}fair-")


if __name__ == "__main__":
    sys.exit(main())
