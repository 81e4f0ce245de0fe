"""Benchmark the course engine: lab start (cold and warm), reset, image loads, check latency.

Prints a table and, with --json, one JSON object. Uses its own lab (bench-engine),
removed at the end. Run: .venv/bin/python bench/engine.py [--json] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.chapters.runner import run_exercise  # noqa: E402
from grader.engine import catalogue, image_cache, lab, provisioning  # noqa: E402
from grader.engine.install import ensure_host_engine  # noqa: E402
from grader.engine.reset import reset  # noqa: E402
from grader.engine.settings import Settings  # noqa: E402

LAB = "bench-engine"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    host = ensure_host_engine()
    settings = Settings.load()
    figures: dict[str, object] = {}
    try:
        figures["provision_cached_s"] = round(timed(lambda: provisioning.provision(host)), 3)
        lab.down(host, LAB, keep_data=False)
        figures["lab_cold_start_s"] = round(timed(lambda: lab.up(host, settings, name=LAB, jupyter=False)), 2)
        figures["lab_warm_reuse_s"] = round(timed(lambda: lab.up(host, settings, name=LAB, jupyter=False)), 3)
        client = lab.lab_engine(settings, LAB)
        sizes = {i.tag: round(image_cache.tarball(i).stat().st_size / 1e6, 1) for i in catalogue.BASE_IMAGES}
        figures["base_tarballs_mb"] = sizes
        loads = {}
        for tag in sizes:
            client.images.remove(tag, force=True)
            loads[tag] = round(timed(lambda tag=tag: image_cache.load_into(client, [tag])), 2)
        figures["image_load_s"] = loads
        resets, checks = [], []
        for _ in range(args.rounds):
            client.images.build(path=str(_context()), tag="course/hello:1.0", rm=True)
            client.containers.run("busybox", ["sleep", "60"], name="web-fixed", detach=True)
            checks.append(timed(lambda: run_exercise("ch01-ex1", client=client)))
            resets.append(timed(lambda: reset(client, whole_engine=True)))
        figures["check_ch01_ex1_s"] = round(statistics.median(checks), 3)
        figures["reset_s"] = round(statistics.median(resets), 3)
        client.images.build(path=str(_context()), tag="course/config:2.0", rm=True)
        figures["check_with_probe_ch01_ex3_s"] = round(timed(lambda: run_exercise("ch01-ex3", client=client)), 3)
    finally:
        lab.down(host, LAB, keep_data=False)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")
    return 0


def _context() -> Path:
    folder = Path("/tmp/docker-course-bench-context")
    folder.mkdir(exist_ok=True)
    (folder / "Dockerfile").write_text(
        'FROM busybox\nLABEL maintainer="bench"\n'
        "ARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV=production\n"
    )
    return folder


if __name__ == "__main__":
    sys.exit(main())
