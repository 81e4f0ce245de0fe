"""The labs' engine is started detached from its starter: a systemd unit, or its own session and cgroups."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from grader.engine import boundary_daemon
from grader.engine.boundary_cgroups import Hierarchy


def test_under_systemd_the_engine_is_a_transient_unit_of_its_own(tmp_path: Path) -> None:
    command = boundary_daemon.unit_command(["/usr/sbin/dockerd", "--userns-remap=x"], tmp_path / "d.log")
    assert command[0].endswith("systemd-run") and f"--unit={boundary_daemon.UNIT}" in command
    assert {"--property=Delegate=yes", "--property=KillMode=process"} <= set(command)
    assert f"--property=StandardOutput=append:{tmp_path / 'd.log'}" in command
    assert command[command.index("--") + 1 :] == ["/usr/sbin/dockerd", "--userns-remap=x"]


def test_own_groups_are_made_at_the_top_of_each_v1_hierarchy_and_the_hybrid_v2_tree_is_left(tmp_path: Path) -> None:
    memory, pids, unified = tmp_path / "memory", tmp_path / "pids", tmp_path / "unified"
    for mount in (memory, pids, unified):
        mount.mkdir()
    (memory / "g").mkdir()
    (memory / "g" / "cgroup.procs").touch()  # what the kernel makes in a new group
    hierarchies = [
        Hierarchy(memory, frozenset({"memory"}), False),
        Hierarchy(pids, frozenset({"pids"}), False),
        Hierarchy(unified, frozenset(), True),
    ]
    assert boundary_daemon.own_groups("g", hierarchies) == [memory / "g" / "cgroup.procs"]
    assert (pids / "g").is_dir() and not (unified / "g").exists()
    assert boundary_daemon.own_groups("g", [Hierarchy(unified, frozenset(), True)]) == []  # pure v2: made
    assert (unified / "g").is_dir()


def test_the_wrapper_joins_the_groups_then_becomes_the_command(tmp_path: Path) -> None:
    """The shell writes its pid into each group, then execs: the command keeps that pid, so it is in them."""
    procs = [tmp_path / "a.procs", tmp_path / "b.procs"]
    env = {"PATH": "/usr/bin:/bin", "COURSE_CGROUP_PROCS": " ".join(map(str, procs))}
    done = subprocess.run(  # noqa: S603 - our own fixed wrapper
        boundary_daemon.wrapped(["sh", "-c", "echo $$"]), env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert [p.read_text().strip() for p in procs] == [done.stdout.strip()] * 2


def test_without_systemd_start_gives_a_new_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundary_daemon, "systemd_runs", lambda: False)
    monkeypatch.setattr(boundary_daemon, "own_groups", lambda name: [tmp_path / "cgroup.procs"])
    how, pid = boundary_daemon.start(["sleep", "30"], tmp_path / "log")
    try:
        assert pid and "own session" in how
        assert int(Path(f"/proc/{pid}/stat").read_text().split()[5]) == pid  # session id = its own pid
        joined = tmp_path / "cgroup.procs"
        deadline = time.monotonic() + 10  # the shell writes it just after the exec Popen waited for
        while time.monotonic() < deadline and not (joined.exists() and joined.read_text().strip()):
            time.sleep(0.05)
        assert joined.read_text().strip() == str(pid)
    finally:
        if pid:
            subprocess.run(["kill", str(pid)], check=False)  # noqa: S603, S607
