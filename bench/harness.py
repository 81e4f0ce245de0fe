"""The benchmark harness: repeated timings, the machine they ran on, one JSON file per benchmark.

Each benchmark script makes a :class:`Bench`, measures with :meth:`Bench.time`
(median, min and max of repeated runs) or records a single value, adds ratios
to its baselines measured in the same run, and calls :meth:`Bench.finish`, which
writes ``bench/results/NAME.json``::

    {"benchmark": NAME, "machine": {...}, "figures": {...}, "ratios": {...}}

and prints a table. Speed is measured here, never asserted in tests; the only
assertion is that a benchmark leaves nothing behind (:func:`leftovers`).

Benchmarks use their own labs (``docker-course-bench-*``) and remove them.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import docker  # noqa: E402
from report import busy_machine  # noqa: E402  (bench/ is on the path of every bench script)

from grader.engine import boundary, catalogue, image_cache, lab, provisioning  # noqa: E402
from grader.engine.install import ensure_host_engine  # noqa: E402
from grader.engine.settings import COURSE_LABEL, Settings  # noqa: E402

RESULTS_ENV = "DOCKER_COURSE_BENCH_RESULTS"  # where results go (run_all --quick: not the published ones)
RESULTS = Path(os.environ.get(RESULTS_ENV) or REPO / "bench" / "results")
PREFIX = "docker-course-bench-"
SHARED_MACHINE_NOTE = (
    "the VM was shared with other work when this benchmark started (load average {load:g} on {cores} cores): "
    "figures are upper bounds; compare ratios, which are measured against baselines in the same run"
)
QUIET_MACHINE_NOTE = (
    "the VM was quiet when this benchmark started (load average {load:g} on {cores} cores; the load after "
    "includes the benchmark's own work); ratios are measured against baselines in the same run"
)


def machine_note(load_before: tuple[float, float, float], cores: int) -> str:
    """Whether the machine was quiet or shared when a benchmark started, from its load average then."""
    note = SHARED_MACHINE_NOTE if busy_machine(load_before[0], cores) else QUIET_MACHINE_NOTE
    return note.format(load=round(load_before[0], 1), cores=cores)


@dataclass
class Figure:
    """One measured figure: the median of ``runs`` repetitions, with min and max (or one value)."""

    median: float
    min: float
    max: float
    runs: int
    unit: str = "s"

    def as_json(self) -> dict[str, Any]:
        digits = 4 if self.unit == "s" else 2
        return {
            "median": round(self.median, digits),
            "min": round(self.min, digits),
            "max": round(self.max, digits),
            "runs": self.runs,
            "unit": self.unit,
        }


def summarise(samples: list[float], unit: str = "s") -> Figure:
    """A Figure over ``samples`` (at least one)."""
    return Figure(statistics.median(samples), min(samples), max(samples), len(samples), unit)


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action()`` took (wall clock)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@dataclass
class Bench:
    """One benchmark run: its figures, ratios, notes and the machine, written by :meth:`finish`."""

    name: str
    figures: dict[str, Figure] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    engines: dict[str, dict[str, str]] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def time(
        self,
        key: str,
        action: Callable[[], object],
        runs: int,
        warmup: int = 0,
        before: Callable[[], object] | None = None,
    ) -> Figure:
        """Run ``action`` ``warmup`` + ``runs`` times and record the timed ``runs`` under ``key``.

        ``before`` runs untimed before each repetition (e.g. remove what the action reuses).
        Timing the same ``key`` again pools the samples (a baseline measured beside each phase).
        """
        samples = self.samples.setdefault(key, [])
        for n in range(warmup + runs):
            if before is not None:
                before()
            took = timed(action)
            if n >= warmup:
                samples.append(took)
        figure = summarise(samples)
        self.figures[key] = figure
        return figure

    def value(self, key: str, value: float, unit: str = "s") -> Figure:
        """Record a single measured value (one run) under ``key``."""
        figure = Figure(value, value, value, 1, unit)
        self.figures[key] = figure
        return figure

    def ratio(self, key: str, numerator: float, denominator: float) -> float:
        """Record ``numerator / denominator`` (both from this run) under ``key``."""
        self.ratios[key] = round(numerator / denominator, 2) if denominator else float("nan")
        return self.ratios[key]

    def warm_up(self, what: str, action: Callable[[], object], slow: float = 5) -> float:
        """Run ``action`` once, untimed (it builds, loads or caches what the timed runs reuse).

        A warm-up slower than ``slow`` seconds is noted in the results: the figures after it are warm.
        """
        took = timed(action)
        if took > slow:
            self.notes.append(f"warm-up: {what} took {took:.0f} s before timing")
        return took

    def engine(self, role: str, client: docker.DockerClient) -> None:
        """Read the version of an engine ("host", "lab") now, for the machine info (a lab goes away)."""
        self.engines[role] = engine_version(client)

    def finish(self) -> Path:
        """Write ``bench/results/NAME.json``, print the table, return the file."""
        out = {
            "benchmark": self.name,
            "machine": machine(self.engines, self.load_before, self.started),
            "figures": {k: f.as_json() for k, f in self.figures.items()},
            "ratios": self.ratios,
            "notes": [machine_note(self.load_before, os.cpu_count() or 1), *self.notes],
            "took_s": round(time.time() - self.started, 1),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(table(out))
        print(f"[bench] written to {path}")
        return path


def table(result: dict[str, Any]) -> str:
    """The text table of one results file (figures, then ratios)."""
    lines = [f"== {result['benchmark']}", f"{'figure':52} {'median':>10} {'min':>10} {'max':>10} {'runs':>5}"]
    for key, f in result["figures"].items():
        unit = f["unit"]
        lines.append(
            f"{key:52} {_fmt(f['median'], unit):>10} {_fmt(f['min'], unit):>10} {_fmt(f['max'], unit):>10} "
            f"{f['runs']:>5}"
        )
    for key, value in result["ratios"].items():
        lines.append(f"{'ratio ' + key:52} {value:>10}")
    return "\n".join(lines)


def _fmt(value: float, unit: str) -> str:
    if unit != "s":
        return f"{value:g} {unit}"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def machine(
    engines: dict[str, dict[str, str]], load_before: tuple[float, float, float], started: float
) -> dict[str, Any]:
    """Cores, memory, kernel, cgroup version, engine versions, git commit and load of this machine."""
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(_meminfo_kb("MemTotal") / 1024**2, 1),
        "kernel": platform.release(),
        "os": _os_release(),
        "cgroup": "v2" if Path("/sys/fs/cgroup/cgroup.controllers").exists() else "v1",
        "python": platform.python_version(),
        "docker_sdk": docker.__version__,
        "git_commit": _git("rev-parse", "--short=12", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        **{f"{role}_engine": version for role, version in engines.items()},
    }


def engine_version(client: docker.DockerClient) -> dict[str, str]:
    """An engine's version and API version (or why they could not be read)."""
    try:
        version = client.version()
    except Exception as e:  # noqa: BLE001 - machine info must not fail a finished benchmark
        return {"error": str(e)[:120]}
    return {"version": str(version.get("Version")), "api": str(version.get("ApiVersion"))}


