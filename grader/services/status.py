"""What state the course engine is in: mode, engine URL and version, base images, JupyterLab URL.

``docker-course engine status`` prints it and the landing page shows it. Called
from inside a lab, the mode is ``lab``, the engine is the lab's own (at
``/run/course-engine/docker.sock``) and there is no JupyterLab URL to give: the
learner is already in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.engine import catalogue, host_jupyter, image_cache, lab
from grader.engine.client import course_engine
from grader.engine.install import ensure_host_engine
from grader.engine.settings import Settings, course_dir, in_lab
from grader.errors import GraderError
from grader.workspace.location import workspace_path


@dataclass(frozen=True)
class EngineStatus:
    """The course engine as seen now. ``error`` says why it is not ``reachable``."""

    mode: str
    docker_host: str
    in_lab: bool
    lab: str | None
    course_dir: str
    reachable: bool
    engine_version: str | None = None
    api_version: str | None = None
    base_images: dict[str, bool] = field(default_factory=dict)
    error: str = ""
    jupyter_url: str | None = None
    workspace: str | None = None  # the learner's workspace folder (host path)

    @property
    def present_images(self) -> list[str]:
        """Base images the engine has, in the catalogue's order."""
        return [tag for tag, ok in self.base_images.items() if ok]

    def to_json(self) -> dict[str, Any]:
        """The public ``engine status --json`` object (``mode`` and ``docker_host`` are contracts)."""
        data: dict[str, Any] = {
            "mode": self.mode,
            "docker_host": self.docker_host,
            "in_lab": self.in_lab,
            "lab": self.lab,
            "course_dir": self.course_dir,
        }
        if self.reachable:
            data.update(
                reachable=True,
                engine_version=self.engine_version,
                api_version=self.api_version,
                base_images=dict(self.base_images),
            )
        else:
            data.update(reachable=False, error=self.error, base_images={})
        data["jupyter_url"] = self.jupyter_url
        data["workspace"] = self.workspace
        return data


def engine_status(settings: Settings | None = None, timeout: int = 20, with_jupyter: bool = True) -> EngineStatus:
    """Read the course engine's state; an unreachable engine is a status, not an error.

    Args:
        settings: the settings in force (default: loaded now).
        timeout: seconds the engine may take to answer.
        with_jupyter: also find the JupyterLab URL (the landing page, already in JupyterLab, does not).

    Raises:
        ConfigError: the settings themselves are broken (only when ``settings`` is not given).
    """
    settings = settings or Settings.load()
    known: dict[str, Any] = {
        "mode": settings.mode,
        "docker_host": settings.docker_host(),
        "in_lab": in_lab(),
        "lab": settings.lab_name if settings.mode == "lab" else None,
        "course_dir": str(course_dir()),
    }
    try:
        client = course_engine(timeout=timeout)
        version = client.version()
        present = {t: image_cache.present(client, catalogue.BY_TAG[t]) for t in catalogue.COURSE_BASE_TAGS}
        engine: dict[str, Any] = {
            "reachable": True,
            "engine_version": version.get("Version"),
            "api_version": version.get("ApiVersion"),
            "base_images": present,
        }
    except GraderError as e:
        engine = {"reachable": False, "error": str(e)}
    url = jupyter_url(settings) if with_jupyter else None
    return EngineStatus(**known, **engine, jupyter_url=url, workspace=str(workspace_path()))


def jupyter_url(settings: Settings) -> str | None:
    """The URL (with token) of the learner's JupyterLab, None when none runs or inside a lab."""
    if in_lab():
        return None
    if settings.mode == "host":
        return host_jupyter.url()
    try:
        host = ensure_host_engine()
    except GraderError:
        return None
    container = lab.find(host, settings.lab_name)
    return lab.describe(container).jupyter_url if container is not None else None
