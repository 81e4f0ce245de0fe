"""Connections to Docker engines: the host engine (where labs run) and the course engine."""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException

from grader.engine.settings import Settings, in_lab
from grader.errors import EngineUnavailable

API_VERSION = "1.41"  # Debian 12's dockerd 20.10; newer engines still speak it
DEFAULT_TIMEOUT = 120


def host_engine_url() -> str:
    """The engine that labs run on: DOCKER_HOST or the default socket."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connect(url: str, timeout: int = DEFAULT_TIMEOUT, what: str = "engine") -> docker.DockerClient:
    """Open a client on ``url`` and ping it.

    Raises:
        EngineUnavailable: nothing answers at ``url``; the message says what to do.
    """
    try:
        client = docker.DockerClient(base_url=url, version=API_VERSION, timeout=timeout)
        client.ping()
    except (DockerException, OSError) as e:
        raise EngineUnavailable(
            f"The {what} at {url} does not answer ({_short(e)}). "
            "Start it with `docker-course engine up` (or check DOCKER_HOST)."
        ) from e
    return client


def course_engine(timeout: int = DEFAULT_TIMEOUT) -> docker.DockerClient:
    """A client on the course engine of the mode in force (lab or host)."""
    settings = Settings.load()
    what = "course engine" if in_lab() or settings.mode == "host" else f"lab {settings.lab_name!r}"
    return connect(settings.docker_host(), timeout=timeout, what=what)


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