def _meminfo_kb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _os_release() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    return done.stdout.strip()


# ---- the engine API the benchmarks use (one place to adapt when it changes) ----------------------

BASE_TAGS: tuple[str, ...] = catalogue.COURSE_BASE_TAGS
LAB_IMAGE: str = catalogue.LAB_IMAGE


def provision(client: docker.DockerClient, tags: list[str] | None = None) -> None:
    """Make images exist on ``client``'s engine and in the cache (``DOCKER_COURSE_CACHE``); all when empty."""
    provisioning.provision(client, tags)


def load_images(client: docker.DockerClient, tags: list[str]) -> None:
    """Load base images into an engine from the tarball cache."""
    image_cache.load_into(client, tags)


def tarball_of(tag: str) -> Path:
    """The cached tarball of an image."""
    return image_cache.tarball(catalogue.BY_TAG[tag])


# ---- labs and leftovers ------------------------------------------------------------------------


def runner_name() -> str:
    """Which runner labs start on here: the user-namespaced labs engine, or the container fallback (and why)."""
    why = boundary.why_not_offered()
    return f"container fallback: {why}" if why else "userns: the course's user-namespaced labs engine"


def host_engine() -> docker.DockerClient:
    """The host engine (where bench labs run)."""
    return ensure_host_engine()


