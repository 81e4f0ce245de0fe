"""Put the learner's kernel in its own cgroup inside the grading lab, with pids and memory caps.

The lab's limits cap everything in the lab together: a fork bomb or a memory hog
in the kernel would otherwise take the processes and memory nbgrader itself needs
to save the grades. In a cgroup of its own (``course-kernel``, below the lab's
root) the kernel and everything it starts hit their own cap first: fork fails
in the kernel, or the out-of-memory killer ends the kernel (a ``resource limit``
verdict), and nbgrader goes on. Best effort: where the lab's cgroups cannot be
written, the kernel runs under the lab's limits only.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from grader.engine import build_context as sizes

CGROUP = "course-kernel"
CONTAINERS = "course-containers"  # the lab engine's cgroup parent (see the lab's daemon.json)
ROOT = Path("/sys/fs/cgroup")


def confine(pid: int | None, pids_max: int, memory_bytes: int, root: Path = ROOT, group: str = CGROUP) -> list[str]:
    """Give cgroup ``group`` the caps (0: none) and move ``pid`` into it; returns the controllers applied.

    ``pid`` None only sets the caps: ``CONTAINERS`` is the lab engine's cgroup parent
    (its daemon.json), so the containers it starts later land below it.
    """
    if (root / "cgroup.controllers").exists():  # cgroup v2: one hierarchy
        return _confine(root / group, pid, {"pids.max": pids_max, "memory.max": memory_bytes})
    applied = []
    for controller, limit_file, limit in (
        ("pids", "pids.max", pids_max),
        ("memory", "memory.limit_in_bytes", memory_bytes),
    ):
        if (root / controller).is_dir():
            applied += _confine(root / controller / group, pid, {limit_file: limit}, controller)
    return applied


def groups(root: Path = ROOT, group: str = CGROUP) -> list[Path]:
    """The folders of cgroup ``group`` that exist (one on cgroup v2, one per controller on v1)."""
    candidates = (
        [root / group] if (root / "cgroup.controllers").exists() else [root / c / group for c in ("pids", "memory")]
    )
    return [g for g in candidates if g.is_dir()]


def _confine(folder: Path, pid: int | None, limits: dict[str, int], name: str = "") -> list[str]:
    try:
        folder.mkdir(exist_ok=True)
        for limit_file, limit in limits.items():
            if limit > 0:
                with contextlib.suppress(OSError):  # a controller not enabled here
                    (folder / limit_file).write_text(str(limit))
        if pid is not None:
            (folder / "cgroup.procs").write_text(str(pid))
    except OSError:
        return []
    return [name or "+".join(limits)]


def parse_size(text: str) -> int:
    """Docker's size notation (``512m``, ``4g``, ``1048576``) in bytes; 0 for empty."""
    return sizes.parse_size(text) if text.strip() else 0


def pid_of(km: Any) -> int | None:
    """The kernel's process id, from a jupyter_client kernel manager (local kernels only)."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    return int(pid) if isinstance(pid, int) else None


def exit_code(km: Any, wait: float = 2.0) -> int | None:
    """How the kernel's process ended (negative: the signal), waiting up to ``wait`` s; None if unknown."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    deadline = time.monotonic() + wait
    while process is not None:
        code = process.poll()
        if code is not None:
            return int(code)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return None
