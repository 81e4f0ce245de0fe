"""The labs' engine as a process of its own: it outlives whatever command first started it.

Started from a learner's ``docker-course up``, a test run or a CI job, a plain child
would live in that command's session and cgroups, and a job runner or login manager
that ends them (a killed terminal, a CI step's cgroup torn down, an out-of-memory kill
in the starter's group) would take every lab of the machine with it. So:

- where systemd is the init system, the engine runs as a transient unit
  (``systemd-run --unit docker-course-labs-engine``, ``Delegate=yes`` and
  ``KillMode=process`` as Docker's own unit has them);
- elsewhere it gets a new session (``setsid``) and, before ``dockerd`` runs, moves
  itself into cgroups of its own (``docker-course-labs-engine`` at the top of every
  hierarchy), so containerd and the labs' shims it starts are no longer in the
  starter's groups either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from grader.engine.boundary_cgroups import Hierarchy, host_hierarchies, lab_groups
from grader.engine.progress import Reporter, silent

UNIT = "docker-course-labs-engine"  # the systemd unit, and the cgroup name elsewhere
# moves the shell into each cgroup.procs given in $COURSE_CGROUP_PROCS, then becomes the command
MOVE_THEN_EXEC = 'for f in $COURSE_CGROUP_PROCS; do echo $$ > "$f" || true; done; exec "$@"'


def systemd_runs() -> bool:
    """True when systemd is this machine's init (and ``systemd-run`` is there to start a unit)."""
    return Path("/run/systemd/system").is_dir() and shutil.which("systemd-run") is not None


def unit_command(command: list[str], log: Path) -> list[str]:
    """``command`` as a transient systemd service of its own, its output appended to ``log``."""
    return [
        shutil.which("systemd-run") or "systemd-run",
        f"--unit={UNIT}",
        "--collect",
        "--description=docker-course user-namespaced labs engine",
        "--property=Delegate=yes",
        "--property=KillMode=process",
        "--property=LimitNOFILE=1048576",
        f"--property=StandardOutput=append:{log}",
        f"--property=StandardError=append:{log}",
        "--",
        *command,
    ]


def own_groups(name: str = UNIT, hierarchies: list[Hierarchy] | None = None) -> list[Path]:
    """Create ``name`` at the top of every cgroup hierarchy; returns the ``cgroup.procs`` files to join.

    A hybrid host's v2 tree holds no controllers and is left alone. A hierarchy that
    refuses (read-only, not ours) is skipped: the engine then stays in that group there.
    """
    hierarchies = host_hierarchies() if hierarchies is None else hierarchies
    hybrid = any(not h.v2 for h in hierarchies)
    procs = []
    for hierarchy in hierarchies:
        if hierarchy.v2 and hybrid:
            continue
        group = hierarchy.mountpoint / name
        try:
            group.mkdir(exist_ok=True)
        except OSError:
            continue
        if "cpuset" in hierarchy.keys:
            _inherit_cpuset(group)
        if (group / "cgroup.procs").exists():
            procs.append(group / "cgroup.procs")
    return procs


def _inherit_cpuset(group: Path) -> None:
    """A new v1 cpuset group has no cpus and mems, and takes no task until it has: its parent's."""
    for name in ("cpuset.cpus", "cpuset.mems"):
        try:
            if not (group / name).read_text().strip():
                (group / name).write_text((group.parent / name).read_text())
        except OSError:
            continue


def wrapped(command: list[str]) -> list[str]:
    """``command`` behind the shell step that joins the groups in ``$COURSE_CGROUP_PROCS`` first."""
    return ["/bin/sh", "-c", MOVE_THEN_EXEC, "sh", *command]


def start(command: list[str], log: Path, report: Reporter = silent, group: str = UNIT) -> tuple[str, int | None]:
    """Start ``command`` detached from the caller (systemd unit, or new session and own cgroups).

    Returns:
        How it was detached (one clause, for progress), and its pid when this process started it.

    Raises:
        OSError: the command could not be started.
    """
    if systemd_runs():
        done = subprocess.run(unit_command(command, log), capture_output=True, text=True)  # noqa: S603
        if done.returncode == 0:
            return f"systemd unit {UNIT}", None
        report(f"systemd-run could not start {UNIT} ({done.stderr.strip()[-160:]}); starting it in its own session")
    procs = own_groups(group)
    env = dict(os.environ, COURSE_CGROUP_PROCS=" ".join(str(p) for p in procs))
    with open(log, "ab") as out:
        child = subprocess.Popen(  # noqa: S603 - a fixed command
            wrapped(command), stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True, env=env
        )
    return f"its own session and cgroups ({group}, {len(procs)} hierarchies)", child.pid


def groups_of(pid: int) -> list[Path]:
    """Where process ``pid`` lives: its group's directory in every hierarchy (for reports and tests)."""
    return [directory for _, directory in lab_groups(pid, host_hierarchies())]
