"""Benchmark class grading: students per minute, sequential (1 worker) vs parallel (N workers).

Releases the 01-mini fixture assignment (or --assignment from course/), submits it
for --students students (the reference answers), grades the class with
`docker-course grade` at 1 and N workers, and prints a table and, with --json,
one JSON object. Everything lives under build/bench-grading-*, removed at the end;
grading labs are removed by the grader itself.
Run: .venv/bin/python bench/grading.py [--json] [--students 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.classroom.class_support import FIXTURES, ClassRoom, grading_leftovers  # noqa: E402
from tests.support import REPO  # noqa: E402


def grade_once(room: ClassRoom, assignment: str, workers: int) -> float:
    start = time.perf_counter()
    done = room.grade(assignment, "--workers", str(workers))
    if done.returncode != 0:
        raise SystemExit(f"grading failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="01-mini", help="01-mini (fixture) or a course/ chapter")
    args = parser.parse_args()
    source = FIXTURES if args.assignment == "01-mini" else REPO / "course"
    room = ClassRoom(source)
    try:
        room.release(args.assignment)
        solutions = room.solutions(args.assignment)
        for i in range(args.students):
            room.submit(f"student{i:02d}", args.assignment, solutions)
        sequential = grade_once(room, args.assignment, 1)
        parallel = grade_once(room, args.assignment, args.workers)
    finally:
        shutil.rmtree(room.course.root, ignore_errors=True)
    left = grading_leftovers()
    result = {
        "assignment": args.assignment,
        "students": args.students,
        "workers": args.workers,
        "sequential_seconds": round(sequential, 1),
        "parallel_seconds": round(parallel, 1),
        "sequential_students_per_minute": round(args.students / sequential * 60, 2),
        "parallel_students_per_minute": round(args.students / parallel * 60, 2),
        "seconds_per_student_sequential": round(sequential / args.students, 1),
        "leftovers_on_host": left,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'what':44} figure")
        print(f"{'assignment / students':44} {args.assignment} / {args.students}")
        print(f"{'sequential (1 worker)':44} {sequential:.1f} s, {result['sequential_students_per_minute']} /min")
        print(
            f"{f'parallel ({args.workers} workers)':44} {parallel:.1f} s, {result['parallel_students_per_minute']} /min"
        )
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