def start_lab(host: docker.DockerClient, name: str, base_images: list[str] | None = None) -> docker.DockerClient:
    """Start (or reuse) the bench lab ``name`` without JupyterLab; a client on its engine.

    ``base_images``: the base images loaded into it (default: all).
    """
    settings = Settings.load()
    lab.up(host, lab.LabSpec.learner(settings, name=name, jupyter=False, base_images=base_images))
    return lab.lab_engine(settings, name)


def remove_lab(host: docker.DockerClient, name: str) -> None:
    """Remove a bench lab, its engine volume and its state folder (its socket, progress file)."""
    lab.down(host, name, keep_data=False)
    shutil.rmtree(Settings.load().lab_run_dir(name).parent, ignore_errors=True)


def leftovers(host: docker.DockerClient, prefix: str = PREFIX) -> dict[str, list[str]]:
    """Labs, containers, networks and volumes named ``prefix*`` on the host engine and the labs' engine."""
    found: dict[str, set[str]] = {"labs": set(), "containers": set(), "networks": set(), "volumes": set()}
    for engine in (host, boundary.running_labs_engine()):
        if engine is None:
            continue
        summaries = engine.api.containers(all=True)
        lab_filter = {"label": f"{COURSE_LABEL}=lab"}
        found["containers"] |= {(c.get("Names") or ["/?"])[0].lstrip("/") for c in summaries}
        found["labs"] |= {
            (c.get("Names") or ["/?"])[0].lstrip("/") for c in engine.api.containers(all=True, filters=lab_filter)
        }
        found["networks"] |= {n.name or "" for n in engine.networks.list()}
        found["volumes"] |= {v.name or "" for v in engine.volumes.list()}
    return {kind: sorted(n for n in names if n.startswith(prefix)) for kind, names in found.items()}


def record_leftovers(bench: Bench, host: docker.DockerClient, prefix: str = PREFIX) -> bool:
    """Record and print the leftover counts (each must be 0); True when nothing was left.

    Callers write their results first, then exit non-zero when this was False.
    """
    left = leftovers(host, prefix)
    for kind, names in left.items():
        bench.value(f"leftovers_{kind}", len(names), unit="")
    print(
        f"[bench] leftovers on the host and labs engines ({prefix}*): "
        + ", ".join(f"{k} {len(v)}" for k, v in left.items())
    )
    if any(left.values()):
        bench.notes.append(f"LEFT BEHIND: {left}")
        print(f"[bench] {bench.name} left objects behind: {left}", file=sys.stderr)
        return False
    return True


def _stop_on_term(signum: int, _frame: object) -> None:
    """SIGTERM as an exit that runs the clean-up (``finally``) of the benchmark on its way out."""
    raise SystemExit(128 + signum)


def run_bench(
    name: str,
    body: Callable[[Bench, docker.DockerClient], None],
    labs: Iterable[str] = (),
    prefix: str = PREFIX,
) -> int:
    """Run one benchmark: ``body(bench, host)``, then remove ``labs``, record leftovers, write the results.

    The labs are removed whatever ``body`` does (an error still raises, after the clean-up).

    Returns:
        The script's exit code: 0, or 1 when objects named ``prefix*`` were left on the host engine.
    """
    host = host_engine()
    bench = Bench(name)
    bench.engine("host", host)
    # a benchmark stopped by SIGTERM (kill, a CI timeout) removes its labs like one that fails:
    # without this the process dies at once and its labs keep running
    previous = signal.signal(signal.SIGTERM, _stop_on_term)
    try:
        body(bench, host)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the clean-up short
        for lab_name in labs:
            remove_lab(host, lab_name)
        signal.signal(signal.SIGTERM, previous)
    clean = record_leftovers(bench, host, prefix)
    bench.finish()
    return 0 if clean else 1
