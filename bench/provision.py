"""Benchmark offline provisioning (cold, warm, present, per image) and a fresh machine to a ready JupyterLab.

The target engine of the provisioning figures is a bench lab's own engine
(docker-course-bench-provision), emptied of images, so the host engine's images
and the shared cache (~/.cache/docker-course) are never touched: provisioning
runs with a throw-away ``DOCKER_COURSE_CACHE``, removed at the end.

- cold: every image at once, nothing in the throw-away cache, as a first
  ``docker-course up`` makes them (built offline from Debian packages, which
  debootstrap downloads from the Debian mirror; independent images in parallel,
  each on the Debian base below it); per image, the time from its first progress
  line until its tarball is cached;
- warm: the image removed from the engine, its tarball cached: loaded;
- present: the image already on the engine: one inspect;
- fresh machine: a clean clone of the checkout, ``./course.sh start`` in it with
  an empty cache, a state folder, lab and lab image tag of its own and pip's cache
  off, until JupyterLab answers (measured); ``fresh_machine_to_jupyterlab`` adds
  what the base images, present on the host engine, would have added cold (see
  :func:`fresh_machine`).

Run: .venv/bin/python bench/provision.py [--runs N] [--no-lab-image] [--no-fresh]
     (writes bench/results/provision.json)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import docker
from harness import (
    BASE_TAGS,
    LAB_IMAGE,
    PREFIX,
    REPO,
    Bench,
    host_engine,
    provision,
    run_bench,
    runner_name,
    start_lab,
    tarball_of,
)

from grader.engine import boundary, later_images, provisioning

LAB = PREFIX + "provision"
FRESH_LAB = PREFIX + "fresh"
FRESH_IMAGE = "docker-course-bench/lab:fresh"
CACHE_ENV = "DOCKER_COURSE_CACHE"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the warm loads")
    parser.add_argument("--fast-runs", type=int, default=20, help="repetitions of the present case")
    parser.add_argument("--no-lab-image", action="store_true", help="base images only (no lab image, no fresh run)")
    parser.add_argument("--no-fresh", action="store_true", help="no fresh-machine run")
    parser.add_argument("--images", default="", help="comma-separated base images (default: all)")
    args = parser.parse_args()
    throwaway = Path(tempfile.mkdtemp(prefix="docker-course-bench-cache-"))
    shared = os.environ.get(CACHE_ENV)
    try:
        return run_bench(
            "provision", lambda bench, host: measure(bench, host, args, throwaway), labs=[LAB, FRESH_LAB], prefix=LAB
        )
    finally:
        _restore(shared)
        shutil.rmtree(throwaway, ignore_errors=True)


def measure(bench: Bench, host: docker.DockerClient, args: argparse.Namespace, cache: Path) -> None:
    """Cold (all at once, spans per image), warm and present per image, then the fresh machine."""
    bases = [t for t in BASE_TAGS if not args.images or t in args.images.split(",")]
    tags = [*bases, *([] if args.no_lab_image else [LAB_IMAGE])]
    # the container fallback: an engine in a user namespace cannot make device nodes, so Debian's
    # /dev/null would not survive into the base image whose files a layered build reads
    os.environ[boundary.BOUNDARY_ENV] = "container"
    try:
        client = start_lab(host, LAB, ["busybox:latest"])  # started from the shared cache, then emptied
    finally:
        os.environ.pop(boundary.BOUNDARY_ENV, None)
    bench.engine("lab", client)
    for image in client.images.list():
        client.images.remove(image.id, force=True)
    shared = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(cache)
    try:
        spans = Spans(tags)
        cold = bench.time("cold_all_at_once", lambda: provision_reporting(client, tags, spans.seen), runs=1)
        for tag in tags:
            bench.value(f"cold[{tag}]", spans.took(tag))
            bench.value(f"tarball_mb[{tag}]", round(tarball_of(tag).stat().st_size / 1e6, 1), unit="MB")
        for tag in tags:
            bench.time(
                f"warm[{tag}]",
                lambda tag=tag: provision(client, [tag]),
                runs=args.runs,
                before=lambda tag=tag: client.images.remove(tag, force=True),
            )
        for tag in tags:
            bench.time(f"present[{tag}]", lambda tag=tag: provision(client, [tag]), runs=args.fast_runs)
        bench.value("warm_all_base_images", sum(bench.figures[f"warm[{t}]"].median for t in bases))
        bench.ratio("provision_cold_vs_warm", cold.median, sum(bench.figures[f"warm[{t}]"].median for t in tags))
    finally:
        _restore(shared)
    bench.notes.append(
        "cold: every image in one provisioning with a throw-away DOCKER_COURSE_CACHE (debootstrap downloads the "
        "packages from the Debian mirror; independent images in parallel), into a lab on the container fallback "
        "(a user-namespaced engine makes no device nodes, which the layered builds' chroots need); cold[IMAGE] "
        "spans overlap"
    )
    if not args.no_lab_image and not args.no_fresh:
        fresh_machine(bench, spans)


class Spans:
    """Per image: when provisioning first reported on it, and when its tarball appeared in the cache."""

    def __init__(self, tags: list[str]) -> None:
        self.tags = tags
        self.started = time.perf_counter()
        self.first: dict[str, float] = {}
        self.done: dict[str, float] = {}
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def seen(self, message: str) -> None:
        """A progress line ``[n/N] TAG: ...``: the first one of an image starts its span."""
        found = re.match(r"\[\d+/\d+\] (\S+): ", message)
        if found and found.group(1) in self.tags:
            self.first.setdefault(found.group(1), time.perf_counter())

    def _watch(self) -> None:
        while not self._stop.wait(0.5) and len(self.done) < len(self.tags):
            for tag in self.tags:
                if tag not in self.done and tarball_of(tag).exists():
                    self.done[tag] = time.perf_counter()

    def took(self, tag: str) -> float:
        """Seconds from the image's first progress line to its cached tarball."""
        self._stop.set()
        self._watcher.join()
        end = self.done.get(tag, time.perf_counter())
        return end - self.first.get(tag, end)

    def bases_after_debian(self) -> float:
        """The longest cold build among the first lab's base images other than Debian, from its own first line.

        Debian's root filesystem is made ahead by course.sh (``root_build``), so after pip the
        first lab's bases still need busybox and the Python layers of ``python:3.11-slim``,
        started on Debian (its import, a few seconds, is not counted). Not the lab image,
        nor the images made after the first JupyterLab (``later_images``).
        """
        skip = {LAB_IMAGE, "debian:bookworm-slim", *later_images.LATER_TAGS}
        return max((self.took(tag) for tag in self.tags if tag not in skip), default=0.0)


