"""Run every benchmark, one after another, then write README's "Benchmarks" section from the results.

Each benchmark is its own process (``bench/NAME.py``), writes ``bench/results/NAME.json``
and prints its table; a benchmark that fails (or leaves objects behind) does not stop
the others, and makes this command exit 1. About an hour on our shared 2-core machines
(70 min in the published run, some of it waiting for other checkouts' image builds).

Run: .venv/bin/python bench/run_all.py [--only checks,lab] [--no-readme] [--quick]
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
    "provision": ["--lab-image"],
    "grading": [],
}
QUICK = {  # a smoke run of the harness: few repetitions, one chapter, busybox only
    "checks": ["--runs", "3", "--course-runs", "1", "--chapters", "01"],
    "lab": ["--runs", "1", "--fast-runs", "3"],
    "lab_boundary": ["--runs", "1"],
    "provision": ["--runs", "1", "--fast-runs", "3", "--images", "busybox:latest"],
    "grading": ["--students", "2"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README's section")
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions, results in build/bench-quick/ (to try the harness)"
    )
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
        extra = QUICK[name] if args.quick else BENCHMARKS[name]
        print(f"[run_all] {name} {' '.join(extra)}", flush=True)
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
