"""Benchmark the lab's boundary: the user-namespaced lab against today's container lab.

For each runner (``userns``: the course's user-namespaced engine; ``container``:
today's lab on the host engine, forced with DOCKER_COURSE_BOUNDARY=container):
cold start until the engine is ready with busybox and python:3.11-slim loaded,
loading python:3.11-slim into a running lab, a 4-step classic build with
``--no-cache``, ``docker run --rm busybox true``, and the idle lab's memory (cgroup
usage and RSS). Ratios are userns / container from the same run.

Run: .venv/bin/python bench/lab_boundary.py [--runs N]   (writes bench/results/lab_boundary.json)
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tarfile
from pathlib import Path

import docker
from harness import PREFIX, Bench, host_engine, record_leftovers, remove_lab, start_lab

from grader.engine import boundary, lab

BASES = ["busybox:latest", "python:3.11-slim"]
DOCKERFILE = b"FROM busybox\nRUN echo a > /a && mkdir -p /d && echo b > /d/b\nWORKDIR /d\nRUN cat /a /d/b > /c\n"


def _context() -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(DOCKERFILE)
        tar.addfile(info, io.BytesIO(DOCKERFILE))
    buf.seek(0)
    return buf


def _memory_mb(container: docker.models.containers.Container) -> tuple[float, float]:
    """The lab's cgroup memory usage and RSS in MB (cgroup v1 on the host)."""
    pid = container.attrs["State"]["Pid"]
    line = next(x for x in Path(f"/proc/{pid}/cgroup").read_text().splitlines() if ":memory:" in x)
    folder = Path("/sys/fs/cgroup/memory") / line.split(":", 2)[2].lstrip("/")
    usage = int((folder / "memory.usage_in_bytes").read_text())
    stat = dict(x.split() for x in (folder / "memory.stat").read_text().splitlines())
    return usage / 2**20, int(stat.get("total_rss", 0)) / 2**20


def measure(bench: Bench, host: docker.DockerClient, kind: str, runs: int) -> dict[str, float]:
    """The figures of one runner, keyed ``NAME[kind]``; returns their medians."""
    name = f"{PREFIX}boundary-{kind}"
    os.environ.pop(boundary.BOUNDARY_ENV, None)
    if kind == "container":
        os.environ[boundary.BOUNDARY_ENV] = "container"
    medians: dict[str, float] = {}
    try:
        start = lambda: start_lab(host, name, BASES)  # noqa: E731
        cold = bench.time(f"cold_start_2_images[{kind}]", start, runs, before=lambda: remove_lab(host, name))
        medians["cold"] = cold.median
        client = start_lab(host, name, BASES)
        slim = host.images.get("python:3.11-slim")

        def load_slim() -> None:
            client.images.remove("python:3.11-slim", force=True)
            client.images.load(slim.save(named=True))

        medians["load"] = bench.time(f"load_python_slim[{kind}]", load_slim, runs).median
        medians["build"] = bench.time(
            f"build_4_steps_no_cache[{kind}]",
            lambda: client.images.build(fileobj=_context(), custom_context=True, nocache=True, rm=True),
            runs,
        ).median
        medians["run"] = bench.time(
            f"run_busybox_true[{kind}]", lambda: client.containers.run("busybox", "true", remove=True), runs * 3
        ).median
        container = lab.find(host, name)
        assert container is not None
        usage, rss = _memory_mb(container)
        bench.value(f"idle_memory_usage[{kind}]", round(usage, 1), unit="MB")
        bench.value(f"idle_memory_rss[{kind}]", round(rss, 1), unit="MB")
    finally:
        remove_lab(host, name)
        os.environ.pop(boundary.BOUNDARY_ENV, None)
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each figure")
    args = parser.parse_args()
    why = boundary.why_not_offered()
    if why:
        print(f"[bench] no user-namespaced lab on this machine: {why}", file=sys.stderr)
        return 2
    host = host_engine()
    bench = Bench("lab_boundary")
    bench.engine("host", host)
    userns = measure(bench, host, "userns", args.runs)
    engine = boundary.running_labs_engine()
    if engine is not None:
        bench.engine("labs", engine)
    container = measure(bench, host, "container", args.runs)
    for key in userns:
        bench.ratio(f"{key}_userns_over_container", userns[key], container[key])
    bench.finish()
    return 0 if record_leftovers(bench, host, f"{PREFIX}boundary-") else 1  # others run bench labs too


if __name__ == "__main__":
    sys.exit(main())
