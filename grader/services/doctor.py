"""``docker-course doctor``: the evidence a failing setup needs, in one screen, read-only.

Engine versions and API (host engine and course engine), cgroup version, iptables
backend, KVM and user-namespace availability, free disk where state and cache
live, cache sizes, the lab's limits, how many labs at their process cap the
host's pid_max holds. Every line says what it saw; a reader that
fails becomes a line saying so, never a traceback. Nothing is installed, started
or changed. Called from inside a lab, the host engine is not visible: the lab's
own engine is reported as the course engine, and the limits are those of the
lab's cgroup, read from inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

from grader.engine import lab
from grader.engine.client import connect, course_engine, host_engine_url
from grader.engine.settings import Settings, cache_dir, in_lab, state_dir
from grader.services import machine
from grader.services.machine import human

LOW_DISK = 5e9  # a lab image, the base images and their tarballs need a few GB


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was looked at, what was seen, and whether that is a problem.

    ``ok`` is None for a fact that is neither good nor bad (a size, a setting).
    """

    key: str
    title: str
    seen: str
    ok: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorReport:
    """Every finding, in the order they are shown."""

    findings: list[Finding]

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.ok is False]

    def to_json(self) -> dict[str, Any]:
        """``{"ok": ..., "findings": {key: {"title", "ok", "seen", ...details}}}``."""
        return {
            "ok": not self.problems,
            "findings": {f.key: {"title": f.title, "ok": f.ok, "seen": f.seen, **f.details} for f in self.findings},
        }


def _guarded(key: str, title: str, read: Callable[[], Finding]) -> Finding:
    try:
        return read()
    except Exception as e:  # noqa: BLE001 - a doctor reports what it could not read, it does not crash
        return Finding(key, title, f"could not be read ({type(e).__name__}: {e})", ok=False)


def _host_engine() -> tuple[Finding, docker.DockerClient | None]:
    url = host_engine_url()
    if in_lab():
        return Finding("host_engine", "host engine", "not visible from inside the lab"), None
    try:
        client = connect(url, timeout=10, what="host engine")
    except Exception as e:  # noqa: BLE001 - any failure to connect is the finding
        return Finding("host_engine", "host engine", str(e), ok=False, details={"url": url}), None
    version, info = client.version(), client.info()
    details = {
        "url": url,
        "version": version.get("Version"),
        "api_version": version.get("ApiVersion"),
        "min_api_version": version.get("MinAPIVersion"),
        "cgroup_version": info.get("CgroupVersion"),
        "cgroup_driver": info.get("CgroupDriver"),
        "storage_driver": info.get("Driver"),
        "root_dir": info.get("DockerRootDir"),
    }
    seen = (
        f"Docker {details['version']} (API {details['api_version']}, oldest {details['min_api_version']}) at {url}; "
        f"storage {details['storage_driver']}, data in {details['root_dir']}"
    )
    return Finding("host_engine", "host engine", seen, ok=True, details=details), client


def _course_engine(settings: Settings) -> Finding:
    where = settings.docker_host()
    try:
        client = course_engine(timeout=10)
    except Exception as e:  # noqa: BLE001 - any failure to connect is the finding
        return Finding("course_engine", "course engine", str(e), ok=False, details={"docker_host": where})
    version = client.version()
    if in_lab():
        name = " (this lab's own engine)"
    else:
        name = f" (lab {settings.lab_name})" if settings.mode == "lab" else " (host mode)"
    details = {"docker_host": where, "version": version.get("Version"), "api_version": version.get("ApiVersion")}
    seen = f"Docker {details['version']} (API {details['api_version']}) at {where}{name}"
    return Finding("course_engine", "course engine", seen, ok=True, details=details)


def _cgroup(host: docker.DockerClient | None) -> Finding:
    seen = machine.cgroup_version()
    engine = host.info().get("CgroupVersion") if host is not None else None
    text = f"{seen} here" + (f"; the host engine reports v{engine}" if engine else "")
    return Finding("cgroup", "cgroup", text, details={"machine": seen, "engine": engine})


def _iptables(lab_container: Any) -> Finding:
    here = machine.host_iptables()
    details = {"backend": machine.iptables_backend(here), "version": here}
    text = f"{details['backend']} ({here})"
    if lab_container is not None and lab_container.status == "running":
        inside = lab_container.exec_run(["iptables", "--version"]).output.decode(errors="replace").strip()
        details["lab_backend"] = machine.iptables_backend(inside)
        text += f"; in the lab: {details['lab_backend']} ({inside})"
    return Finding("iptables", "iptables", text, ok=details["backend"] != "unknown" or None, details=details)


def _kvm() -> Finding:
    ok, seen = machine.kvm()
    # a container lab does not need KVM: its absence is a fact, not a failure
    return Finding("kvm", "KVM", seen, details={"available": ok})


def _userns() -> Finding:
    ok, seen = machine.user_namespaces()
    return Finding("user_namespaces", "user namespaces", seen, details={"available": ok})


def _disk() -> Finding:
    places = {"state": state_dir(), "cache": cache_dir()}
    free = {what: machine.free_bytes(path) for what, path in places.items()}
    seen = "; ".join(f"{what} {places[what]}: {human(free[what])} free" for what in places)
    low = [what for what, size in free.items() if size < LOW_DISK]
    if low:
        seen += f" (under {human(LOW_DISK)} where {' and '.join(low)} live: provisioning may fail)"
    return Finding("disk", "free disk", seen, ok=not low, details={f"{w}_free": free[w] for w in places})


