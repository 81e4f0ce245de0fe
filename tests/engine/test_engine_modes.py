"""Engine modes end to end: `engine up` with JupyterLab (twice: the second run reuses), the
SDK and CLI inside the lab, and host mode whose reset spares the user's own objects."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request

import docker
import pytest

from grader.engine.install import ensure_host_engine
from grader.engine.reset import reset
from grader.engine.settings import lab_run_dir
from tests.support import EngineSession

pytestmark = pytest.mark.engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, **env),
    )


def test_engine_up_starts_jupyterlab_and_a_second_run_reuses_it(engine_session: EngineSession) -> None:
    name, port = f"{engine_session.name}-jl", str(free_port())
    # a workspace of its own: `up` makes one and takes its lock (never the machine's ~/docker-course-work)
    workspace = tempfile.mkdtemp(prefix="docker-course-ws-modes-")
    env = {"DOCKER_COURSE_LAB": name, "DOCKER_COURSE_PORT": port, "DOCKER_COURSE_WORKSPACE": workspace}
    try:
        first = cli("engine", "up", **env)
        assert first.returncode == 0, first.stderr
        assert f"http://127.0.0.1:{port}/lab?token=" in first.stdout
        status = json.loads(cli("engine", "status", "--json", **env).stdout)
        assert status["mode"] == "lab" and status["jupyter_url"].startswith(f"http://127.0.0.1:{port}/")
        token = status["jupyter_url"].split("token=")[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=10) as answer:
            assert answer.status == 200
        second = cli("engine", "up", **env)
        assert second.returncode == 0 and "reusing" in second.stderr, second.stderr
    finally:
        down = cli("engine", "down", "--purge", **env)
        shutil.rmtree(workspace, ignore_errors=True)
        assert down.returncode == 0, down.stderr
    # the event journal is the lab's kept history (its lock is an flock, not a pid file): it may stay
    left = sorted(p.name for p in lab_run_dir(name).glob("*") if not p.name.startswith("journal."))
    assert left == [], f"a stopped lab must not look running: {left}"


def test_inside_the_lab_cli_sdk_and_course_cli_reach_the_course_engine(engine: EngineSession) -> None:
    ran = engine.sh(
        "docker run -d --name web-fixed busybox sleep 60 >/dev/null && "
        "python -c 'import docker; print(len(docker.from_env().containers.list()))' && "
        "docker-course engine status --json"
    )
    assert ran.ok, ran.output
    lines = ran.output.strip().splitlines()
    assert lines[0] == "1"
    status = json.loads("\n".join(lines[1:]))
    assert status["in_lab"] and status["reachable"] and status["docker_host"] == "unix:///run/course-engine/docker.sock"


def test_host_mode_checks_the_host_engine_and_reset_spares_the_users_objects() -> None:
    host = ensure_host_engine()
    theirs = host.containers.create("busybox", ["true"], name="users-own-container")
    ours = host.containers.create("busybox", ["true"], name="web-fixed")
    # the session's own lab may run on the course's user-namespaced labs engine, which a host-mode
    # reset never sees: a stand-in labelled as a lab on the host engine is what reset must spare
    standin = host.containers.create(
        "busybox", ["true"], name="docker-course-test-standin-lab", labels={"org.docker-course.managed": "lab"}
    )
    try:
        done = cli("check", "ch01-ex1", "--json", DOCKER_COURSE_MODE="host")
        assert done.returncode == 1 and json.loads(done.stdout)["score"] == 0
        removed = reset(host, whole_engine=False)
        assert "web-fixed" in removed.containers and "users-own-container" not in removed.containers
        assert host.containers.get("users-own-container")
        with pytest.raises(docker.errors.NotFound):
            host.containers.get(ours.id)
        labs = host.containers.list(all=True, filters={"label": "org.docker-course.managed=lab"})
        assert standin.id in {lab.id for lab in labs}, "resetting the host engine must not remove labs"
    finally:
        theirs.remove(force=True)
        standin.remove(force=True)
        with contextlib.suppress(docker.errors.NotFound):
            ours.remove(force=True)
