"""Harmless probes of a lab's boundary, run *inside* the lab (standard library only).

Run as ``python3 - CONFIG_JSON < boundary_probe.py`` by the lab's root and by an
all-capabilities container inside the lab; prints one JSON object: probe name ->
``{"verdict": "held" | "exposed" | "not applicable", "detail": "..."}``.

Every probe is harmless by construction: ``core_pattern`` is written back with
the value that is already there, ``/proc/sysrq-trigger`` is only opened (never
written), a block device is read for 16 bytes, a kernel module request carries
four bytes of garbage that the kernel rejects as "not an ELF image" before
anything is loaded, and a probe file is removed at once.

The config (from the host) says what "the host" is: its user and pid namespace
inodes, a marker in the command line of a host process, its engine's ID, the
addresses of other labs and of a host listener, the host's block device, and
folders the lab must not be able to write (with the marker file the host put
there).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import socket
import sys
import tempfile

HELD, EXPOSED, NA = "held", "exposed", "not applicable"
SYS_INIT_MODULE = 175  # x86_64


def verdict(v: str, detail: str) -> dict[str, str]:
    return {"verdict": v, "detail": detail}


def refused(e: OSError) -> bool:
    return e.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def probe_core_pattern(cfg: dict) -> dict[str, str]:
    """Open the kernel's core_pattern for writing and write back the value that is there."""
    path = "/proc/sys/kernel/core_pattern"
    try:
        with open(path, "rb") as f:
            value = f.read()
    except FileNotFoundError:
        return verdict(NA, "no /proc/sys/kernel/core_pattern")
    if value != cfg["core_pattern"].encode():
        return verdict(HELD, "this core_pattern is not the host's (a namespaced copy)")
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return verdict(HELD if refused(e) else NA, f"open for write refused: {e.strerror}")
    try:
        os.write(fd, value)
    except OSError as e:
        return verdict(HELD if refused(e) else NA, f"opened, write refused: {e.strerror}")
    finally:
        os.close(fd)
    return verdict(EXPOSED, "wrote the host's core_pattern (the same value back)")


def probe_sysrq(cfg: dict) -> dict[str, str]:
    """Open /proc/sysrq-trigger for writing, never write to it."""
    path = "/proc/sysrq-trigger"
    if not os.path.exists(path) and not cfg.get("host_has_sysrq"):
        return verdict(NA, "this kernel has no /proc/sysrq-trigger")
    try:
        os.close(os.open(path, os.O_WRONLY))
    except FileNotFoundError:
        return verdict(HELD, "the host has sysrq-trigger, the lab does not see it")
    except OSError as e:
        return verdict(HELD, f"open for write refused: {e.strerror}")
    return verdict(EXPOSED, "opened /proc/sysrq-trigger for writing (closed, nothing written)")


def probe_block_device(cfg: dict) -> dict[str, str]:
    """Make a node for the host's disk with mknod and read 16 bytes from it."""
    major, minor = cfg["block_device"]
    folder = tempfile.mkdtemp(prefix="boundary-")
    node = os.path.join(folder, "disk")
    try:
        os.mknod(node, 0o600 | 0o060000, os.makedev(major, minor))
    except OSError as e:
        os.rmdir(folder)
        return verdict(HELD, f"mknod {major}:{minor} refused: {e.strerror}")
    try:
        fd = os.open(node, os.O_RDONLY)
        try:
            data = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError as e:
        return verdict(HELD, f"mknod allowed, open/read refused: {e.strerror}")
    finally:
        os.unlink(node)
        os.rmdir(folder)
    return verdict(EXPOSED, f"read {len(data)} bytes of the host's disk {major}:{minor}")


def probe_kernel_module(cfg: dict) -> dict[str, str]:
    """Ask init_module to load four bytes of garbage; the kernel's answer says whether it would load one."""
    libc = ctypes.CDLL(None, use_errno=True)
    garbage = ctypes.create_string_buffer(b"\0\0\0\0", 4)
    rc = libc.syscall(SYS_INIT_MODULE, garbage, ctypes.c_ulong(4), ctypes.c_char_p(b""))
    err = ctypes.get_errno()
    if rc == 0:  # cannot happen for garbage; say so loudly rather than hide it
        return verdict(EXPOSED, "init_module accepted garbage")
    if err == errno.ENOSYS:
        return verdict(NA, "this kernel cannot load modules at all (init_module: ENOSYS)")
    if err == errno.EPERM:
        return verdict(HELD, "init_module refused: no CAP_SYS_MODULE in the host's user namespace")
    return verdict(EXPOSED, f"init_module got past the permission check (rejected garbage: {os.strerror(err)})")


def probe_user_namespace(cfg: dict) -> dict[str, str]:
    ino = os.stat("/proc/self/ns/user").st_ino
    if ino == cfg["host_userns"]:
        return verdict(EXPOSED, f"in the host's user namespace ({ino})")
    with open("/proc/self/uid_map") as f:
        mapping = " ".join(f.read().split())
    return verdict(HELD, f"own user namespace {ino}; uid_map {mapping}")


