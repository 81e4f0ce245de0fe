"""The chapter 03 notebook executed inside the test lab: the source scores full marks and
draws the live topology, the released version (real nbgrader) runs without errors outside
check cells and scores 0, and the demonstrations leave only the exercises' own objects."""

from __future__ import annotations

import re

import pytest

from tests.support import (
    REPO,
    EngineSession,
    engine_inventory,
    errors_in,
    html_outputs,
    release,
    scores,
    stream_text,
)

pytestmark = pytest.mark.engine

NOTEBOOK = REPO / "course" / "03-networks" / "03-networks.ipynb"
POINTS = {"ch03-ex1": 2, "ch03-ex2": 3, "ch03-ex3": 5, "ch03-ex4": 3, "ch03-ex5": 2, "ch03-ex6": 3}
EXERCISE_CONTAINERS = {"probe-a", "api", "client", "host-web", "isolated", "sidecar"}
BASE_IMAGES = {"busybox:latest", "debian:bookworm-slim", "python:3.11-slim", "python:3.11"}
PROVIDED = {"course/web:1.0"}


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind. The live topology picture shows the containers it
    ran, and the demonstrations print what the text says (with a bystander container on docker0)."""
    # only what prepare("03") provides: busybox, and course/web:1.0, which the notebook's prepare builds
    assert engine.keep_only_chapter_images("03") <= {"busybox:latest", "course/web:1.0"}
    # a container already on docker0 (like chapter 02's): the veth demonstration counts only what it made
    bystander = engine.client.containers.run("busybox", "sleep 600", detach=True, name="bystander")
    try:
        nb = engine.execute_notebook(NOTEBOOK)
    finally:
        bystander.remove(force=True)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (float(p), float(p)) for ex, p in POINTS.items()}
    picture = html_outputs(nb)
    assert "course-topology" in picture and "docker0" in picture
    assert "demo-a" in picture and "sidecar  --network container:api" in picture  # drawn live
    assert_demonstrations_show_what_the_text_says(nb)
    left = engine_inventory(engine.client)
    assert left["containers"] == EXERCISE_CONTAINERS, left
    assert left["networks"] == {"course-net"} and not left["volumes"], left
    assert left["tags"] <= BASE_IMAGES | PROVIDED, left


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    released = release("03-networks") / "03-networks.ipynb"
    nb = engine.execute_notebook(released)
    checks = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    outside = [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in checks]
    assert not outside, outside
    assert set(scores(nb)) == {f"{ex}-check" for ex in POINTS}
    assert all(score == 0 for score, _ in scores(nb).values()), scores(nb)
    sources = "".join(c.source for c in nb.cells)
    assert "### BEGIN SOLUTION" not in sources and "raise NotImplementedError" not in sources
    left = engine_inventory(engine.client)
    assert not left["containers"] and not left["networks"] and not left["volumes"], left
    assert left["tags"] <= BASE_IMAGES | PROVIDED, left


def assert_demonstrations_show_what_the_text_says(nb) -> None:  # type: ignore[no-untyped-def]
    """The counts and outcomes the chapter's "What just happened" cells claim are what the engine printed."""
    veths = stream_text(nb, "f8ba9baa")
    assert "new interfaces on docker0: 2" in veths, veths
    assert veths.count("master docker0") == 2, veths  # the two it made, whatever else runs
    dns = stream_text(nb, "f4d6a8a7")
    assert "nameserver 127.0.0.1" in dns and "bad address 'demo-b'" in dns, dns
    isolated = stream_text(nb, "ch03-bridges-isolated")
    same, other = isolated.split("from demo-e")
    assert "1 packets received" in same, isolated
    assert "100% packet loss" in other and "the two bridges are isolated" in other, isolated
    nat = stream_text(nb, "ch03-nat-demo")  # what -p installs, read from the engine host, and gone with the container
    assert "DNAT rules for port 8088 before: 0" in nat and "after docker rm: 0" in nat, nat
    address = re.search(r"demo-web's address on docker0: (\S+)", nat)
    assert address, nat
    assert f"--dport 8088 -j DNAT --to-destination {address[1]}:80" in nat, nat
    assert f"-d {address[1]}/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT" in nat, nat
    assert "docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8088" in nat, nat
