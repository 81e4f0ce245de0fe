"""The chapter 04 notebook executed inside the test lab: the source scores full marks, the
released version (real nbgrader) runs without errors outside check cells and scores 0, and
the demonstrations leave nothing behind but the exercises' own containers."""

from __future__ import annotations

import re

import pytest

from tests.support import REPO, EngineSession, errors_in, release, scores, stream_text

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("without_provided_images")]

NOTEBOOK = REPO / "course" / "04-namespaces" / "04-namespaces.ipynb"
POINTS = {"ch04-ex1": 4, "ch04-ex2": 4, "ch04-ex3": 3, "ch04-ex4": 4, "ch04-ex5": 5, "ch04-ex6": 3}
EXERCISE_CONTAINERS = {"ns-demo", "named", "pid-host", "ipc-a", "ipc-b", "nsenter-demo", "userns-demo"}
BASE_IMAGES = {"busybox:latest", "debian:bookworm-slim", "python:3.11-slim", "python:3.11"}


def leftovers(engine: EngineSession) -> tuple[set[str], set[str]]:
    containers = {c.name for c in engine.client.containers.list(all=True)}
    tags = {t for image in engine.client.images.list() for t in image.tags}
    return containers, tags


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind. The namespace matrix is drawn live, twice."""
    assert engine.keep_only_chapter_images("04") == {"busybox:latest", "debian:bookworm-slim"}  # prepare 04's
    nb = engine.execute_notebook(NOTEBOOK)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (float(p), float(p)) for ex, p in POINTS.items()}
    html = "".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert html.count("course-ns-matrix") == 2 and "= ipc-b" in html  # the picture, live, twice
    containers, tags = leftovers(engine)
    assert containers == EXERCISE_CONTAINERS, containers
    assert tags <= BASE_IMAGES, tags
    ipc = stream_text(nb, "91218f26")  # System V IPC is per namespace, as the text says
    assert "segments in demo-ipc: 1" in ipc and "own IPC namespace: 0" in ipc and "joined demo-ipc's: 1" in ipc, ipc
    assert "joined: hello through shared memory" in ipc and "own namespace: 0 files" in ipc, ipc
    signals = stream_text(nb, "ch04-pid1-demo")  # PID 1 ignores SIGTERM; --init forwards it
    assert "PID 1 in demo-sig-init: docker-init" in signals, signals
    assert re.search(r"demo-sig: stopped after [34] s, exit code 137", signals), signals
    assert re.search(r"demo-sig-init: stopped after [01] s, exit code 143", signals), signals
    assert_use_cases_and_host_side_nsenter(nb)
    assert_exercises_steps_beyond_the_demonstrations(nb)


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    released = release("04-namespaces") / "04-namespaces.ipynb"
    nb = engine.execute_notebook(released)
    checks = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    outside = [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in checks]
    assert not outside, outside
    assert all(score == 0 for score, _ in scores(nb).values()), scores(nb)
    assert "### BEGIN SOLUTION" not in "".join(c.source for c in nb.cells)
    containers, tags = leftovers(engine)
    assert not containers, containers
    assert tags <= BASE_IMAGES, tags


def assert_use_cases_and_host_side_nsenter(nb) -> None:  # type: ignore[no-untyped-def]
    """The article's three use cases and nsenter from the engine host print what the text says."""
    cases = stream_text(nb, "ch04-usecases-demo")
    host_top = re.search(r"with --pid host: (\d+)", cases)
    assert host_top and int(host_top[1]) > 3 and "without it: 1\n" in cases, cases
    assert "among them: dockerd -H" in cases, cases
    total = re.search(r"^Mem:\s+(\d+)", cases, re.MULTILINE)  # free: the host's memory, far above the limit
    assert total and int(total[1]) > 256 and "cgroup limit: 67108864 bytes" in cases, cases
    assert re.search(r"only the host's mount namespace has: .*/var/lib/docker", cases), cases
    host_side = stream_text(nb, "ch04-nsenter-host-demo")
    assert "hostname in its UTS namespace: target-box" in host_side, host_side
    assert re.search(r"eth0@if\d+\s+UP\s+172\.", host_side), host_side
    assert re.search(r"\(with its mounts and /proc, -m -p\): +1 sleep \d+ ps $", host_side, re.MULTILINE), host_side
    users = stream_text(nb, "d72cae2c")  # the engine host's own uid map is printed
    assert re.search(r"^\s*0\s+\d+\s+\d+\s*$", users, re.MULTILINE), users


def assert_exercises_steps_beyond_the_demonstrations(nb) -> None:  # type: ignore[no-untyped-def]
    """The reference answers take the step each exercise adds to its demonstration, and print what it shows."""
    identified = stream_text(nb, "b5f730db")  # ns-demo in the host network mode: net shared, the rest its own
    listed = re.search(r"^\[(.*)\]$", identified, re.MULTILINE)
    assert listed and {"'pid'", "'ipc'", "'mnt'", "'uts'"} <= set(listed[1].split(", ")), identified
    assert "'net'" not in listed[1] and "ns-demo shares net with the engine host: True" in identified, identified
    assert "course-box" in stream_text(nb, "e25d78e7")  # read through nsenter -u from the engine host
    pids = stream_text(nb, "8697b36c")  # dockerd's PID is the same inside pid-host and on the engine host
    engine_pid = re.search(r"ENGINE_HOST_PID: (\d+)", pids)
    assert engine_pid and re.search(rf"^\s*{engine_pid[1]} dockerd\s*$", pids, re.MULTILINE), pids
    ipc = stream_text(nb, "16596e52")  # ipcmk's segment in ipc-a, listed from ipc-b
    made = re.search(r"Shared memory id: (\d+)", ipc)
    assert made and re.search(rf"^0x[0-9a-f]+ +{made[1]} ", ipc, re.MULTILINE), ipc
    assert "same uid map as the engine host: True" in stream_text(nb, "37c0d285")
