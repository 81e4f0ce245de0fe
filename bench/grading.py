"""Benchmark class grading: isolated grading at 1, 2 and 4 workers against plain nbgrader, in one run.

A synthetic class of chapters 01 and 02 (``--submissions`` in all, default 30:
full, partial and blank answers in turn, and two faulty ones, a kernel that dies
mid-notebook and a notebook that is not JSON), released and submitted into a
classroom under build/test-artifacts/class-*:

- *isolated*: ``docker-course grade all --workers N`` for each N of ``--workers``
  (each submission in its own fresh lab);
- *baseline*: plain ``nbgrader autograde`` (nbgrader's own preprocessors, none of
  the course's) of the same submissions one after another in one shared lab,
  its engine reset between students (the reset is timed with the grading);
- *all chapters*: ``--all-chapters`` full submissions spread over the six
  chapters, graded with 2 workers.

Students per minute for each, and the ratios ``grading_parallel_vs_sequential``
(2 workers over 1) and ``grading_isolated_parallel_vs_nbgrader_sequential``
(2 workers over the baseline), both throughput over throughput. Each grading is
one run (a class takes minutes). Leftovers of its own runs and lab: none.

Run: .venv/bin/python bench/grading.py [--submissions 30] [--workers 1,2,4] [--all-chapters 10]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import time

import docker
from harness import PREFIX, Bench, remove_lab, run_bench, summarise

from grader import curriculum
from grader.nbgrader_glue.fresh_lab import LAB_PREFIX
from tests.classroom.class_support import ClassRoom, grading_leftovers
from tests.support import REPO, EngineSession

LAB = PREFIX + "nbgrader"
CLASS_CHAPTERS = ("01-dockerfile", "02-ports")
KINDS = ("full", "partial", "blank")
FAULTY = ("crash", "malformed")
RUNS: list[str] = []  # the grading runs' ids, from their progress lines ("..., run 3456fc")
# plain nbgrader: the course's folders and gradebook, nbgrader's default preprocessors and cell limit
PLAIN_CONFIG = """import os
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "docker-course"
c.CourseDirectory.root = os.environ["DOCKER_COURSE_NBGRADER_ROOT"]
c.CourseDirectory.source_directory = os.environ["DOCKER_COURSE_SOURCE"]
c.CourseDirectory.db_url = os.environ["DOCKER_COURSE_GRADEBOOK"]
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hadolint*", "ex[0-9]", "demo"]
c.Execute.timeout = 300
"""


def answers_of(room: ClassRoom, assignment: str, kind: str) -> dict[str, str]:
    """The answer cells of one kind of submission (full, partial: the first exercise only, blank, crash)."""
    solutions = room.solutions(assignment)
    exercises: dict[str, list[str]] = {}
    for grade_id in solutions:
        exercises.setdefault(grade_id.rsplit("-", 1)[0], []).append(grade_id)
    first, second = list(exercises)[:2]
    if kind == "partial":
        return {g: solutions[g] for g in exercises[first]}
    if kind == "blank":
        return {}
    if kind == "crash":  # the kernel dies at the second exercise's first answer cell
        return {**solutions, exercises[second][0]: "import os\nos._exit(1)"}
    return solutions


def kind_of(n: int, faulty: bool) -> str:
    """The kind of the ``n``-th submission: the faulty ones first (with ``faulty``), then full, partial, blank."""
    if not faulty:
        return "full"
    return FAULTY[n] if n < len(FAULTY) else KINDS[n % len(KINDS)]


def make_class(room: ClassRoom, assignments: list[str], count: int, faulty: bool) -> list[tuple[str, str, str]]:
    """Release ``assignments`` and submit ``count`` submissions over them; (student, assignment, kind) each.

    Students take the assignments in turn; kinds cycle full, partial, blank; with ``faulty`` the
    first submission's kernel dies and the second one is not JSON.
    """
    for assignment in assignments:
        room.release(assignment)
    made = []
    for n in range(count):
        student, assignment = f"student{n // len(assignments):02d}", assignments[n % len(assignments)]
        kind = kind_of(n, faulty)
        folder = room.submit(student, assignment, answers_of(room, assignment, "full" if kind == "malformed" else kind))
        if kind == "malformed":
            notebook = next(folder.glob("*.ipynb"))
            notebook.write_text(notebook.read_text()[: notebook.stat().st_size // 2])
        made.append((student, assignment, kind))
    return made


def grade_isolated(room: ClassRoom, workers: int) -> float:
    """Seconds of ``docker-course grade all --workers N`` on the classroom."""
    start = time.perf_counter()
    done = room.grade("all", "--workers", str(workers), timeout=3 * 3600)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    RUNS.extend(re.findall(r"\brun ([0-9a-f]{4,})\b", done.stdout + done.stderr))
    return took


def grade_plain(
    bench: Bench, room: ClassRoom, session: EngineSession, made: list[tuple[str, str, str]]
) -> tuple[float, int]:
    """Seconds of plain ``nbgrader autograde`` of every submission in ``session``'s lab, reset between.

    Each reset and each autograde is also recorded (``nbgrader_reset_between``, ``nbgrader_autograde_one``).

    Returns:
        The seconds, and how many submissions nbgrader failed on (exit code not 0).
    """
    config = room.course.root / "plain-nbgrader"
    config.mkdir()
    (config / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    env = " ".join(
        f"{k}={shlex.quote(v)}"
        for k, v in room.course.env().items()
        if k in ("DOCKER_COURSE_NBGRADER_ROOT", "DOCKER_COURSE_SOURCE", "DOCKER_COURSE_GRADEBOOK")
    )
    failed = 0
    start = time.perf_counter()
    for student, assignment, _ in made:
        bench.time("nbgrader_reset_between", session.reset, runs=1)
        command = f"{env} /opt/course/bin/python -m nbgrader autograde {assignment} --student {student} --force"
        ran: list[bool] = []
        bench.time(
            "nbgrader_autograde_one",
            lambda command=command, ran=ran: ran.append(session.sh(command, str(config), 3600).ok),
            runs=1,
        )
        failed += not ran[0]
    return time.perf_counter() - start, failed


def per_submission(bench: Bench, room: ClassRoom, key: str) -> None:
    """The grader's own seconds per submission (from the run's reports) under ``key``."""
    seconds = [
        float(json.loads(p.read_text()).get("seconds", 0)) for p in (room.course.root / "reports").glob("*/*.json")
    ]
    if seconds:
        bench.figures[key] = summarise(seconds)


def totals(room: ClassRoom, made: list[tuple[str, str, str]]) -> dict[tuple[str, str], float]:
    """(student, assignment) -> total score in the classroom's gradebook (0 when not graded)."""
    books = {a: room.gradebook(a) for a in {a for _, a, _ in made}}
    return {(s, a): sum(books[a].get(s, {}).values()) for s, a, _ in made}


