"""What this machine offers the course, read without changing anything: cgroups, iptables, KVM,
user namespaces, disk, cache sizes, the limits of the cgroup a process runs in.

Each reader returns a plain value or a sentence saying what it saw; none raises for
a missing file or tool (a doctor must not fail where the machine is odd).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
USERNS_CLONE = Path("/proc/sys/kernel/unprivileged_userns_clone")
MAX_USER_NAMESPACES = Path("/proc/sys/user/max_user_namespaces")
KVM_DEVICE = Path("/dev/kvm")


def cgroup_version(root: Path = CGROUP_ROOT) -> str:
    """``v2``, ``v1 (hybrid: v2 at unified/)``, ``v1`` or why none was found, from ``/sys/fs/cgroup``."""
    if (root / "cgroup.controllers").exists():
        return "v2"
    if (root / "unified" / "cgroup.controllers").exists():
        return "v1 (hybrid: v2 at unified/)"
    if root.is_dir() and any(root.iterdir()):
        return "v1"
    return f"none mounted at {root}"


def iptables_backend(version_text: str) -> str:
    """``nf_tables``, ``legacy`` or ``unknown``, from the output of ``iptables --version``."""
    for backend in ("nf_tables", "legacy"):
        if f"({backend})" in version_text:
            return backend
    return "unknown"


def host_iptables() -> str:
    """``iptables --version`` on this machine, or why it could not run."""
    binary = shutil.which("iptables") or ("/usr/sbin/iptables" if Path("/usr/sbin/iptables").exists() else None)
    if binary is None:
        return "iptables is not installed"
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`iptables --version` failed: {e}"
    return (done.stdout or done.stderr).strip() or f"`iptables --version` said nothing (exit {done.returncode})"


def kvm(device: Path = KVM_DEVICE) -> tuple[bool, str]:
    """Whether ``/dev/kvm`` opens read-write (what a microVM lab needs), and what was seen."""
    try:
        fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return False, f"{device} does not open ({e.strerror or e})"
    os.close(fd)
    return True, f"{device} opens read-write"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def user_namespaces(clone: Path = USERNS_CLONE, maximum: Path = MAX_USER_NAMESPACES) -> tuple[bool, str]:
    """Whether unprivileged user namespaces are allowed, from the two sysctls that govern them."""
    allowed, limit = _read(clone), _read(maximum)
    seen = [
        f"unprivileged_userns_clone={allowed}" if allowed is not None else "no unprivileged_userns_clone sysctl",
        f"max_user_namespaces={limit}" if limit is not None else "no max_user_namespaces sysctl",
    ]
    ok = allowed != "0" and limit not in (None, "0")
    return ok, ", ".join(seen)


def existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (a folder not made yet lives on that one's disk)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def free_bytes(path: Path) -> int:
    """Free bytes on the file system that holds (or will hold) ``path``."""
    return shutil.disk_usage(existing(path)).free


def tree_size(path: Path) -> int:
    """Bytes in the files under ``path`` (symlinks not followed; unreadable entries skipped)."""
    total = 0
    for folder, _dirs, files in os.walk(path, onerror=lambda _e: None):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


@dataclass(frozen=True)
class CgroupLimits:
    """The memory, pids and cpu limits of the cgroup this process runs in (None: unlimited or unknown)."""

    memory: int | None
    pids: int | None
    cpus: float | None


def _number(text: str | None) -> int | None:
    if text is None or not text.split()[0].isdigit():
        return None
    value = int(text.split()[0])
    return None if value >= 2**62 else value  # v1 writes "no limit" as a huge number


def own_cgroup_limits(root: Path = CGROUP_ROOT) -> CgroupLimits:
    """Limits of this process's cgroup: inside a lab, the lab's own limits (v1 or v2 layout)."""
    if (root / "cgroup.controllers").exists():
        cpu = (_read(root / "cpu.max") or "max").split()
        cpus = int(cpu[0]) / int(cpu[1]) if len(cpu) == 2 and cpu[0].isdigit() else None
        return CgroupLimits(_number(_read(root / "memory.max")), _number(_read(root / "pids.max")), cpus)
    quota = _number(_read(root / "cpu" / "cpu.cfs_quota_us"))
    period = _number(_read(root / "cpu" / "cpu.cfs_period_us"))
    return CgroupLimits(
        _number(_read(root / "memory" / "memory.limit_in_bytes")),
        _number(_read(root / "pids" / "pids.max")),
        quota / period if quota and period else None,
    )


def human(size: float) -> str:
    """Bytes as ``1.3 GB`` / ``173.0 MB`` / ``4.0 kB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} B"
