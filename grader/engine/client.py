"""Connections to Docker engines: the host engine (where labs run) and the course engine.

The API version is negotiated per connection, the way the docker CLI does it: the
newest version both sides speak. Pinning one version breaks on new engines
(Docker 29 refuses anything below 1.44) and on old ones alike.
"""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException

from grader.engine.settings import Settings, in_lab
from grader.errors import EngineUnavailable

# The newest API the course is tested against (docker-py 7's default; Docker 26 speaks 1.45).
# Talking to a newer engine at this version keeps inspect data in the shape the facts read.
NEWEST_API = "1.45"
# The oldest engine the course can drive: Debian 12's dockerd 20.10 (`--cgroupns` needs 1.41).
OLDEST_API = "1.41"
DEFAULT_TIMEOUT = 120


def host_engine_url() -> str:
    """The engine that labs run on: DOCKER_HOST or the default socket."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def choose_api_version(server_max: str, server_min: str | None) -> str:
    """The API version to speak with an engine that speaks ``server_min``..``server_max``.

    Args:
        server_max: the engine's ``ApiVersion`` (from ``GET /version``).
        server_min: its ``MinAPIVersion``, or None when it does not say.

    Returns:
        The newest version both the engine and the course speak; an engine whose
        floor is above the course's newest is spoken to at its floor.

    Raises:
        EngineUnavailable: the engine is older than the course can drive.

    Example:
        >>> choose_api_version("1.52", "1.44")
        '1.45'
    """
    if _as_tuple(server_max) < _as_tuple(OLDEST_API):
        raise EngineUnavailable(
            f"The engine speaks Docker API {server_max} at most; the course needs {OLDEST_API} "
            "(Docker 20.10) or newer. Upgrade the engine, or use the lab (`docker-course engine up`)."
        )
    chosen = min(server_max, NEWEST_API, key=_as_tuple)
    if server_min and _as_tuple(server_min) > _as_tuple(chosen):
        chosen = server_min
    return chosen


def negotiate(url: str, timeout: int = DEFAULT_TIMEOUT) -> str:
    """Ask the engine at ``url`` which API versions it speaks and choose one.

    ``GET /version`` without a version prefix answers on every engine, whatever its floor.

    Raises:
        DockerException, OSError: nothing answers at ``url``.
        EngineUnavailable: the engine is too old for the course.
    """
    probe = docker.APIClient(base_url=url, version=OLDEST_API, timeout=timeout)
    try:
        info = probe.version(api_version=False)
    finally:
        probe.close()
    if "ApiVersion" not in info:
        raise DockerException(f"the engine's /version has no ApiVersion: {sorted(info)}")
    return choose_api_version(str(info["ApiVersion"]), info.get("MinAPIVersion"))


def connect(url: str, timeout: int = DEFAULT_TIMEOUT, what: str = "engine") -> docker.DockerClient:
    """Open a client on ``url`` at a negotiated API version and ping it.

    Raises:
        EngineUnavailable: nothing answers at ``url``, or the engine is too old;
            the message says what to do.
    """
    try:
        client = docker.DockerClient(base_url=url, version=negotiate(url, timeout), timeout=timeout)
        client.ping()
    except (DockerException, OSError) as e:
        raise _unavailable(url, what, e) from e
    return client


def api_client(url: str, timeout: int = DEFAULT_TIMEOUT, what: str = "engine") -> docker.APIClient:
    """A low-level client on ``url`` at a negotiated API version (for long-running execs).

    Raises:
        EngineUnavailable: as ``connect``.
    """
    try:
        return docker.APIClient(base_url=url, version=negotiate(url, timeout), timeout=timeout)
    except (DockerException, OSError) as e:
        raise _unavailable(url, what, e) from e


def course_engine(timeout: int = DEFAULT_TIMEOUT) -> docker.DockerClient:
    """A client on the course engine of the mode in force (lab or host)."""
    settings = Settings.load()
    what = "course engine" if in_lab() or settings.mode == "host" else f"lab {settings.lab_name!r}"
    return connect(settings.docker_host(), timeout=timeout, what=what)


def _unavailable(url: str, what: str, error: BaseException) -> EngineUnavailable:
    return EngineUnavailable(
        f"The {what} at {url} does not answer ({_short(error)}). "
        "Start it with `docker-course engine up` (or check DOCKER_HOST)."
    )


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
