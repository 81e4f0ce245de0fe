"""Benchmark the checks: latency per exercise against the raw Docker calls they make, the CLI's
start-up cost, and the whole course's checks on a solved engine.

Per chapter, in the bench's own lab (docker-course-bench-checks): reset the
lab, solve the chapter by executing its source notebook inside the lab (as the
notebook tests do; a last cell keeps the notebook's answer variables), then
time every exercise of the chapter (``--runs`` runs each, after one warm-up):
the full check and the live, inspect-only run. An exercise whose inspect-only
run skips nothing is *inspection-only*; the others run probe containers. In the
same phase the baselines: a raw ``inspect`` (an image and a container, through
docker-py's low-level API) and a bare ``containers.run("busybox", "true",
remove=True)``. No build happens while timing.

Ratios: ``check_inspect_only_vs_raw_inspect`` (median over inspection-only
exercises of the check's median over the raw inspect's median), the same for
probe exercises against the bare run, and the CLI (``docker-course check`` as a
process) against the check function.

Run: .venv/bin/python bench/checks.py [--runs 20] [--chapters 01,02]   (writes bench/results/checks.json)
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import docker
import nbformat
from harness import PREFIX, REPO, Bench, host_engine, record_leftovers, remove_lab, timed

from grader import curriculum
from grader.chapters import registry
from grader.chapters.runner import run_exercise
from tests.support import ARTIFACTS, EngineSession, errors_in

LAB = PREFIX + "checks"
WORK = ARTIFACTS / "bench-checks"  # under the checkout, where the lab may write (CHECKOUT_WRITABLE)
ANSWERS_FILE = "bench-answers.pkl"
VENV_BIN = Path(sys.executable).parent


def answers_cell(chapter: str) -> str:
    """A last notebook cell that pickles each exercise's answer variables (what ``check`` would read)."""
    return (
        "import pickle as _pickle\n"
        "from grader.chapters import registry as _registry\n"
        "def _keep(value):\n"
        "    try:\n"
        "        _pickle.dumps(value)\n"
        "        return True\n"
        "    except Exception:\n"
        "        return False\n"
        f"_exercises = [e for e in _registry().values() if e.chapter == {chapter!r}]\n"
        "_answers = {e.id: {n: globals()[n] for n in e.answers if n in globals() and _keep(globals()[n])}"
        " for e in _exercises}\n"
        f"with open({ANSWERS_FILE!r}, 'wb') as _out:\n"
        "    _pickle.dump(_answers, _out)\n"
    )


def solve(session: EngineSession, chapter: curriculum.Chapter) -> dict[str, dict[str, Any]]:
    """Reset the lab and execute the chapter's source notebook in it; the answers per exercise."""
    session.reset()
    folder = WORK / chapter.folder
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(REPO / "course" / chapter.folder, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    notebook = folder / f"{chapter.folder}.ipynb"
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(answers_cell(chapter.number)))
    nbformat.write(nb, str(notebook))
    executed = session.execute_notebook(notebook, output=folder / "executed.ipynb")
    errors = [e for e in errors_in(executed)]
    if errors:
        print(f"[bench] chapter {chapter.folder}: cell errors while solving: {errors[:3]}", flush=True)
    with open(folder / ANSWERS_FILE, "rb") as stream:
        answers: dict[str, dict[str, Any]] = pickle.load(stream)
    return answers


