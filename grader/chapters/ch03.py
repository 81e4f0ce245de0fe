"""Chapter 03: network modes (CURRICULUM "Chapter 03")."""

from __future__ import annotations

from grader.chapters.exercise import Exercise
from grader.checks.namespace_shared import NamespaceShared
from grader.checks.network_answer import NetworkAnswer
from grader.checks.network_attachment import AttachedToNetwork
from grader.checks.network_exists import NetworkExists
from grader.checks.network_fetch import FetchedByName
from grader.checks.network_http import HttpInNamespace
from grader.checks.network_interfaces import InterfacesInside
from grader.checks.network_mode import NetworkMode
from grader.checks.network_veth import VethAnswer

RUN_API = "Run api first (exercise 3): docker run -d --name api --network course-net course/web:1.0"

EXERCISES: list[Exercise] = [
    Exercise(
        "ch03-ex1",
        "the default bridge",
        [
            NetworkAnswer(
                points=1,
                answer="bridge_subnet",
                network="bridge",
                field="subnet",
                title="bridge_subnet is the subnet of the default bridge",
            ),
            NetworkAnswer(
                points=1,
                answer="bridge_gateway",
                network="bridge",
                field="gateway",
                title="bridge_gateway is the gateway of the default bridge",
            ),
        ],
        answers=("bridge_subnet", "bridge_gateway"),
    ),
    Exercise(
        "ch03-ex2",
        "veth pair",
        [
            AttachedToNetwork(
                points=1,
                container="probe-a",
                network="bridge",
                title="probe-a is running on the default bridge",
                missing_hint="Start it: docker run -d --name probe-a busybox sleep 3600",
            ),
            VethAnswer(
                points=2,
                answer="veth_name",
                container="probe-a",
                title="veth_name is the host-side end of probe-a's eth0",
                missing_hint="Start probe-a first: docker run -d --name probe-a busybox sleep 3600",
            ),
        ],
        answers=("veth_name",),
    ),
    Exercise(
        "ch03-ex3",
        "user-defined bridge",
        [
            NetworkExists(
                points=1,
                name="course-net",
                title="network course-net is a bridge network",
                missing_hint="Create it: docker network create course-net",
            ),
            AttachedToNetwork(
                points=1,
                container="api",
                network="course-net",
                image="course/web:1.0",
                title="api runs course/web:1.0 on course-net",
                missing_hint="docker run -d --name api --network course-net course/web:1.0",
            ),
            AttachedToNetwork(
                points=1,
                container="client",
                network="course-net",
                running=False,
                title="client is attached to course-net",
                missing_hint="Run it (without --rm, the check reads its output): "
                "docker run --name client --network course-net busybox wget -qO- http://api/",
            ),
            FetchedByName(
                points=1,
                client="client",
                server="api",
                part="command",
                title="client's command fetches api by name",
                missing_hint="Run client without --rm: docker run --name client --network course-net "
                "busybox wget -qO- http://api/",
            ),
            FetchedByName(
                points=1,
                client="client",
                server="api",
                part="output",
                title="client's output holds the page served by api",
                missing_hint=RUN_API,
            ),
        ],
    ),
    Exercise(
        "ch03-ex4",
        "host mode",
        [
            NetworkMode(
                points=1,
                container="host-web",
                mode="host",
                title="host-web runs with --network host",
                missing_hint="docker run -d --name host-web --network host busybox httpd -f -p 8081",
            ),
            NamespaceShared(
                points=1,
                name="host-web",
                namespace="net",
                other="host",
                title="host-web is in the engine host's network namespace",
                hint="host-web has a network namespace of its own: run it with --network host.",
                missing_hint="host-web must be running: docker run -d --name host-web --network host "
                "busybox httpd -f -p 8081",
            ),
            HttpInNamespace(
                points=1,
                port=8081,
                served_by="host-web",
                title="port 8081 answers on the engine host",
                missing_hint="host-web must be running: docker run -d --name host-web --network host "
                "busybox httpd -f -p 8081",
            ),
        ],
        version=2,
        changes={
            2: "port 8081 counts only when host-web's own process serves it (another host-network "
            "container serving 8081 passed before)"
        },
    ),
    Exercise(
        "ch03-ex5",
        "none mode",
        [
            NetworkMode(
                points=1,
                container="isolated",
                mode="none",
                title="isolated runs with --network none",
                missing_hint="docker run -d --name isolated --network none busybox sleep 3600",
            ),
            InterfacesInside(
                points=1,
                container="isolated",
                expected=("lo",),
                title="inside isolated there is only lo",
                missing_hint="isolated must be running: docker run -d --name isolated --network none "
                "busybox sleep 3600",
            ),
        ],
    ),
    Exercise(
        "ch03-ex6",
        "container mode",
        [
            NetworkMode(
                points=1,
                container="sidecar",
                mode="container:api",
                title="sidecar runs with --network container:api",
                missing_hint="With api running: docker run -d --name sidecar --network container:api "
                "busybox sleep 3600",
            ),
            NamespaceShared(
                points=1,
                name="sidecar",
                namespace="net",
                other="api",
                title="sidecar and api share one network namespace",
                hint="sidecar has a network namespace of its own (or joined an earlier api): "
                "run it with --network container:api after api runs.",
                missing_hint="Both must be running. " + RUN_API,
            ),
            HttpInNamespace(
                points=1,
                port=80,
                inside="sidecar",
                page_of="api",
                title="http://127.0.0.1/ from sidecar answers with api's page",
                missing_hint="Both must be running. " + RUN_API,
            ),
        ],
    ),
]
