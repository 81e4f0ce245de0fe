"""The hub's spawner: each learner's single-user server runs inside their own lab.

Start makes (or updates) the learner's workspace under ``STATE/hub/workspaces/NAME``,
starts their lab (their own engine, the course's limits) and, in it,
``jupyterhub-singleuser`` on the lab's address on the labs' network. Stop removes the
lab and keeps the workspace (and the lab's engine data, for the next start).
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from jupyterhub.spawner import Spawner
from traitlets import Unicode

from grader.engine.lab_spec import LAB_JUPYTER_PORT
from grader.hub.kit import kit_tarball
from grader.hub.state import BASES_ENV, PREFIX_ENV, lab_name, workspaces_dir
from grader.services import hub_labs


class LabSpawner(Spawner):
    """A single-user server inside the learner's own lab."""

    lab_prefix = Unicode(os.environ.get(PREFIX_ENV, "dchub"), help="Labs are called PREFIX-USER.").tag(config=True)

    @property
    def lab(self) -> str:
        """This learner's lab name."""
        return lab_name(self.lab_prefix, self.user.name)

    @property
    def workspace(self) -> Any:
        """This learner's workspace folder (kept across stops)."""
        return workspaces_dir() / self.user.name

    async def start(self) -> tuple[str, int]:
        """Start the learner's lab and their server in it; the (address, port) the proxy routes to."""
        self.ip, self.port = "0.0.0.0", LAB_JUPYTER_PORT  # inside the lab; the lab's own address is returned
        env = {k: v for k, v in self.get_env().items() if k.startswith("JUPYTERHUB_") or k == "JPY_API_TOKEN"}
        bases = json.loads(os.environ[BASES_ENV]) if os.environ.get(BASES_ENV) else None
        tarball = await asyncio.to_thread(kit_tarball)
        self.workspace.parent.mkdir(parents=True, exist_ok=True)
        started = await asyncio.to_thread(
            hub_labs.start_learner_lab, self.lab, self.lab_prefix, self.workspace, tarball, env, bases
        )
        self.log.info("lab %s for %s at %s (engine %s)", started.name, self.user.name, started.ip, started.docker_host)
        return started.ip, LAB_JUPYTER_PORT

    async def poll(self) -> int | None:
        """None while the learner's lab runs, else 0 (stopped)."""
        return None if await asyncio.to_thread(hub_labs.lab_running, self.lab) else 0

    async def stop(self, now: bool = False) -> None:
        """Remove the learner's lab; their workspace and engine data stay."""
        await asyncio.to_thread(hub_labs.stop_learner_lab, self.lab, self.workspace)

    def get_state(self) -> dict[str, Any]:
        """What the hub's database keeps for this server: the lab's name."""
        state: dict[str, Any] = super().get_state()
        state["lab"] = self.lab
        return state
