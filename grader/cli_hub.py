"""The class commands of ``docker-course``: ``hub up|status|down`` and ``gradebook up|status|down``.

Part of the command line (``grader/cli.py`` adds them): parses, calls
:mod:`grader.hub.server`, prints. No logic of its own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

EXIT_OK = 0


def cmd_hub_up(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.hub import server, state

    record = server.up(port=args.port, users=args.users, admin=args.admin, report=console("hub"))
    print(f"JupyterHub is running at {record.url}")
    print(f"admin: {record.admin}; logins (name and password) for the class: {state.hub_dir() / 'logins.json'}")
    print(f"learners: {', '.join(record.learners) or '(none yet: add them in the admin page or the REST API)'}")
    return EXIT_OK


def cmd_hub_status(args: argparse.Namespace) -> int:
    from grader.hub import server

    found = server.status()
    if args.json:
        print(json.dumps(found, indent=2))
        return EXIT_OK
    if not found["running"]:
        print("The hub is not running: start it with `docker-course hub up`.")
        return EXIT_OK
    print(f"url:        {found['url']}")
    print(f"api token:  {found['api_token']}")
    for user in found["users"]:
        where = f"lab {user['lab']} ({user['docker_host']})" if user["lab"] else "no lab"
        print(f"  {user['name']:20} {user['server']:9} {where}" + ("  [admin]" if user["admin"] else ""))
    return EXIT_OK


def cmd_hub_down(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.hub import server

    removed = server.down(purge=args.purge, report=console("hub"))
    print(f"The hub is stopped; labs removed: {', '.join(removed) or 'none'} (workspaces kept).")
    return EXIT_OK


def cmd_gradebook(args: argparse.Namespace) -> int:
    from grader.engine.progress import console
    from grader.services import gradebook_db

    if args.action == "up":
        server = gradebook_db.up(report=console("gradebook"))
    elif args.action == "down":
        stopped = gradebook_db.down()
        print("The gradebook's PostgreSQL is stopped." if stopped else "The gradebook's PostgreSQL was not running.")
        return EXIT_OK
    else:
        found = gradebook_db.running()
        if found is None:
            print(json.dumps({"running": False, "url": None}) if args.json else "PostgreSQL is not running.")
            return EXIT_OK
        server = found
    if args.json:
        print(json.dumps({"running": True, "url": server.url, "pid": server.pid, "data": str(server.data)}))
    else:
        print(f"PostgreSQL of the course (pid {server.pid}, data {server.data}); point nbgrader at it with:")
        print(f"    export DOCKER_COURSE_GRADEBOOK='{server.url}'")
    return EXIT_OK


def cmd_hub_solutions(args: argparse.Namespace) -> int:
    from grader.services.class_switch import set_solutions, solutions_on

    if args.state != "status":
        set_solutions(args.state == "on")
    on = solutions_on()
    print(
        "Show solution is on for the class: learners see an exercise's reference answer after confirming."
        if on
        else "Show solution is off for the class (the default): learners get hints, not answers."
    )
    return EXIT_OK


def add_gradebook_commands(sub: Any) -> None:
    """Add ``gradebook up|status|down`` (the course's PostgreSQL for a large class's gradebook)."""
    book = sub.add_parser("gradebook", help="a PostgreSQL server for a large class's gradebook (up | status | down)")
    book.add_argument("action", choices=["up", "status", "down"])
    book.add_argument("--json", action="store_true", help="machine-readable (up, status)")
    book.set_defaults(func=cmd_gradebook)


def add_hub_commands(sub: Any) -> None:
    """Add ``hub up|status|down`` to the ``docker-course`` subcommands."""
    hub = sub.add_parser("hub", help="host a class: JupyterHub with a lab per learner (up | status | down)")
    hub_sub = hub.add_subparsers(dest="action", required=True)
    up = hub_sub.add_parser("up", help="start JupyterHub on 127.0.0.1 (each learner's server in their own lab)")
    up.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1 (default 8000)")
    up.add_argument("--users", type=Path, help="the class list: one learner name a line")
    up.add_argument("--admin", default="instructor", help="the instructor's (admin's) name")
    up.set_defaults(func=cmd_hub_up)
    status = hub_sub.add_parser("status", help="the hub's URL, admin API token, learners and their labs")
    status.add_argument("--json", action="store_true", help="machine-readable")
    status.set_defaults(func=cmd_hub_status)
    switch = hub_sub.add_parser("solutions", help="may the class see the reference answers? (off unless turned on)")
    switch.add_argument("state", choices=["on", "off", "status"])
    switch.set_defaults(func=cmd_hub_solutions)
    down = hub_sub.add_parser("down", help="stop the hub and every learner's lab (workspaces kept)")
    down.add_argument("--purge", action="store_true", help="also remove the labs' engine data")
    down.set_defaults(func=cmd_hub_down)
    add_gradebook_commands(sub)
