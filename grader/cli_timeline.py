"""``docker-course timeline ID [--json]``: what the learner did for one exercise, from the course's journal."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 2


def cmd_timeline(args: argparse.Namespace) -> int:
    from grader.curriculum import UnknownName
    from grader.services.timeline import exercise_timeline

    try:
        timeline = exercise_timeline(args.exercise)
    except UnknownName as e:
        print(f"docker-course: {e.args[0]}", file=sys.stderr)
        return EXIT_ERROR
    print(json.dumps(timeline.to_json(), indent=2) if args.json else timeline.to_text())
    return EXIT_OK


def add_timeline_command(sub: Any) -> None:
    """``timeline``: an exercise's runs, removals and builds as the course's event journal kept them."""
    timeline = sub.add_parser(
        "timeline", help="what you did for an exercise (runs, removals, builds), from the journal"
    )
    timeline.add_argument("exercise", help="exercise id, e.g. ch05-ex1")
    timeline.add_argument("--json", action="store_true", help="machine-readable timeline")
    timeline.set_defaults(func=cmd_timeline)
