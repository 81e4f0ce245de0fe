"""The ``docker-course`` command line: parses, calls, prints. No logic of its own."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from grader.errors import GraderError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def _parse_answer(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--answer takes NAME=VALUE, got {text!r}")
    return name.strip(), value


def cmd_check(args: argparse.Namespace) -> int:
    from grader.services.checking import check_and_record

    result = check_and_record(args.exercise, dict(args.answer or []), via="cli")
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.to_text())
    if result.error:
        return EXIT_ERROR
    return EXIT_OK if result.passed else EXIT_FAILED


def cmd_list(args: argparse.Namespace) -> int:
    from grader.chapters import registry

    for exercise in registry().values():
        extra = f"  answers: {', '.join(exercise.answers)}" if exercise.answers else ""
        print(f"{exercise.id:10} {exercise.max_score:g} pts  {exercise.title}{extra}")
    return EXIT_OK


def _options(args: argparse.Namespace) -> Any:
    from grader.services.lab_control import EngineOptions

    return EngineOptions(
        mode=getattr(args, "mode", None),
        port=getattr(args, "port", None),
        privileged=getattr(args, "privileged", False),
        name=getattr(args, "name", None),
        instructor=getattr(args, "instructor", False),
    )


def cmd_engine_up(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services.lab_control import start

    started = start(_options(args), jupyter=not args.no_jupyter, report=console())
    if started.already_in_lab:
        print("Already inside a course lab: its engine is the course engine.")
        return EXIT_OK
    if started.mode == "lab":
        print(f"Course engine: lab {started.lab} ({started.docker_host})")
    else:
        print(f"Course engine: host mode ({started.docker_host})")
    if started.jupyter_url:
        print(f"JupyterLab:    {started.jupyter_url}")
    if started.workspace:
        print(f"Your work:     {started.workspace}")
    return EXIT_OK


def cmd_up(args: argparse.Namespace) -> int:
    code = cmd_engine_up(args)
    if code == EXIT_OK:
        print("\nOpen the JupyterLab URL above in your browser and start with 00-start-here.")
    return code


def cmd_engine_status(args: argparse.Namespace) -> int:
    from grader.services.lab_control import settings_with
    from grader.services.status import engine_status

    status = engine_status(settings_with(_options(args)))
    code = EXIT_OK if status.reachable else EXIT_ERROR
    if args.json:
        print(json.dumps(status.to_json(), indent=2))
        return code
    print(f"mode:        {status.mode}" + (f" (lab {status.lab})" if status.lab else ""))
    print(f"docker_host: {status.docker_host}")
    if status.reachable:
        print(f"engine:      Docker {status.engine_version} (API {status.api_version})")
        for tag, ok in status.base_images.items():
            print(f"  {'present' if ok else 'MISSING':8} {tag}")
    else:
        print(f"engine:      not reachable: {status.error}")
    print(f"jupyterlab:  {status.jupyter_url or 'not running'}")
    return code


def cmd_engine_down(args: argparse.Namespace) -> int:
    from grader.services.lab_control import stop

    stopped = stop(_options(args), purge=args.purge)
    if stopped.mode == "host":
        print("Host mode: JupyterLab stopped; the engine itself is yours and keeps running.")
    else:
        print(f"Lab {stopped.lab} " + ("removed." if stopped.was_running else "was not running."))
    return EXIT_OK


def cmd_engine_reset(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services.lab_control import reset_engine

    outcome = reset_engine(_options(args), report=console())
    if args.json:
        print(json.dumps(outcome.removed.__dict__, indent=2))
    else:
        where = "the lab engine" if outcome.whole_engine else "course objects on the host engine"
        print(f"Reset {where}: {outcome.counts()} removed.")
    return EXIT_OK


ENGINE_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "up": cmd_engine_up,
    "status": cmd_engine_status,
    "down": cmd_engine_down,
    "reset": cmd_engine_reset,
}


def cmd_engine(args: argparse.Namespace) -> int:
    return ENGINE_ACTIONS[args.action](args)


def cmd_images(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services.provisioning import provision_images

    for image in provision_images(args.names, pull=args.pull, into_engine=args.into_engine, report=console()):
        print(f"{image.tag:28} {image.size / 1e6:8.1f} MB")
    return EXIT_OK


def cmd_prepare(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services.provisioning import prepare_chapter

    prepared = prepare_chapter(args.chapter, report=console("prepare"))
    print(f"Chapter {prepared.chapter} is ready: {', '.join(prepared.images)}")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from grader.services.doctor import diagnose

    report = diagnose()
    if args.json:
        print(json.dumps(report.to_json(), indent=2, default=str))
        return EXIT_OK
    width = max(len(f.title) for f in report.findings) + 1
    for finding in report.findings:
        mark = {True: "ok", False: "!!", None: "  "}[finding.ok]
        print(f"{mark} {finding.title + ':':{width}} {finding.seen}")
    if report.problems:
        print(f"\n{len(report.problems)} problem(s) marked !!; each line says what was seen.")
    return EXIT_OK


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.nbgrader_glue.pipeline import grade_class, summary_table
    from grader.nbgrader_glue.regrade import changes_summary

    run = grade_class(
        args.assignment, workers=args.workers, student=args.student, timeout=args.timeout, report=console("grade")
    )
    print(summary_table(run))
    if run.changes:
        print(changes_summary(run.changes))
    return EXIT_ERROR if run.failed else EXIT_OK


def cmd_feedback(args: argparse.Namespace) -> int:
    from grader.nbgrader_glue.feedback import generate_feedback, nothing_to_feed_back

    pages = generate_feedback(args.assignment, policy=args.hidden, student=args.student)
    for page in pages:
        print(page)
    if not pages:
        print(nothing_to_feed_back(args.assignment, student=args.student), file=sys.stderr)
    return EXIT_OK if pages else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docker-course", description="An interactive Docker course, checked against the real engine."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    # the order of these calls is the order `--help` lists the commands in
    _add_engine_commands(sub)
    _add_exercise_commands(sub)
    _add_class_commands(sub)
    lst = sub.add_parser("list", help="list the exercises")
    lst.set_defaults(func=cmd_list)
    doctor = sub.add_parser("doctor", help="what a failing setup needs looked at: engines, kernel, disk, limits")
    doctor.add_argument("--json", action="store_true", help="machine-readable findings")
    doctor.set_defaults(func=cmd_doctor)
    from grader.cli_workspace import add_workspace_commands

    add_workspace_commands(sub)
    from grader.cli_hub import add_hub_commands

    add_hub_commands(sub)
    from grader.cli_kubernetes import add_kubernetes_commands

    add_kubernetes_commands(sub)
    return parser


Subparsers = Any  # argparse's _SubParsersAction is private


def _add_engine_commands(sub: Subparsers) -> None:
    """``up``, ``engine up|status|down|reset`` and the top-level ``reset``."""
    up = sub.add_parser("up", help="set everything up and start the course (engine, images, JupyterLab)")
    _engine_options(up)
    up.set_defaults(func=cmd_up)

    engine = sub.add_parser("engine", help="the course engine: up | status | down | reset")
    engine_sub = engine.add_subparsers(dest="action", required=True)
    e_up = engine_sub.add_parser("up", help="start (or reuse) the course engine")
    _engine_options(e_up)
    e_status = engine_sub.add_parser("status", help="mode, engine, base images, JupyterLab URL")
    e_status.add_argument("--json", action="store_true")
    e_down = engine_sub.add_parser("down", help="stop the lab (its data volume is kept unless --purge)")
    e_down.add_argument("--purge", action="store_true", help="also remove the lab's engine data")
    e_reset = engine_sub.add_parser("reset", help="back to base images and course-provided images only")
    e_reset.add_argument("--json", action="store_true")
    e_reset.add_argument("--yes", action="store_true", help="(accepted for scripts; reset never asks)")
    # `docker-course reset`: the same as `engine reset`, the command a learner reaches for first
    top_reset = sub.add_parser("reset", help="the same as `engine reset`")
    top_reset.add_argument("--json", action="store_true")
    top_reset.add_argument("--yes", action="store_true", help="(accepted for scripts; reset never asks)")
    top_reset.set_defaults(func=cmd_engine, action="reset")
    for p in (e_up, e_status, e_down, e_reset, top_reset):
        p.add_argument("--name", help="lab container name (default from config)")
    engine.set_defaults(func=cmd_engine)


def _add_exercise_commands(sub: Subparsers) -> None:
    """``images``, ``prepare`` and ``check``."""
    images = sub.add_parser("images", help="provision the base images (offline by default)")
    images.add_argument("names", nargs="*", help="only these (busybox, python:3.11, ...)")
    images.add_argument("--pull", action="store_true", help="pull the official images from a registry")
    images.add_argument("--into-engine", action="store_true", help="also load them into the course engine")
    images.set_defaults(func=cmd_images)

    prepare = sub.add_parser("prepare", help="build the course-provided images a chapter needs")
    prepare.add_argument("chapter", help="01..06")
    prepare.set_defaults(func=cmd_prepare)

    check = sub.add_parser("check", help="check an exercise against the course engine")
    check.add_argument("exercise", help="exercise id, e.g. ch01-ex1")
    check.add_argument("--json", action="store_true", help="machine-readable result")
    check.add_argument("--answer", action="append", type=_parse_answer, metavar="NAME=VALUE", help="an answer variable")
    check.set_defaults(func=cmd_check)
    from grader.cli_timeline import add_timeline_command

    add_timeline_command(sub)


def _add_class_commands(sub: Subparsers) -> None:
    """``grade`` and ``feedback`` (instructors)."""
    grade = sub.add_parser("grade", help="autograde submitted/<student>/<assignment> with nbgrader, a fresh lab each")
    grade.add_argument("assignment", help="an assignment (e.g. 01-dockerfile) or all")
    grade.add_argument("--workers", type=int, default=1, help="submissions graded in parallel (default 1)")
    grade.add_argument("--student", help="only this student")
    grade.add_argument("--timeout", type=float, default=1800, help="seconds per submission (default 1800)")
    grade.set_defaults(func=cmd_grade)

    feedback = sub.add_parser("feedback", help="HTML feedback per student (nbgrader's, plus a summary page)")
    feedback.add_argument("assignment", help="an assignment or all")
    feedback.add_argument("--student", help="only this student")
    feedback.add_argument(
        "--hidden", choices=["score", "hint", "full"], default="hint", help="what hidden tests show (default hint)"
    )
    feedback.set_defaults(func=cmd_feedback)


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mode", choices=["lab", "host"], help="lab (default) or host; saved as the default")
    p.add_argument("--port", type=int, help="JupyterLab's port on 127.0.0.1 (default 8888)")
    p.add_argument("--privileged", action="store_true", help="run the lab --privileged (where allowed)")
    p.add_argument("--no-jupyter", action="store_true", help="start the engine only")
    p.add_argument(
        "--instructor", action="store_true", help="serve the course's source (solutions) instead of your workspace"
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except GraderError as e:
        print(f"docker-course: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("docker-course: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `docker-course list | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
