"""``hub up``, ``hub status`` and ``hub down``: one JupyterHub process, found by its record.

``up`` writes the record (``STATE/hub/hub.json``: ports, admin token, class list), a
two-line ``jupyterhub_config.py`` and starts ``jupyterhub`` in its own session; the hub
starts its proxy and, per learner, a lab (:mod:`grader.hub.spawner`). ``down`` stops
the hub (it stops every server), then removes whatever lab of this hub is left.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from grader.engine.http_wait import wait_for_http
from grader.engine.progress import Reporter, silent
from grader.errors import ConfigError, EngineUnavailable
from grader.hub import state
from grader.hub.kit import kit_tarball
from grader.hub.state import BASES_ENV, PREFIX_ENV, lab_name
from grader.nbgrader_glue import exchange_layout
from grader.services import hub_labs

DEFAULT_PORT = 8000
DEFAULT_ADMIN = "instructor"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 120.0  # the hub stops every learner's lab before it exits


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False  # our own child (the hub started from this process) that exited
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running() -> state.HubRecord | None:
    """The recorded hub while its process lives, else None."""
    record = state.load_record()
    return record if record is not None and _alive(record.pid) else None


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def up(
    port: int = DEFAULT_PORT,
    users: Path | None = None,
    admin: str = DEFAULT_ADMIN,
    prefix: str = "dchub",
    bases: list[str] | None = None,
    report: Reporter = silent,
) -> state.HubRecord:
    """Start the hub on 127.0.0.1:``port`` (its proxy), its API on the labs' gateway.

    Raises:
        ConfigError: a hub already runs, the port is taken, or the user list is wrong.
        EngineUnavailable: the hub did not answer in time (its log is named).
    """
    found = running()
    if found is not None:
        raise ConfigError(f"The hub is already running at {found.url} (stop it with `docker-course hub down`).")
    learners = state.read_users_file(users) if users else []
    state.check_name(admin, "the admin")
    if not _port_free("127.0.0.1", port):
        raise ConfigError(f"Port {port} on 127.0.0.1 is already in use: choose another with `hub up --port N`.")
    folder = state.ensure_hub_dir()
    kit_tarball(report)  # built now (pip, once), not in the first learner's spawn
    exchange_layout.ensure_instructor()  # `nbgrader release_assignment` needs it before any learner logs in
    gateway = hub_labs.labs_gateway()
    record = state.HubRecord(
        pid=0,
        port=port,
        hub_ip=gateway,
        hub_port=_free_port(gateway),
        proxy_api_port=_free_port("127.0.0.1"),
        api_token=secrets.token_hex(24),
        admin=admin,
        lab_prefix=prefix,
        learners=learners,
        base_images=bases,
    )
    state.logins([admin, *learners])
    state.write_private(folder / "jupyterhub_config.py", "from grader.hub.config import configure\nconfigure(c)\n")
    state.save_record(record)
    problem = hub_labs.open_hub_port(record.hub_ip, record.hub_port)
    if problem:
        report(f"{problem}: labs on the user-namespaced engine will not reach the hub")
    report(f"starting JupyterHub on {record.url} (API for the labs on {gateway}:{record.hub_port})")
    record.pid = _spawn(folder, record)
    state.save_record(record)
    _wait_ready(record, folder / "jupyterhub.log")
    return record


def _spawn(folder: Path, record: state.HubRecord) -> int:
    env = dict(os.environ, **{PREFIX_ENV: record.lab_prefix, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"})
    if record.base_images is not None:
        env[BASES_ENV] = json.dumps(record.base_images)
    with open(folder / "jupyterhub.log", "ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            [sys.executable, "-m", "jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
            cwd=folder,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    return proc.pid


def _wait_ready(record: state.HubRecord, log: Path) -> None:
    if wait_for_http(f"{record.url}hub/api/", START_TIMEOUT, alive=lambda: _alive(record.pid)):
        return
    tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
    if _alive(record.pid):
        os.killpg(record.pid, signal.SIGTERM)
    state.forget_record()
    raise EngineUnavailable(
        f"JupyterHub did not answer on {record.url} within {START_TIMEOUT:g} s (it was stopped). "
        f"Its log {log} ends: {' | '.join(tail)[-400:] or '(empty)'}"
    )


def api(record: state.HubRecord, path: str, method: str = "GET", body: Any = None) -> Any:
    """Call the hub's REST API with the admin token; the decoded JSON (None when empty).

    Raises:
        urllib.error.HTTPError: the hub refused.
    """
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{record.url}hub/api/{path.lstrip('/')}", data=data, method=method)
    request.add_header("Authorization", f"token {record.api_token}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own hub on 127.0.0.1
        text = response.read()
    return json.loads(text) if text else None


def status() -> dict[str, Any]:
    """``running``, ``url``, ``api_token`` and ``users`` (``name``, ``admin``, ``lab``, ``docker_host``, ``server``)."""
    record = running()
    if record is None:
        return {"running": False, "url": None, "api_token": None, "exchange": None, "users": []}
    labs = {info.name: info for info in hub_labs.hub_labs(record.lab_prefix)}
    users = []
    for user in api(record, "users"):
        name = lab_name(record.lab_prefix, user["name"])
        info = labs.get(name)
        ready = bool((user.get("servers") or {}).get("", {}).get("ready"))
        users.append(
            {
                "name": user["name"],
                "admin": bool(user.get("admin")),
                "lab": name if info else None,
                "docker_host": info.docker_host if info else None,
                "server": "ready" if ready else ("starting" if info else "stopped"),
            }
        )
    exchange = str(exchange_layout.exchange_root())
    return {"running": True, "url": record.url, "api_token": record.api_token, "exchange": exchange, "users": users}


def down(purge: bool = False, report: Reporter = silent) -> list[str]:
    """Stop the hub (every learner's lab with it; workspaces kept); the labs removed.

    Args:
        purge: also remove the labs' engine data (the learners' images and containers).
    """
    record = state.load_record()
    if record is None:
        return []
    had = [info.name for info in hub_labs.hub_labs(record.lab_prefix)]
    if _alive(record.pid):
        report(f"stopping JupyterHub (pid {record.pid}) and its learners' labs")
        os.killpg(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _alive(record.pid) and time.monotonic() < deadline:
            time.sleep(0.3)
        if _alive(record.pid):
            os.killpg(record.pid, signal.SIGKILL)
    # the hub stopped its labs as it exited; whatever is left (a crashed hub) goes now
    learners = [p.name for p in state.workspaces_dir().iterdir()] if state.workspaces_dir().is_dir() else []
    every = {*had, *(lab_name(record.lab_prefix, name) for name in learners)}
    hub_labs.remove_hub_labs(record.lab_prefix, sorted(every), purge=purge)
    hub_labs.close_hub_port(record.hub_ip, record.hub_port)
    state.forget_record()
    return sorted(had)