def probe_host_processes(cfg: dict) -> dict[str, str]:
    # the marker comes reversed: this probe's own command line (and the exec that
    # started it) carries the config, and must not count as a host process
    marker = cfg["host_marker_reversed"][::-1].encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
            if marker in f.read():
                return verdict(EXPOSED, f"host process {pid} visible")
    same = os.stat("/proc/self/ns/pid").st_ino == cfg["host_pidns"]
    return verdict(EXPOSED if same else HELD, "host pid namespace" if same else "no host process visible")


def _engine_id(address: str | tuple[str, int]) -> str | None:
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    with contextlib.suppress(OSError, ValueError), socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(address)
        s.sendall(b"GET /info HTTP/1.0\r\nHost: docker\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        body = data.split(b"\r\n\r\n", 1)[1]
        return json.loads(body).get("ID")
    return None


def probe_host_engine(cfg: dict) -> dict[str, str]:
    """Every engine socket the lab can find, and the host's TCP API ports, answer with another engine's ID."""
    candidates: list[str | tuple[str, int]] = []
    for folder in ("/run", "/var/run", "/run/course-engine", "/lab-root/run", "/lab-root/var/run"):
        with contextlib.suppress(OSError):
            candidates += [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".sock")]
    candidates += [(cfg["host_address"], port) for port in (2375, 2376)]
    for address in candidates:
        if _engine_id(address) == cfg["host_engine_id"]:
            return verdict(EXPOSED, f"the host's engine answers at {address}")
    return verdict(HELD, f"the host's engine answers at none of {len(candidates)} sockets and ports")


def _connects(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


def probe_other_lab(cfg: dict) -> dict[str, str]:
    reached = [f"{h}:{p}" for h, p in cfg["other_lab"] if _connects(h, p)]
    if reached:
        return verdict(EXPOSED, "reached another lab at " + ", ".join(reached))
    return verdict(HELD, f"none of {len(cfg['other_lab'])} addresses of another lab answered")


def probe_host_listener(cfg: dict) -> dict[str, str]:
    host, port = cfg["host_listener"]
    if _connects(host, port):
        return verdict(EXPOSED, f"a host service on all addresses answered at {host}:{port}")
    return verdict(HELD, f"a host service on all addresses did not answer at {host}:{port}")


def probe_host_file(cfg: dict) -> dict[str, str]:
    """Create (then remove) a file in each folder outside the workspace that the lab can see."""
    made = []
    for folder in cfg["forbidden"]:
        for root in ("", "/lab-root"):
            path = os.path.join(root + folder, ".boundary-probe")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            except OSError:
                continue
            os.close(fd)
            os.unlink(path)
            made.append(root + folder)
    if made:
        return verdict(EXPOSED, "created a file in " + ", ".join(made))
    return verdict(HELD, f"no file could be created in {len(cfg['forbidden'])} folders outside the workspace")


def probe_own_limits(cfg: dict) -> dict[str, str]:
    """Write back the lab's own memory and pids caps (its cgroup namespace root): may the lab raise them?"""
    written, refused_files = [], []
    names = ("sys/fs/cgroup/memory/memory.limit_in_bytes", "sys/fs/cgroup/pids/pids.max")
    for path in (f"{root}/{name}" for root in ("", "/lab-root") for name in names):
        try:
            with open(path, "rb") as f:
                value = f.read()
        except OSError:
            continue
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError:
            refused_files.append(path)
            continue
        try:
            os.write(fd, value)
            written.append(path)
        except OSError:
            refused_files.append(path)
        finally:
            os.close(fd)
    if written:
        return verdict(EXPOSED, "wrote back the lab's own caps (it could raise them): " + ", ".join(written))
    if refused_files:
        return verdict(HELD, "the lab's own caps are not writable: " + ", ".join(refused_files))
    return verdict(NA, "no cgroup v1 memory/pids files at /sys/fs/cgroup (cgroup v2 or not mounted)")


PROBES = {
    "core_pattern": probe_core_pattern,
    "sysrq_trigger": probe_sysrq,
    "block_device": probe_block_device,
    "kernel_module": probe_kernel_module,
    "user_namespace": probe_user_namespace,
    "host_processes": probe_host_processes,
    "host_engine": probe_host_engine,
    "other_lab": probe_other_lab,
    "host_listener": probe_host_listener,
    "host_file": probe_host_file,
    "own_limits": probe_own_limits,
}


def main(argv: list[str]) -> int:
    cfg = json.loads(argv[1])
    results = {}
    for name, probe in PROBES.items():
        try:
            results[name] = probe(cfg)
        except Exception as e:  # a probe that breaks is reported, never hidden as "held"
            results[name] = verdict("error", f"{type(e).__name__}: {e}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
