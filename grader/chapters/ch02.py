"""Chapter 02: port mapping (CURRICULUM "Chapter 02")."""

from __future__ import annotations

from typing import Any

from grader.chapters.exercise import Exercise
from grader.checks.container_state import ContainerState
from grader.checks.port_answers import PublishedPortAnswers
from grader.checks.port_conflict import PortConflictAnswer
from grader.checks.port_published import PortPublished

WEB = "course/web:1.0"
RUN_HINT = "Run it (detached) in the chapter folder: docker run -d --name {name} {flag} " + WEB


def running(name: str, flag: str) -> ContainerState:
    """1 point: the container exists and is running (the usual first part of every exercise)."""
    return ContainerState(
        points=1,
        name=name,
        title=f"{name} is running",
        missing_hint=RUN_HINT.format(name=name, flag=flag),
        hint=f"{name} must keep running: remove it (docker rm -f {name}) and run it again with -d.",
    )


def answers(name: str, port: int = 80, points: float = 1) -> PublishedPortAnswers:
    return PublishedPortAnswers(
        points=points,
        name=name,
        container_port=port,
        image=WEB,
        contains="course web",
        title=f"{name}'s port {port} answers HTTP 200 from the engine host",
    )


def published(name: str, flag: str, points: float = 1, **demand: Any) -> PortPublished:
    return PortPublished(
        points=points, name=name, flag=flag, missing_hint=RUN_HINT.format(name=name, flag=flag), **demand
    )


def loopback_exercise(exercise_id: str, title: str, name: str, host_port: int) -> Exercise:
    """ex4/ex5: port 80 on 127.0.0.1 only (1), on a random (0) or fixed host port (1), answering (1)."""
    flag = f"-p 127.0.0.1:{host_port or ''}:80"
    where = "to a random host port" if host_port == 0 else f"to host port {host_port}"
    return Exercise(
        exercise_id,
        f"{flag}: {title}",
        [
            running(name, flag),
            published(name, flag, host_ip="127.0.0.1", title="port 80 bound on 127.0.0.1 only"),
            published(name, flag, host_port=host_port, title=where),
            answers(name),
        ],
    )


EXERCISES: list[Exercise] = [
    Exercise(
        "ch02-ex1",
        "-P: publish every exposed port",
        [
            running("web-all", "-P"),
            published(
                "web-all",
                "-P",
                points=2,
                container_ports=[80, 81],
                publish_all=True,
                host_port=0,
                title="-P: ports 80 and 81 both published to random host ports",
            ),
            answers("web-all", 80),
            answers("web-all", 81),
        ],
    ),
    Exercise(
        "ch02-ex2",
        "-p 80: one container port to a random host port",
        [
            running("web-random", "-p 80"),
            published(
                "web-random",
                "-p 80",
                points=2,
                container_ports=[80],
                host_port=0,
                publish_all=False,
                only=True,
                title="only container port 80 published, to a random host port",
            ),
            answers("web-random"),
        ],
    ),
    Exercise(
        "ch02-ex3",
        "-p 8000:80: a fixed host port",
        [
            running("web-fixed", "-p 8000:80"),
            published("web-fixed", "-p 8000:80", points=2, host_port=8000, title="host port 8000 -> container port 80"),
            answers("web-fixed"),
        ],
    ),
    loopback_exercise("ch02-ex4", "one host address, random port", "web-ip-random", host_port=0),
    loopback_exercise("ch02-ex5", "one host address, fixed port", "web-ip-fixed", host_port=8001),
    Exercise(
        "ch02-ex6",
        "port conflicts",
        [
            PortConflictAnswer(
                points=1,
                answer="conflict_error",
                container="web-second",
                holder="web-fixed",
                host_port=8000,
                failing_run=f"docker run -d --name web-second -p 8000:80 {WEB}",
                title="conflict_error holds Docker's error for host port 8000 already allocated",
                missing_hint="Run web-fixed with -p 8000:80 first (exercise 3): it must hold port 8000.",
            ),
            published(
                "web-second",
                "-p 8002:80",
                host_port=8002,
                title="web-second publishes container port 80 on host port 8002",
            ),
            answers("web-second"),
            published("web-fixed", "-p 8000:80", host_port=8000, title="web-fixed still holds host port 8000"),
        ],
        answers=("conflict_error",),
    ),
]