def _cache() -> Finding:
    root = cache_dir()
    if not root.is_dir():
        return Finding("cache", "cache", f"{root} does not exist yet (nothing cached)", details={"path": str(root)})
    sizes = {p.name: machine.tree_size(p) for p in sorted(root.iterdir()) if p.is_dir()}
    seen = f"{root}: " + (", ".join(f"{name} {human(size)}" for name, size in sizes.items()) or "empty")
    return Finding("cache", "cache", seen, details={"path": str(root), "sizes": sizes})


def _limit_text(memory: int | None, pids: int | None, cpus: float | None) -> str:
    return (
        # binary units: the settings write memory as Docker does (6g = 6 GiB)
        f"memory {f'{memory / 2**30:.1f} GiB' if memory else 'unlimited'}, pids {pids or 'unlimited'}, "
        f"cpus {f'{cpus:g}' if cpus else 'unlimited'}"
    )


def _limits(settings: Settings, lab_container: Any) -> Finding:
    if in_lab():
        own = machine.own_cgroup_limits()
        seen = _limit_text(own.memory, own.pids, own.cpus) + " (this lab's cgroup, read from inside)"
        return Finding("lab_limits", "lab limits", seen, details=dict(own.__dict__))
    wanted = f"memory {settings.lab_memory}, pids {settings.lab_pids}, cpus {settings.lab_cpus:g}"
    wanted += ", privileged" if settings.privileged else ""
    details: dict[str, Any] = {
        "memory": settings.lab_memory,
        "pids": settings.lab_pids,
        "cpus": settings.lab_cpus,
        "privileged": settings.privileged,
    }
    if settings.mode != "lab":
        return Finding("lab_limits", "lab limits", f"host mode: no lab (a lab would get {wanted})", details=details)
    if lab_container is None:
        seen = f"configured {wanted}; lab {settings.lab_name} does not exist"
        return Finding("lab_limits", "lab limits", seen, details=details)
    hc = lab_container.attrs.get("HostConfig") or {}
    memory, pids = hc.get("Memory") or None, hc.get("PidsLimit") or None
    cpus, privileged = (hc.get("NanoCpus") or 0) / 1e9 or None, bool(hc.get("Privileged"))
    details["lab"] = {"memory": memory, "pids": pids, "cpus": cpus, "privileged": privileged}
    seen = (
        f"configured {wanted}; lab {settings.lab_name} ({lab_container.status}) has "
        + _limit_text(memory, pids, cpus)
        + (", privileged" if privileged else "")
    )
    return Finding("lab_limits", "lab limits", seen, details=details)


def _pid_budget(settings: Settings, pid_max_file: Path = Path("/proc/sys/kernel/pid_max")) -> Finding:
    """How many labs at their process cap the host's ``pid_max`` holds (a runaway lab takes its whole cap)."""
    if in_lab():
        return Finding("pid_budget", "process ids", "read on the host (docker-course doctor there)")
    pid_max = int(pid_max_file.read_text())
    labs = pid_max // settings.lab_pids if settings.lab_pids > 0 else 0
    seen = f"host pid_max {pid_max}: {labs} labs at their process cap ({settings.lab_pids}) would take every pid"
    if labs < 2:
        seen += "; raise kernel.pid_max or lower lab_pids, or one runaway lab starves the host"
    return Finding("pid_budget", "process ids", seen, ok=False if labs < 2 else None, details={"pid_max": pid_max})


def diagnose() -> DoctorReport:
    """Read everything the report shows; never raises.

    Example::

        for finding in diagnose().findings:
            print(finding.title, finding.seen)
    """
    findings: list[Finding] = []
    try:
        settings: Settings | None = Settings.load()
    except Exception as e:  # noqa: BLE001 - broken settings are a finding too
        settings = None
        findings.append(Finding("settings", "settings", str(e), ok=False))
    host: docker.DockerClient | None = None
    try:
        host_finding, host = _host_engine()
    except Exception as e:  # noqa: BLE001 - an engine that answers the ping but not version/info
        host_finding = Finding("host_engine", "host engine", f"could not be read ({type(e).__name__}: {e})", ok=False)
    findings.append(host_finding)
    lab_container = None
    if settings is not None and host is not None and settings.mode == "lab":
        lab_container = _find_lab(host, settings.lab_name)
    if settings is not None:
        findings.append(_guarded("course_engine", "course engine", lambda: _course_engine(settings)))
    findings += [
        _guarded("cgroup", "cgroup", lambda: _cgroup(host)),
        _guarded("iptables", "iptables", lambda: _iptables(lab_container)),
        _guarded("kvm", "KVM", _kvm),
        _guarded("user_namespaces", "user namespaces", _userns),
        _guarded("disk", "free disk", _disk),
        _guarded("cache", "cache", _cache),
    ]
    if settings is not None:
        findings.append(_guarded("lab_limits", "lab limits", lambda: _limits(settings, lab_container)))
        findings.append(_guarded("pid_budget", "process ids", lambda: _pid_budget(settings)))
    return DoctorReport(findings)


def _find_lab(host: docker.DockerClient, name: str) -> Any:
    try:
        return lab.find(host, name)
    except Exception:  # noqa: BLE001 - a lab that cannot be found is reported by the limits line
        return None
