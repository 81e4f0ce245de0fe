"""Chapter 04: namespaces (CURRICULUM "Chapter 04")."""

from __future__ import annotations

from grader.chapters.exercise import Exercise
from grader.checks.container_privilege import ContainerPrivilege
from grader.checks.container_state import ContainerState
from grader.checks.namespace_answer import NamespaceAnswer
from grader.checks.namespace_hostname import NamespaceHostname
from grader.checks.namespace_interfaces import HostInterfacesListed
from grader.checks.namespace_mode import NamespaceMode
from grader.checks.namespace_shared import NamespaceShared

RUN_HINT = "Run it (and keep it running): docker run -d --name {name} {flags}busybox sleep 3600"


def _run_hint(name: str, flags: str = "") -> str:
    return RUN_HINT.format(name=name, flags=flags + " " if flags else "")


EXERCISES: list[Exercise] = [
    Exercise(
        "ch04-ex1",
        "identify the namespaces a container does not share",
        [
            ContainerState(points=1, name="ns-demo", missing_hint=_run_hint("ns-demo")),
            NamespaceAnswer(
                points=3,
                answer="unshared_namespaces",
                name="ns-demo",
                title="unshared_namespaces is the set of namespaces ns-demo does not share with the engine host",
                missing_hint=_run_hint("ns-demo"),
            ),
        ],
        answers=("unshared_namespaces",),
        version=3,
        changes={
            2: "a step beyond the demonstration: a second container, ns-guest, joins ns-demo's pid and net "
            "namespaces (--pid container:ns-demo --network container:ns-demo), checked by its modes and inodes; "
            "the answer is worth 2 points of 7 (3 of 4 before)",
            3: "v1's criteria again: CURRICULUM's contract; the step beyond is in the exercise's setup",
        },
    ),
    Exercise(
        "ch04-ex2",
        "UTS: a hostname of its own",
        [
            ContainerState(points=1, name="named", missing_hint=_run_hint("named", "--hostname course-box")),
            NamespaceShared(
                points=1,
                name="named",
                namespace="uts",
                shared=False,
                hint="named must keep a UTS namespace of its own: do not run it with --uts host.",
                missing_hint=_run_hint("named", "--hostname course-box"),
            ),
            NamespaceHostname(
                points=2, name="named", hostname="course-box", missing_hint=_run_hint("named", "--hostname course-box")
            ),
        ],
    ),
    Exercise(
        "ch04-ex3",
        "PID: a container in the host's PID namespace",
        [
            ContainerState(points=1, name="pid-host", missing_hint=_run_hint("pid-host", "--pid host")),
            NamespaceMode(points=1, name="pid-host", namespace="pid", mode="host"),
            NamespaceShared(
                points=1,
                name="pid-host",
                namespace="pid",
                hint="--pid host forgotten: pid-host sees only its own process tree. Remove it and run it "
                "again with --pid host.",
                missing_hint=_run_hint("pid-host", "--pid host"),
            ),
        ],
    ),
    Exercise(
        "ch04-ex4",
        "IPC: two containers share one IPC namespace",
        [
            NamespaceMode(
                points=1,
                name="ipc-a",
                namespace="ipc",
                mode="shareable",
                missing_hint=_run_hint("ipc-a", "--ipc shareable"),
            ),
            NamespaceMode(
                points=1,
                name="ipc-b",
                namespace="ipc",
                mode="container:ipc-a",
                missing_hint=_run_hint("ipc-b", "--ipc container:ipc-a"),
            ),
            NamespaceShared(
                points=1,
                name="ipc-b",
                namespace="ipc",
                other="ipc-a",
                hint="ipc-b does not share ipc-a's IPC namespace: a namespace shared with the wrong container "
                "(or none). Run ipc-b with --ipc container:ipc-a.",
                missing_hint="Both must be running: docker run -d --name ipc-a --ipc shareable busybox sleep 3600, "
                "then docker run -d --name ipc-b --ipc container:ipc-a busybox sleep 3600",
            ),
            NamespaceShared(
                points=1,
                name="ipc-a",
                namespace="ipc",
                shared=False,
                hint="ipc-a uses the engine host's IPC namespace (--ipc host): it must have its own, made "
                "shareable with --ipc shareable.",
                missing_hint=_run_hint("ipc-a", "--ipc shareable"),
            ),
        ],
    ),
    Exercise(
        "ch04-ex5",
        "nsenter: the engine host's interfaces from a container",
        [
            ContainerState(
                points=1,
                name="nsenter-demo",
                running=False,
                exit_code=0,
                title="nsenter-demo ran and exited with code 0",
                hint="Read its error: docker logs nsenter-demo. Usually a missing capability or --pid host; "
                "`Permission denied` with both capabilities on an AppArmor host needs --security-opt "
                "apparmor=unconfined.",
                missing_hint="Run it without --rm so it stays after it exits: docker run --name nsenter-demo "
                "--pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE busybox nsenter -n -t 1 ip addr",
            ),
            NamespaceMode(points=1, name="nsenter-demo", namespace="pid", mode="host"),
            ContainerPrivilege(
                points=1,
                name="nsenter-demo",
                capabilities=("SYS_ADMIN", "SYS_PTRACE"),
                hint="nsenter needs CAP_SYS_ADMIN (to call setns) and CAP_SYS_PTRACE (to open another process's "
                "/proc/PID/ns): least privilege is --cap-add SYS_ADMIN --cap-add SYS_PTRACE; --privileged "
                "gives everything, where the host allows it.",
            ),
            HostInterfacesListed(points=2, name="nsenter-demo"),
        ],
    ),
    Exercise(
        "ch04-ex6",
        "the user namespace",
        [
            ContainerState(points=1, name="userns-demo", missing_hint=_run_hint("userns-demo")),
            NamespaceAnswer(
                points=2,
                answer="shares_host_user_namespace",
                name="userns-demo",
                namespace="user",
                title="shares_host_user_namespace tells whether userns-demo shares the host's user namespace",
                missing_hint=_run_hint("userns-demo"),
            ),
        ],
        answers=("shares_host_user_namespace",),
    ),
]