def provision_reporting(client: docker.DockerClient, tags: list[str], report: Callable[[str], None]) -> None:
    """Provision ``tags`` (and their bases) on ``client``, passing progress lines to ``report``."""
    provisioning.provision(client, tags, report=report)


def fresh_machine(bench: Bench, spans: Spans) -> None:
    """A clean clone started cold with ``./course.sh start``: its own empty cache, state, lab, port and lab image tag.

    Everything the first JupyterLab needs is made in the run (the venv with pip's cache off,
    the .debs, the wheelhouse, the lab image under a tag of its own so that the shared
    ``docker-course/lab:trixie`` is never replaced) except the base images, which the host
    engine holds already (the run only caches them): their cold build is added from the cold
    run (``spans``) where it would end after the lab could start.
    """
    work = Path(tempfile.mkdtemp(prefix="docker-course-bench-fresh-"))
    clone = work / "docker-course"
    env = {
        **os.environ,
        CACHE_ENV: str(work / "cache"),
        "DOCKER_COURSE_STATE": str(work / "state"),
        "DOCKER_COURSE_WORKSPACE": str(work / "work"),
        "DOCKER_COURSE_LAB": FRESH_LAB,
        "DOCKER_COURSE_PORT": str(_free_port()),
        "DOCKER_COURSE_LAB_IMAGE": FRESH_IMAGE,
        "PIP_NO_CACHE_DIR": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    load = os.getloadavg()[0]
    try:
        bench.time("fresh_git_clone", lambda: _run(["git", "clone", "-q", str(REPO), str(clone)], env), runs=1)
        start = time.perf_counter()
        out = _run(["./course.sh", "start"], env, cwd=clone)
        took = bench.value("fresh_course_sh_start", time.perf_counter() - start).median
        print("\n".join(line for line in out.splitlines() if line.startswith(("[course.sh]", "[docker-course"))))
        for name, seconds in _stages(out):
            bench.value(f"fresh_stage[{name}]", seconds)
        measured = bench.value("fresh_machine_measured", bench.figures["fresh_git_clone"].median + took).median
        late = _bases_late(out, spans)
        bench.value("fresh_base_images_late", late)
        bench.value("fresh_machine_to_jupyterlab", measured + late)
    finally:
        subprocess.run(
            [str(clone / ".venv/bin/docker-course"), "engine", "down", "--purge"],
            env=env,
            cwd=clone,
            capture_output=True,
        )
        _remove_fresh_images()
        pool = work / "cache/engine-templates/mnt"  # the run's engine templates (lab_snapshot), mounted in its cache
        if os.path.ismount(pool):
            subprocess.run(["umount", str(pool)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    bench.notes.append(
        f"fresh machine (load average {load:.1f} at its start, {os.getloadavg()[0]:.1f} at its end): clean clone + "
        "`./course.sh start` with an empty cache (no .debs, no wheelhouse), pip's cache off, the lab image built under "
        f"{FRESH_IMAGE}; fresh_machine_measured is that run; the base images were on the host engine already, so "
        "fresh_base_images_late adds how much later than the lab's start their cold build would end: the longest "
        "cold span of the cold run among busybox and python:3.11-slim (Debian's root is made ahead beside pip, "
        "its import not counted; python:3.11 is made after JupyterLab is ready), from the run's first provisioning "
        "line; "
        f"system packages installed, the host engine and the labs engine warm ({runner_name()})"
    )


def _bases_late(output: str, spans: Spans) -> float:
    """Seconds the base images' cold build, started with the run's provisioning, would outlast its lab start."""
    elapsed = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"\[docker-course \+\s*([\d.]+)s\] (.*)", output)]
    first = next((t for t, line in elapsed if re.match(r"\[\d+/\d+\] ", line)), 0.0)
    lab_start = next((t for t, line in elapsed if line.startswith("starting lab")), first)
    return max(0.0, first + spans.bases_after_debian() - lab_start)


def _remove_fresh_images() -> None:
    """The fresh run's lab images (its own tag) on the host engine and the labs engine."""
    for engine in (host_engine(), boundary.running_labs_engine()):
        for tag in (FRESH_IMAGE, FRESH_IMAGE.replace("/lab:", "/lab-base:")):
            if engine is not None:
                with contextlib.suppress(docker.errors.DockerException):
                    engine.images.remove(tag, force=True)


def _stages(output: str) -> list[tuple[str, float]]:
    """(stage, seconds) from course.sh's ``== NAME: ...`` and ``done in N s`` lines."""
    found, name = [], ""
    for line in output.splitlines():
        if m := re.match(r"\[course\.sh\] == (\w+)", line):
            name = m.group(1)
        elif (m := re.match(r"\[course\.sh\]\s+done in (\d+) s", line)) and name:
            found.append((name, float(m.group(1))))
    return found


def _run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stderr + done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _restore(shared: str | None) -> None:
    if shared is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = shared


if __name__ == "__main__":
    sys.exit(main())
