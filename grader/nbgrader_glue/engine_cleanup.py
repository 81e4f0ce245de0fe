"""Stop what a runaway cell started: the kernel's child processes and the engine's new containers.

Used by the grading executor after a cell was interrupted (time limit) or its
kernel died. It runs inside the grading lab, where the course engine is the
lab's own, so "new containers" are the ones this submission's cell created.
Every function here is best effort and never raises: cleanup must not turn a
learner's runaway cell into a grading failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import docker
from docker.errors import DockerException

from grader.errors import GraderError


def engine_client() -> docker.DockerClient | None:
    """A client on the course engine (the lab's), or None when there is none to reach."""
    try:
        from grader.engine.client import course_engine

        return course_engine(timeout=20)
    except (GraderError, DockerException, OSError):
        return None


def container_ids(client: docker.DockerClient | None) -> set[str] | None:
    """Ids of every container the engine holds (None when the engine does not answer)."""
    if client is None:
        return None
    try:
        return {c["Id"] for c in client.api.containers(all=True, quiet=True)}
    except (DockerException, OSError):
        return None


def kill_new_containers(client: docker.DockerClient | None, before: set[str] | None) -> list[str]:
    """Kill (SIGKILL) the running containers created since ``before``; returns their short ids.

    SIGKILL, not a stop: a server that ignores SIGTERM must not hold the grader for
    its stop timeout. The containers stay (stopped) so later checks can inspect them.
    """
    now = container_ids(client)
    if client is None or before is None or now is None:
        return []
    killed = []
    for cid in sorted(now - before):
        with contextlib.suppress(DockerException, OSError):
            if client.api.inspect_container(cid)["State"].get("Running"):
                client.api.kill(cid)
                killed.append(cid[:12])
    return killed


def descendants(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            # the command name may hold spaces and parentheses: the fields after the last ")" are fixed
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def kill_descendants(pid: int | None) -> int:
    """SIGKILL every process the kernel ``pid`` started (shell commands, docker CLIs); returns how many."""
    if not pid:
        return 0
    count = 0
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
            count += 1
    return count


def sweep_lab(client: docker.DockerClient | None, kernel_groups: list[Path]) -> tuple[int, int]:
    """End everything the learner left running in a grading lab: (containers killed, processes killed).

    Run after the notebook's last cell and before nbgrader saves its grades, so that
    no container or background process of the submission is alive while the grades
    are written. Every container loses its restart policy and is killed. Processes:
    those in the kernel's cgroups (``kernel_groups``' ``cgroup.procs``), which a
    process the kernel started cannot leave by forking or daemonizing; the lab's
    own processes (init, engine, nbgrader) are never in them.
    """
    containers = 0
    if client is not None:
        try:
            running = client.api.containers(quiet=True)
        except (DockerException, OSError):
            running = []
        for entry in running:
            with contextlib.suppress(DockerException, OSError):
                client.api.update_container(entry["Id"], restart_policy={"Name": "no"})
                client.api.kill(entry["Id"])
                containers += 1
    killed: set[int] = set()
    for _ in range(5):  # a fork between reading the list and the kill: read it again
        pids = {int(p) for g in kernel_groups for p in _read(g / "cgroup.procs").split() if p.isdigit()}
        pids -= {os.getpid()}
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        killed |= pids
    return containers, len(killed)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
