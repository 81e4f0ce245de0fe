"""Benchmark offline provisioning of the base images: cold (nothing cached), warm (cached), present.

The target engine is a bench lab's own engine (docker-course-bench-provision),
emptied of images, so the host engine's images and the shared cache
(~/.cache/docker-course) are never touched: provisioning runs with a throw-away
``DOCKER_COURSE_CACHE``, removed at the end.

- cold: per image, in catalogue order, nothing in the throw-away cache: built
  offline from Debian packages (debootstrap downloads them from the Debian
  mirror; later images reuse the packages earlier ones downloaded, as a first
  `docker-course images` does), then saved as a tarball;
- warm: the image removed from the engine, its tarball cached: loaded;
- present: the image already on the engine: one inspect.

``--lab-image`` also builds the lab image cold (its wheelhouse, ~750 MB; slow).

Run: .venv/bin/python bench/provision.py [--runs N] [--lab-image]   (writes bench/results/provision.json)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import docker
from harness import (
    BASE_TAGS,
    LAB_IMAGE,
    PREFIX,
    Bench,
    host_engine,
    provision,
    record_leftovers,
    remove_lab,
    start_lab,
    tarball_of,
)

LAB = PREFIX + "provision"
CACHE_ENV = "DOCKER_COURSE_CACHE"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the warm loads")
    parser.add_argument("--fast-runs", type=int, default=20, help="repetitions of the present case")
    parser.add_argument("--lab-image", action="store_true", help="also build the lab image cold (slow)")
    parser.add_argument("--images", default="", help="comma-separated base images (default: all)")
    args = parser.parse_args()
    host = host_engine()
    bench = Bench("provision")
    bench.engine("host", host)
    shared = os.environ.get(CACHE_ENV)
    throwaway = Path(tempfile.mkdtemp(prefix="docker-course-bench-cache-"))
    bases = [t for t in BASE_TAGS if not args.images or t in args.images.split(",")]
    tags = [*bases, *([LAB_IMAGE] if args.lab_image else [])]
    try:
        client = start_lab(host, LAB, ["busybox:latest"])  # started from the shared cache, then emptied
        bench.engine("lab", client)
        _remove_all_images(client)
        os.environ[CACHE_ENV] = str(throwaway)
        for tag in tags:
            bench.time(f"cold[{tag}]", lambda tag=tag: provision(client, [tag]), runs=1)
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
        cold = sum(bench.figures[f"cold[{t}]"].median for t in bases)
        warm = sum(bench.figures[f"warm[{t}]"].median for t in bases)
        bench.value("cold_all_base_images", cold)
        bench.value("warm_all_base_images", warm)
        bench.ratio("provision_cold_vs_warm", cold, warm)
    finally:
        if shared is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = shared
        remove_lab(host, LAB)
        shutil.rmtree(throwaway, ignore_errors=True)
    bench.notes.append(
        "cold builds use a throw-away DOCKER_COURSE_CACHE: debootstrap downloads packages from the Debian mirror; "
        "later images reuse the packages earlier ones downloaded"
    )
    clean = record_leftovers(bench, host, LAB)
    bench.finish()
    return 0 if clean else 1


def _remove_all_images(client: docker.DockerClient) -> None:
    for image in client.images.list():
        client.images.remove(image.id, force=True)


if __name__ == "__main__":
    sys.exit(main())
