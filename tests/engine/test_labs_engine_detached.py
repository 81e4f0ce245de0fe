"""The labs' engine outlives its starter: started the way the course starts it, a process leaves the
starter's session and cgroups (a stand-in `sleep`, never a second engine beside the machine's)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from grader.engine import boundary_daemon
from grader.engine.boundary_cgroups import host_hierarchies, lab_groups

pytestmark = pytest.mark.engine


@pytest.mark.skipif(os.geteuid() != 0, reason="only root moves processes between cgroups")
def test_a_process_started_like_the_labs_engine_leaves_the_starters_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boundary_daemon, "systemd_runs", lambda: False)  # the path this machine takes
    group = f"docker-course-test-{uuid.uuid4().hex[:8]}"
    mine = dict((h.mountpoint, d) for h, d in lab_groups(os.getpid(), host_hierarchies()))
    how, pid = boundary_daemon.start(["sleep", "120"], tmp_path / "log", group=group)
    assert pid, how
    try:
        time.sleep(0.5)
        theirs = dict((h.mountpoint, d) for h, d in lab_groups(pid, host_hierarchies()))
        moved = {m for m, d in theirs.items() if d.name == group}
        v1 = {h.mountpoint for h in host_hierarchies() if not h.v2}
        assert moved == (v1 or set(theirs)), (how, theirs)
        assert all(theirs[m] != mine[m] for m in moved)
        assert os.getsid(pid) == pid and os.getsid(pid) != os.getsid(0)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for hierarchy in host_hierarchies():
            folder = hierarchy.mountpoint / group
            for _ in range(50):  # the kernel empties a group a moment after its last task exits
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