def class_figures(bench: Bench, args: argparse.Namespace) -> None:
    """The 01+02 class: the plain-nbgrader baseline first (its own scores), then isolated at each worker count."""
    room = ClassRoom(REPO / "course")
    try:
        made = make_class(room, list(CLASS_CHAPTERS), args.submissions, faulty=True)
        n = len(made)
        bench.value("class_submissions", n, unit="")
        session = EngineSession.start(LAB)
        bench.engine("lab", session.client)
        plain, failed = grade_plain(bench, room, session, made)
        remove_lab(session.host, LAB)
        bench.value("nbgrader_sequential_shared_engine", plain)
        bench.value("students_per_minute_nbgrader_sequential", round(n / plain * 60, 2), "/min")
        bench.value("nbgrader_failed_submissions", failed, unit="")
        baseline = totals(room, made)
        seconds = {}
        for workers in args.workers:
            seconds[workers] = bench.value(f"isolated_{workers}_workers", grade_isolated(room, workers)).median
            per_submission(bench, room, f"isolated_one_submission[{workers} workers]")
            bench.value(f"students_per_minute_isolated_{workers}_workers", round(n / seconds[workers] * 60, 2), "/min")
        isolated = totals(room, made)
        same = [m for m in made if isolated[m[0], m[1]] == baseline[m[0], m[1]]]
        bench.value("scores_equal_isolated_vs_nbgrader", len(same), unit="")
        differ = [
            f"{s}/{a} ({k}) {isolated[s, a]:g} vs {baseline[s, a]:g}" for s, a, k in made if (s, a, k) not in same
        ]
        bench.notes.append(
            "total scores, isolated vs plain nbgrader, where they differ: " + (", ".join(differ) or "none")
        )
        _ratios(bench, seconds, plain)
        kinds = ", ".join(f"{k} {sum(m[2] == k for m in made)}" for k in (*KINDS, *FAULTY))
        bench.notes.append(
            f"class: {n} submissions of {' and '.join(CLASS_CHAPTERS)} ({kinds}); plain nbgrader ran first, "
            f"then isolated grading with {', '.join(map(str, args.workers))} worker(s)"
        )
    finally:
        shutil.rmtree(room.course.root, ignore_errors=True)


