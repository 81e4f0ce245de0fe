"""Benchmark the lab: a fresh lab's cold start, warm reuse, base-image loads, reset.

Cold start: a new lab (container and engine volume removed before each run)
until its engine is ready with the base images loaded (all four, and busybox
only), against the baseline of a bare `docker run --rm --network none busybox true` on the host
engine. Warm reuse: `engine up` on a running lab. Loads: each base image removed
from the lab's engine, then loaded from the cache. Reset: a lab with a few
objects back to base images. Uses its own lab (docker-course-bench-lab),
removed at the end; asserts nothing is left behind.

Run: .venv/bin/python bench/lab.py [--runs N]   (writes bench/results/lab.json)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import docker
from harness import (
    BASE_TAGS,
    PREFIX,
    Bench,
    load_images,
    provision,
    remove_lab,
    run_bench,
    runner_name,
    start_lab,
    tarball_of,
)

from grader.engine import lab, lab_snapshot, lab_template
from grader.engine.image_cache import provision_lock
from grader.engine.reset import reset
from grader.engine.settings import Settings
from grader.nbgrader_glue.fresh_lab import GRADING_DISK, bases_for

LAB = PREFIX + "lab"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each slow figure (cold starts)")
    parser.add_argument("--fast-runs", type=int, default=20, help="repetitions of each fast figure")
    args = parser.parse_args()
    return run_bench("lab", lambda bench, host: measure(bench, host, args.runs, args.fast_runs), labs=[LAB], prefix=LAB)


def measure(bench: Bench, host: docker.DockerClient, runs: int, fast_runs: int) -> None:
    """Every figure of the lab benchmark (the lab is removed by the caller)."""
    # provisioning takes the cache's lock first: under someone else's build, this is the wait for it
    bench.time("provision_lock_acquire", lambda: _lock_once(), runs=3)
    bench.warm_up("provisioning (images built or loaded)", lambda: provision(host))
    bench.time("provision_all_present", lambda: provision(host), runs=fast_runs)
    for tag in BASE_TAGS:
        bench.value(f"tarball_mb[{tag}]", round(tarball_of(tag).stat().st_size / 1e6, 1), unit="MB")
    count = iter(range(1, 10**6))  # names of our own: the leftover count finds a run that stayed

    def bare_run() -> None:
        host.containers.run("busybox", "true", remove=True, name=f"{LAB}-run-{next(count)}", network_mode="none")

    raw = bench.time(
        "baseline_host_docker_run_busybox_true",
        bare_run,
        runs=fast_runs,
        warmup=1,
    )
    bench.warm_up("engine templates (built once per lab image and base-image set)", lambda: _templates(host))
    cold = bench.time(
        "lab_cold_start_4_base_images", lambda: start_lab(host, LAB), runs=runs, before=lambda: remove_lab(host, LAB)
    )
    bench.time(
        "lab_cold_start_busybox_only",
        lambda: start_lab(host, LAB, ["busybox:latest"]),
        runs=runs,
        before=lambda: remove_lab(host, LAB),
    )
    with _templates_off():
        loading = bench.time(
            "lab_cold_start_4_base_images_loading_without_template",
            lambda: start_lab(host, LAB),
            runs=runs,
            before=lambda: remove_lab(host, LAB),
        )
    _grading_starts(bench, host, runs)
    remove_lab(host, LAB)
    bench.ratio("lab_cold_start_template_vs_loading", cold.median, loading.median)
    _template_costs(bench)
    remove_lab(host, LAB)
    client = start_lab(host, LAB)
    bench.engine("lab", client)
    bench.time("lab_warm_reuse", lambda: start_lab(host, LAB), runs=fast_runs)
    for tag in BASE_TAGS:
        bench.time(
            f"load_into_fresh_engine[{tag}]",
            lambda tag=tag: load_images(client, [tag]),
            runs=runs,
            before=lambda tag=tag: client.images.remove(tag, force=True),
        )
    bench.time(
        "reset_lab_with_a_few_objects",
        lambda: reset(client, whole_engine=True),
        runs=runs,
        before=lambda: _make_objects(client),
    )
    bench.ratio("lab_cold_start_vs_bare_docker_run", cold.median, raw.median)
    bench.notes.append(
        "cold start = a new lab and engine data, until its engine answers with the base images loaded "
        f"from the cache, on the runner in force ({runner_name()}); target: under 3 s (issue 17)"
    )


def _templates(host: docker.DockerClient) -> None:
    """A lab of each base-image set timed below, so that the timed starts clone (their first build is not timed)."""
    for images in (None, ["busybox:latest"], *(bases_for(ch) for ch in GRADED)):
        start_lab(host, LAB, images)
        remove_lab(host, LAB)


GRADED = ("01-dockerfile", "06-multistage")  # the lightest and the heaviest base-image sets


@contextmanager
def _templates_off() -> Iterator[None]:
    os.environ[lab_template.TEMPLATES_ENV] = "0"
    try:
        yield
    finally:
        os.environ.pop(lab_template.TEMPLATES_ENV, None)


def _grading_start(host: docker.DockerClient, chapter: str) -> None:
    """A grading lab as ``docker-course grade`` starts one per submission (kit and submission mounted, disk cap)."""
    with tempfile.TemporaryDirectory() as kit, tempfile.TemporaryDirectory() as work:
        spec = lab.LabSpec.grading(Settings.load(), LAB, Path(kit), Path(work), bases_for(chapter), {})
        lab.up(host, replace(spec, limits=replace(spec.limits, disk=GRADING_DISK)))
        remove_lab(host, LAB)


def _grading_starts(bench: Bench, host: docker.DockerClient, runs: int) -> None:
    """The per-submission grading lab start, from a template and (the baseline) loading its base images."""
    for chapter in GRADED:
        cloned = bench.time(f"grading_lab_start[{chapter}]", lambda c=chapter: _grading_start(host, c), runs=runs)
        with _templates_off():
            loaded = bench.time(
                f"grading_lab_start_loading_without_template[{chapter}]",
                lambda c=chapter: _grading_start(host, c),
                runs=runs,
            )
        bench.ratio(f"grading_lab_start_template_vs_loading[{chapter}]", cloned.median, loaded.median)


def _template_costs(bench: Bench) -> None:
    """What the templates cost: build time and disk (each template's blocks, the pool's on the host)."""
    if lab_snapshot.why_not():
        bench.notes.append(f"no engine templates on this machine ({lab_snapshot.why_not()}): labs load their images")
        return
    markers = (lab_snapshot.mount_point() / "templates").glob("*.json")
    for marker in sorted(markers, key=lambda p: p.stat().st_mtime):  # the newest of each image set last
        data = json.loads(marker.read_text())
        what = "+".join(
            tag.split(":")[0].replace("python", "py") + (":slim" if "slim" in tag else "")
            for tag in data["base_images"]
        )
        bench.value(f"engine_template_build[{what}]", data["build_seconds"])
        held = lab_snapshot.quota_use(marker.with_suffix(""), limited=False)
        if held is not None:
            bench.value(f"engine_template_disk_mb[{what}]", round(held[0] / 1e6, 1), unit="MB")
    bench.value("engine_template_pool_disk_mb", round(lab_snapshot.disk_use() / 1e6, 1), unit="MB")


def _lock_once() -> None:
    with provision_lock():
        pass


def _make_objects(client: docker.DockerClient) -> None:
    """A learner-like state: an image, a container, a network and a volume."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "Dockerfile").write_text('FROM busybox\nLABEL maintainer="bench"\n')
        client.images.build(path=tmp, tag="course/hello:1.0", rm=True)
    client.containers.run("busybox", ["sleep", "60"], name="web-fixed", detach=True)
    client.networks.create("course-net")
    client.volumes.create("course-data")


if __name__ == "__main__":
    sys.exit(main())
