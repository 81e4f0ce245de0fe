"""Namespace inodes of containers and of the engine host, read through a probe.

The engine host's reference process is ``dockerd`` (found by the probe), not PID
1: PID 1 of a VM may be protected, and inside a lab dockerd shares the lab's
namespaces anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import docker

from grader.errors import ProbeError
from grader.facts.probe import host_probe

NAMESPACES = ("pid", "net", "ipc", "mnt", "uts", "user", "cgroup", "time")

_SCRIPT = """
ref=$(pidof dockerd | awk '{print $1}')
[ -n "$ref" ] || ref=1
for p in "host:$ref" "$@"; do
  label=${p%%:*}; pid=${p#*:}
  for ns in pid net ipc mnt uts user cgroup time; do
    echo "$label $ns $(readlink /proc/$pid/ns/$ns 2>/dev/null)"
  done
done
"""


@dataclass(frozen=True)
class NamespaceInodes:
    """Namespace name -> inode (``net:[4026531840]`` -> 4026531840); missing kinds absent."""

    inodes: dict[str, int]

    def shared_with(self, other: NamespaceInodes) -> set[str]:
        return {ns for ns, ino in self.inodes.items() if other.inodes.get(ns) == ino}

    def unshared_with(self, other: NamespaceInodes) -> set[str]:
        return {ns for ns, ino in self.inodes.items() if ns in other.inodes and other.inodes[ns] != ino}


def read_namespaces(client: docker.DockerClient, pids: dict[str, int]) -> dict[str, NamespaceInodes]:
    """Inodes of the engine host (key ``host``) and of each labelled PID in ``pids``.

    Raises:
        ProbeError: the probe could not read them.
    """
    args = [f"{label}:{pid}" for label, pid in pids.items()]
    result = host_probe(client, ["sh", "-c", _SCRIPT, "probe", *args])
    if not result.ok:
        raise ProbeError(f"Could not read namespaces: {result.stderr.strip()[:200] or 'probe failed'}")
    out: dict[str, dict[str, int]] = {label: {} for label in ["host", *pids]}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and "[" in parts[2]:
            out.setdefault(parts[0], {})[parts[1]] = int(parts[2].split("[")[1].rstrip("]"))
    for label, inodes in out.items():
        if not inodes:
            raise ProbeError(f"No namespaces could be read for {label} (did the process exit?).")
    return {label: NamespaceInodes(inodes) for label, inodes in out.items()}
