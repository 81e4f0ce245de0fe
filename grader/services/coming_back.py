"""Coming back after a stop: the lab's containers that were running when it stopped run again.

``engine down`` (``./course.sh stop``) removes the lab but keeps its engine's
data; without this, every container of the learner is ``Exited (255)`` at the
next start and every check of a running container fails. So ``down`` writes the
names of the learner's running containers to ``STATE/labs/LAB/running-at-stop.json``
(beside the run folder, never in it: the lab cannot write it), and ``up`` starts
them again once the new lab's engine answers, saying which did and which could
not (with the engine's reason). Containers stopped some other way (a reboot)
are only named, with the ``docker start NAME`` that brings each back.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import docker

from grader.engine.progress import Reporter, silent
from grader.engine.settings import lab_run_dir
from grader.facts.containers import ENGINE_GONE
from grader.facts.inventory import is_learners

RECORD = "running-at-stop.json"


def _record(lab: str) -> Path:
    return lab_run_dir(lab).parent / RECORD


@dataclass(frozen=True)
class CameBack:
    """What :func:`start_again` did: started, could not start (name -> reason), left stopped by a crash."""

    started: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    stopped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What to tell the learner (nothing when nothing was running)."""
        out = [f"started again, as they ran before the stop: {', '.join(self.started)}"] if self.started else []
        out += [f"could not start {name} again: {why}" for name, why in sorted(self.failed.items())]
        if self.stopped:
            commands = "; ".join(f"docker start {n}" for n in self.stopped)
            out.append(f"stopped when the engine stopped (exit {ENGINE_GONE}): {commands}")
        return out


def remember_running(client: docker.DockerClient, lab: str) -> list[str]:
    """Write down the learner's running containers of ``lab`` (before it stops); their names."""
    names = sorted(
        c.name for c in client.containers.list(filters={"status": "running"}) if is_learners(c.labels) and c.name
    )
    path = _record(lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"running": names}) + "\n")
    return names


def remembered(lab: str) -> list[str]:
    """The names :func:`remember_running` wrote for ``lab`` (empty when none or unreadable)."""
    try:
        names = json.loads(_record(lab).read_text()).get("running", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def start_again(client: docker.DockerClient, lab: str, report: Reporter = silent) -> CameBack:
    """Start the containers that ran when ``lab`` stopped; name the others its engine's end stopped.

    The record is used once: it is removed afterwards, so a container the learner
    stops later is not started behind their back.
    """
    wanted = remembered(lab)
    done = CameBack()
    for name in wanted:
        try:
            container = client.containers.get(name)
            if container.status != "running":
                container.start()
            done.started.append(name)
        except docker.errors.NotFound:
            continue  # removed meanwhile: nothing to bring back
        except docker.errors.APIError as e:
            done.failed[name] = str(e.explanation or e)
    with contextlib.suppress(docker.errors.APIError):
        for c in client.containers.list(all=True, filters={"status": "exited", "exited": str(ENGINE_GONE)}):
            if is_learners(c.labels) and c.name not in wanted:
                done.stopped.append(c.name)
    _record(lab).unlink(missing_ok=True)
    for line in done.lines():
        report(line)
    return done
