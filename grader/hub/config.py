"""The hub's JupyterHub configuration, from the record ``hub up`` wrote (``STATE/hub/hub.json``).

``STATE/hub/jupyterhub_config.py`` is two lines that call :func:`configure`: the settings
live here, in the course's code, not in a generated file.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from grader.hub.state import hub_dir, load_record

IDLE_TIMEOUT = 3600  # seconds without activity before a learner's lab is stopped (workspace kept)
START_TIMEOUT = 300  # seconds a lab may take to start (its engine, base images, the server)


def proxy_command() -> list[str]:
    """The proxy: the Python configurable-http-proxy beside this interpreter (not any node on PATH)."""
    beside = Path(sys.executable).parent / "configurable-http-proxy"
    return [str(beside if beside.exists() else shutil.which("configurable-http-proxy") or beside)]


def configure(c: Any) -> None:
    """Fill JupyterHub's config object ``c`` from the hub's record."""
    record = load_record()
    if record is None:
        raise SystemExit(f"No hub record in {hub_dir()}: start the hub with `docker-course hub up`.")
    folder = hub_dir()
    c.JupyterHub.ip, c.JupyterHub.port = "127.0.0.1", record.port
    # the single-user servers in the labs reach the API on the host's address on the labs' network
    c.JupyterHub.hub_ip, c.JupyterHub.hub_port = record.hub_ip, record.hub_port
    c.JupyterHub.hub_connect_ip = record.hub_ip
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{record.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(folder / "cookie_secret")
    c.JupyterHub.pid_file = str(folder / "jupyterhub.pid")
    c.JupyterHub.spawner_class = "grader.hub.spawner.LabSpawner"
    c.LabSpawner.lab_prefix = record.lab_prefix
    c.Spawner.start_timeout, c.Spawner.http_timeout = START_TIMEOUT, 120
    c.Spawner.default_url = "/lab"
    c.JupyterHub.authenticator_class = "grader.hub.auth.UserFileAuthenticator"
    c.Authenticator.admin_users = {record.admin}
    c.Authenticator.allowed_users = set(record.learners)
    c.JupyterHub.cleanup_servers = True  # `hub down` stops every lab
    c.JupyterHub.services = [
        {"name": "course-admin", "api_token": record.api_token},
        {
            "name": "idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
        },
    ]
    c.JupyterHub.load_roles = [
        {"name": "admin", "services": ["course-admin"]},
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        },
    ]
