"""Run every benchmark, one after another, then write README's "Benchmarks" section from the results.

Each benchmark is its own process (``bench/NAME.py``), writes ``bench/results/NAME.json``
and prints its table; a benchmark that fails (or leaves objects behind) does not stop
the others, and makes this command exit 1. Each results file records the machine's load
average before and after its run (our machines are shared). Options after ``--`` go to
every benchmark named in ``--only`` (e.g. ``--only grading -- --submissions 10``).

Run: ./course.sh bench [--only checks,lab] [--no-readme] [--quick] [-- ARGS]
     (the same as .venv/bin/python bench/run_all.py ...)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BENCHMARKS = {
    "checks": [],
    "lab": [],
    "lab_boundary": [],
    "provision": [],
    "containerd_store": [],
    "grading": [],
    "hub": [],
}
QUICK = {  # a smoke run of the harness: few repetitions, one chapter, busybox only
    "checks": ["--runs", "3", "--course-runs", "1", "--chapters", "01"],
    "lab": ["--runs", "1", "--fast-runs", "3"],
    "lab_boundary": ["--runs", "1"],
    "provision": ["--runs", "1", "--fast-runs", "3", "--images", "busybox:latest", "--no-lab-image"],
    "containerd_store": ["--runs", "3"],
    "grading": ["--submissions", "3", "--workers", "1,2", "--all-chapters", "0"],
    "hub": ["--learners", "3", "--wave", "3"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README's section")
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions, results in build/bench-quick/ (to try the harness)"
    )
    parser.add_argument("extra", nargs="*", help="arguments for the benchmarks (after --)")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    if args.quick:
        env["DOCKER_COURSE_BENCH_RESULTS"] = str(BENCH.parent / "build" / "bench-quick")
    failed = []
    for name in names:
        extra = [*(QUICK[name] if args.quick else BENCHMARKS[name]), *args.extra]
        print(f"[run_all] {name} {' '.join(extra)} (load average {os.getloadavg()[0]:.2f})", flush=True)
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-u", str(BENCH / f"{name}.py"), *extra], env=env)
        print(f"[run_all] {name}: exit {done.returncode} after {time.monotonic() - start:.0f} s", flush=True)
        if done.returncode != 0:
            failed.append(name)
    if not args.no_readme and not args.quick:
        subprocess.run([sys.executable, str(BENCH / "report.py"), "--write-readme"], check=False)
    if failed:
        print(f"[run_all] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
