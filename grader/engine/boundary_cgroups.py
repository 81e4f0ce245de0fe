"""Delegating a user-namespaced lab's cgroup to the lab's root, so its own engine can apply limits.

The lab's engine creates a child group per container and writes the child's
limits; in a user namespace it may only do so in a group its (mapped) root owns.
On cgroup v1 the host chowns the lab container's own directory in each
controller hierarchy, and nothing else: the lab may create children (which it
then owns) but its own ``memory.limit_in_bytes`` or ``pids.max`` stay host
root's, so the lab cannot raise its caps. On cgroup v2 the kernel's delegation
model applies: the directory plus ``cgroup.procs``, ``cgroup.threads`` and
``cgroup.subtree_control`` (Documentation/admin-guide/cgroup-v2.rst,
"Delegation"); not verifiable on our cgroup v1 machines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

V2_DELEGATED_FILES = ("cgroup.procs", "cgroup.threads", "cgroup.subtree_control")


@dataclass(frozen=True)
class Hierarchy:
    """One mounted cgroup hierarchy of the host: where, and which controllers (or ``name=``) it holds."""

    mountpoint: Path
    keys: frozenset[str]  # v1: controllers and name=...; v2: empty
    v2: bool


def host_hierarchies(mountinfo: str | None = None) -> list[Hierarchy]:
    """The cgroup hierarchies mounted on the host (from /proc/self/mountinfo)."""
    text = mountinfo if mountinfo is not None else Path("/proc/self/mountinfo").read_text()
    found = []
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or fields[3] != "/":
            continue
        if tail[0] == "cgroup2":
            found.append(Hierarchy(Path(fields[4]), frozenset(), True))
        elif tail[0] == "cgroup":
            keys = {o for o in tail[2].split(",") if o not in ("rw", "ro") and "=" not in o or o.startswith("name=")}
            found.append(Hierarchy(Path(fields[4]), frozenset(keys), False))
    return found


def lab_groups(pid: int, hierarchies: list[Hierarchy], proc_cgroup: str | None = None) -> list[tuple[Hierarchy, Path]]:
    """The host directory of process ``pid``'s group in each hierarchy, as (hierarchy, directory)."""
    text = proc_cgroup if proc_cgroup is not None else Path(f"/proc/{pid}/cgroup").read_text()
    groups = []
    for line in text.splitlines():
        number, controllers, path = line.split(":", 2)
        keys = frozenset(c for c in controllers.split(",") if c)
        for h in hierarchies:
            if (number == "0" and h.v2 and not keys) or (not h.v2 and keys and keys <= h.keys):
                groups.append((h, h.mountpoint / path.lstrip("/")))
    return groups


def delegate(pid: int, uid: int, gid: int) -> list[Path]:
    """Give the lab whose first process is ``pid`` its own cgroup subtree; returns what was chowned.

    Raises:
        OSError: a group could not be chowned (the lab's engine would then fail to start containers).
    """
    hierarchies = host_hierarchies()
    hybrid = any(not h.v2 for h in hierarchies)
    done = []
    for hierarchy, directory in lab_groups(pid, hierarchies):
        if directory == hierarchy.mountpoint or (hierarchy.v2 and hybrid):
            continue  # never the host's root group; a hybrid host's v2 tree holds no controllers
        targets = [directory]
        if hierarchy.v2:
            targets += [directory / name for name in V2_DELEGATED_FILES if (directory / name).exists()]
        for target in targets:
            os.chown(target, uid, gid, follow_symlinks=False)
            done.append(target)
    return done