def baselines(bench: Bench, client: docker.DockerClient, runs: int) -> None:
    """The raw calls the checks make: an inspect (image, container) and a bare busybox run."""
    holder = client.containers.create("busybox", ["true"], name="bench-raw-inspect")
    try:
        api = client.api
        for _ in range(runs):
            bench.time("raw_inspect_image", lambda: api.inspect_image("busybox:latest"), runs=1)
            bench.time("raw_inspect_container", lambda: api.inspect_container(holder.id), runs=1)
            bench.time("raw_inspect", lambda: api.inspect_image("busybox:latest"), runs=1)
            bench.time("raw_inspect", lambda: api.inspect_container(holder.id), runs=1)
    finally:
        holder.remove(force=True)
    bench.time(
        "raw_run_busybox_true",
        lambda: client.containers.run("busybox", "true", remove=True, network_mode="none"),
        runs=max(5, runs // 2),
        warmup=1,
    )


def time_exercises(
    bench: Bench, client: docker.DockerClient, ids: list[str], answers: dict[str, dict[str, Any]], runs: int
) -> dict[str, int]:
    """Time each exercise's full check and live run; the number of probe parts of each."""
    probes = {}
    for ex in ids:
        given = answers.get(ex, {})
        live = run_exercise(ex, given, client=client, inspect_only=True)
        full = run_exercise(ex, given, client=client)
        probes[ex] = len(live.skipped)
        bench.value(f"score[{ex}]", full.score, unit=f"/{full.max_score:g}")
        bench.time(f"check[{ex}]", lambda ex=ex, given=given: run_exercise(ex, given, client=client), runs, warmup=1)
        bench.time(
            f"live[{ex}]",
            lambda ex=ex, given=given: run_exercise(ex, given, client=client, inspect_only=True),
            runs,
            warmup=1,
        )
        kind = "inspection-only" if not probes[ex] else f"{probes[ex]} probe part(s)"
        print(f"[bench] {ex}: {kind}, check {bench.figures[f'check[{ex}]'].median * 1000:.1f} ms", flush=True)
    return probes


def first_pass(
    bench: Bench,
    client: docker.DockerClient,
    chapter: str,
    ids: list[str],
    answers: dict[str, Any],
    profile: Path | None,
) -> float:
    """Run a chapter's checks once right after solving it (nothing checked before); optionally profiled."""
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler  # a bench-only tool (pip install pyinstrument)

        profiler = Profiler(interval=0.002)
        profiler.start()
    took = 0.0
    for ex in ids:
        one = timed(lambda ex=ex: run_exercise(ex, answers.get(ex), client=client))
        bench.value(f"first[{ex}]", one)
        took += one
    if profiler is not None:
        profiler.stop()
        profile.mkdir(parents=True, exist_ok=True)
        (profile / f"ch{chapter}.txt").write_text(profiler.output_text(unicode=False, show_all=False))
        (profile / f"ch{chapter}.html").write_text(profiler.output_html())
    bench.value(f"chapter_checks_first[{chapter}]", took)
    return took


def time_cli(bench: Bench, runs: int, folder: Path) -> None:
    """`docker-course check ch01-ex1 --json` as a process, and the interpreter's own start-up."""
    env = dict(os.environ, DOCKER_COURSE_LAB=LAB, DOCKER_COURSE_MODE="lab")
    env.pop("DOCKER_HOST", None)
    exe = str(VENV_BIN / "docker-course")

    def run(*cmd: str) -> None:
        done = subprocess.run(list(cmd), cwd=folder, env=env, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed ({done.returncode}): {done.stderr[-400:]}")

    bench.time(
        "cli_process[docker-course check ch01-ex1 --json]",
        lambda: run(exe, "check", "ch01-ex1", "--json"),
        runs,
        warmup=1,
    )
    bench.time("cli_process[python -c pass]", lambda: run(sys.executable, "-c", "pass"), runs, warmup=1)
    bench.time(
        "cli_process[python -c 'import grader.cli']",
        lambda: run(sys.executable, "-c", "import grader.cli"),
        runs,
        warmup=1,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per exercise (after one warm-up)")
    parser.add_argument("--chapters", default="", help="comma-separated chapter numbers (default: all)")
    parser.add_argument("--course-runs", type=int, default=5, help="runs of each chapter's checks all together")
    parser.add_argument("--profile", type=Path, help="a folder for a pyinstrument profile of each chapter's first pass")
    args = parser.parse_args()
    wanted = [c for c in args.chapters.split(",") if c]
    chapters = [c for c in curriculum.CHAPTERS if not wanted or c.number in wanted]
    exercises = registry()
    host = host_engine()
    bench = Bench("checks")
    bench.engine("host", host)
    probes: dict[str, int] = {}
    course_total = live_total = first_total = 0.0
    try:
        session = EngineSession.start(LAB)
        bench.engine("lab", session.client)
        for chapter in chapters:
            print(f"[bench] chapter {chapter.folder}: solving (its source notebook in the lab)", flush=True)
            answers = solve(session, chapter)
            ids = [e for e, ex in exercises.items() if ex.chapter == chapter.number]
            first_total += first_pass(bench, session.client, chapter.number, ids, answers, args.profile)
            baselines(bench, session.client, args.runs)
            probes.update(time_exercises(bench, session.client, ids, answers, args.runs))
            every = bench.time(
                f"chapter_checks[{chapter.number}]",
                lambda ids=ids, answers=answers: [run_exercise(e, answers.get(e), client=session.client) for e in ids],
                args.course_runs,
            )
            live = bench.time(
                f"chapter_live[{chapter.number}]",
                lambda ids=ids, answers=answers: [
                    run_exercise(e, answers.get(e), client=session.client, inspect_only=True) for e in ids
                ],
                args.course_runs,
            )
            course_total += every.median
            live_total += live.median
            if chapter.number == "01":
                time_cli(bench, max(10, args.runs // 2), WORK / chapter.folder)
    finally:
        remove_lab(host, LAB)
        shutil.rmtree(WORK, ignore_errors=True)
    bench.value("course_all_checks", course_total)
    bench.value("course_all_checks_first", first_total)
    bench.value("course_all_live_checks", live_total)
    _ratios(bench, probes)
    bench.notes.append(
        "each chapter solved by its source notebook in a reset lab, then timed; course_all_checks = the sum over "
        "chapters of the median time of running all of a chapter's checks once (target: under 5 s); "
        "course_all_checks_first = the same for the first run of each chapter's checks right after solving it "
        "(nothing checked before in this process)"
    )
    clean = record_leftovers(bench, host, LAB)
    bench.finish()
    return 0 if clean else 1


def _ratios(bench: Bench, probes: dict[str, int]) -> None:
    f = bench.figures
    raw_inspect, raw_run = f["raw_inspect"].median, f["raw_run_busybox_true"].median
    inspect_only = [f[f"check[{e}]"].median / raw_inspect for e, n in probes.items() if n == 0]
    with_probe = [f[f"check[{e}]"].median / raw_run for e, n in probes.items() if n > 0]
    per_probe = [f[f"check[{e}]"].median / (n * raw_run) for e, n in probes.items() if n > 0]
    if inspect_only:
        bench.ratio("check_inspect_only_vs_raw_inspect", statistics.median(inspect_only), 1)
        bench.ratio("check_inspect_only_vs_raw_inspect_worst", max(inspect_only), 1)
    if with_probe:
        bench.ratio("check_with_probe_vs_raw_run", statistics.median(with_probe), 1)
        bench.ratio("check_with_probe_per_probe_part_vs_raw_run", statistics.median(per_probe), 1)
    cli = "cli_process[docker-course check ch01-ex1 --json]"
    if cli in f:
        bench.ratio("cli_process_vs_check_function", f[cli].median, f["check[ch01-ex1]"].median)
        bench.value("cli_startup_cost", f[cli].median - f["check[ch01-ex1]"].median)
    bench.notes.append(
        "inspection-only exercises: "
        + ", ".join(e for e, n in probes.items() if n == 0)
        + "; with probes: "
        + ", ".join(f"{e} ({n})" for e, n in probes.items() if n > 0)
    )


if __name__ == "__main__":
    sys.exit(main())
