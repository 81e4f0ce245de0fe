"""The workspace commands of ``docker-course``: update, workspace, solution, hint, grade-chapter,
start-over, uninstall.

Part of the command line (``grader/cli.py`` adds them): parses, calls the
workspace services, prints. No logic of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILED = 0, 1


def cmd_update(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.workspace.service import update_workspace

    done = update_workspace(report=console("update"))
    if args.json:
        print(json.dumps(done.to_json(), indent=2))
    else:
        print(f"Workspace: {done.workspace}")
        print("\n".join(done.lines()))
    return EXIT_FAILED if any(c.action in ("broken", "skipped") for c in done.changes) else EXIT_OK


def cmd_workspace(args: argparse.Namespace) -> int:
    from grader.workspace.service import describe_workspace

    info = describe_workspace()
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"workspace:  {info['path']}" + ("" if info["exists"] else " (not made yet: `docker-course update`)"))
    if info["exists"]:
        print(f"made:       {info['made'] or '?'}")
        print(f"served by:  {info['served_by'] or 'no lab'}")
    for folder in info["folders"]:
        state = {
            True: "up to date",
            False: "course changed: `docker-course update`",
            None: "(compared with the course on your computer)",
        }
        missing = sorted(set(folder["notebooks"]) - set(folder["present"]))
        print(
            f"  {folder['name']:16} {state[folder['up_to_date']]}"
            + (f"; missing {', '.join(missing)}" if missing else "")
        )
    return EXIT_OK


def cmd_solution(args: argparse.Namespace) -> int:
    from grader.services.answers import show_solution

    if not args.yes and sys.stdin.isatty():
        answer = input(f"Show the reference answer of {args.exercise}? It is recorded in your progress. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not shown.")
            return EXIT_FAILED
    found = show_solution(args.exercise)
    print(json.dumps(found.to_json(), indent=2) if args.json else found.to_text(), end="" if not args.json else "\n")
    return EXIT_OK


def cmd_hint(args: argparse.Namespace) -> int:
    from grader.services.answers import next_hint

    shown = next_hint(args.exercise)
    print(json.dumps(shown.to_json(), indent=2) if args.json else shown.to_text())
    return EXIT_OK


def cmd_grade_chapter(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services.self_grade import grade_my_chapter

    graded = grade_my_chapter(args.chapter, report=console("grade") if not args.json else _quiet, timeout=args.timeout)
    print(json.dumps(graded.to_json(), indent=2) if args.json else graded.to_text())
    return EXIT_OK


def _quiet(line: str) -> None:
    print(line, file=sys.stderr)


def _confirmed(yes: bool) -> bool:
    """Whether to go ahead: ``--yes``, or the answer at a terminal (without one: nothing done, say how)."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print("Nothing done: confirm with --yes.")
        return False
    if input("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
        print("Nothing done.")
        return False
    return True


def cmd_uninstall(args: argparse.Namespace) -> int:
    from grader.errors import GraderError
    from grader.hub import server as hub
    from grader.services.uninstall import uninstall

    if hub.running():
        raise GraderError("The class hub runs: stop it first with `docker-course hub down`, then uninstall.")
    print(
        "This removes the course's labs (and their engine data), its channel servers, the labs' network and,"
        " when no other lab uses it, the course's labs engine; then"
        + ("" if args.keep_cache else " the image cache and")
        + " the state folder."
        + (" Your workspace goes too (--purge-workspace)." if args.purge_workspace else " Your workspace is kept.")
    )
    if not _confirmed(args.yes):
        return EXIT_FAILED
    done = uninstall(purge_workspace=args.purge_workspace, keep_cache=args.keep_cache, images=args.images)
    print("\n".join(done.lines()) or "Nothing of the course was here.")
    return EXIT_OK


def cmd_start_over(args: argparse.Namespace) -> int:
    from grader.workspace.service import open_workspace
    from grader.workspace.start_over import plan, start_over

    workspace = open_workspace(create=False)
    print(plan(workspace, args.exercise).to_text())
    if not _confirmed(args.yes):
        return EXIT_FAILED
    done = start_over(workspace, args.exercise)
    removed = done.removed
    gone = [*removed.containers, *removed.networks, *removed.volumes, *removed.images]
    print(f"Done: answer cells restored; removed {', '.join(gone) if gone else 'nothing (none of them existed)'}.")
    if done.backup:
        print(f"Your previous notebook: {done.backup}")
    return EXIT_OK


def add_workspace_commands(sub: Any) -> None:
    """Add update, workspace, solution, hint and start-over to the ``docker-course`` subcommands."""
    update = sub.add_parser("update", help="bring the course's new versions into your workspace (your work is kept)")
    update.add_argument("--json", action="store_true", help="machine-readable report")
    update.set_defaults(func=cmd_update)
    workspace = sub.add_parser("workspace", help="your workspace: where it is, its chapters, whether they are current")
    workspace.add_argument("--json", action="store_true", help="machine-readable")
    workspace.set_defaults(func=cmd_workspace)
    solution = sub.add_parser("solution", help="show an exercise's reference answer (recorded in your progress)")
    solution.add_argument("exercise", help="exercise id, e.g. ch01-ex2")
    solution.add_argument("--yes", action="store_true", help="do not ask first")
    solution.add_argument("--json", action="store_true", help="machine-readable")
    solution.set_defaults(func=cmd_solution)
    hint = sub.add_parser("hint", help="show the next hint of an exercise (recorded in your progress)")
    hint.add_argument("exercise", help="exercise id, e.g. ch01-ex2")
    hint.add_argument("--json", action="store_true", help="machine-readable")
    hint.set_defaults(func=cmd_hint)
    grade = sub.add_parser(
        "grade-chapter", help="grade your chapter notebook as the instructor's autograder would (a fresh lab)"
    )
    grade.add_argument("chapter", help="a chapter, e.g. 01 or 01-dockerfile")
    grade.add_argument("--json", action="store_true", help="machine-readable")
    grade.add_argument("--timeout", type=float, default=1800, help="seconds the notebook may run (default 1800)")
    grade.set_defaults(func=cmd_grade_chapter)
    leave = sub.add_parser("uninstall", help="remove what the course made (labs, engine data, state); keeps your work")
    leave.add_argument("--purge-workspace", action="store_true", help="also remove your workspace (your notebooks)")
    leave.add_argument("--keep-cache", action="store_true", help="keep the image cache (~/.cache/docker-course)")
    leave.add_argument("--images", action="store_true", help="also remove course-built images from your Docker engine")
    leave.add_argument("--yes", action="store_true", help="do not ask first")
    leave.set_defaults(func=cmd_uninstall)
    again = sub.add_parser(
        "start-over", help="an exercise's answer cells back to the stubs, its engine objects removed"
    )
    again.add_argument("exercise", help="exercise id, e.g. ch01-ex2")
    again.add_argument("--yes", action="store_true", help="do not ask first")
    again.set_defaults(func=cmd_start_over)