def _ratios(bench: Bench, seconds: dict[int, float], plain: float) -> None:
    """Throughput ratios (time of the baseline over time of the run) from the class's figures."""
    if 1 in seconds and 2 in seconds:
        bench.ratio("grading_parallel_vs_sequential", seconds[1], seconds[2])
    if 1 in seconds and 4 in seconds:
        bench.ratio("grading_4_workers_vs_sequential", seconds[1], seconds[4])
    if 2 in seconds:
        bench.ratio("grading_isolated_parallel_vs_nbgrader_sequential", plain, seconds[2])
    if 1 in seconds:
        bench.ratio("grading_isolated_sequential_vs_nbgrader_sequential", plain, seconds[1])


def all_chapters_figures(bench: Bench, count: int) -> None:
    """``count`` full submissions over the six chapters, graded with 2 workers."""
    room = ClassRoom(REPO / "course")
    try:
        made = make_class(room, [c.folder for c in curriculum.CHAPTERS], count, faulty=False)
        took = bench.value("all_chapters_isolated_2_workers", grade_isolated(room, 2)).median
        bench.value("all_chapters_submissions", len(made), unit="")
        bench.value("students_per_minute_all_chapters_2_workers", round(len(made) / took * 60, 2), "/min")
    finally:
        shutil.rmtree(room.course.root, ignore_errors=True)


def mine(names: list[str]) -> list[str]:
    """The names among ``names`` that belong to this script's grading runs (others grade beside us)."""
    return sorted(n for n in names if any(n.startswith(f"{LAB_PREFIX}{run}-") for run in RUNS))


def measure(bench: Bench, host: docker.DockerClient, args: argparse.Namespace) -> None:
    try:
        if args.submissions:
            class_figures(bench, args)
        if args.all_chapters:
            all_chapters_figures(bench, args.all_chapters)
    finally:
        left = mine([name for names in grading_leftovers().values() for name in names])
        bench.value("leftovers_grading_labs_volumes_networks", len(left), unit="")
        if left:
            bench.notes.append(f"LEFT BEHIND by grading: {left}")
        print(f"[bench] grading leftovers on the host engine: {len(left)} {left}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=30, help="submissions of the 01+02 class (0: none)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts of the isolated runs")
    parser.add_argument("--all-chapters", type=int, default=10, help="submissions over all six chapters (0: none)")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",") if w]
    code = run_bench("grading", lambda bench, host: measure(bench, host, args), labs=[LAB], prefix=LAB)
    return code or (1 if mine([n for names in grading_leftovers().values() for n in names]) else 0)


if __name__ == "__main__":
    sys.exit(main())
