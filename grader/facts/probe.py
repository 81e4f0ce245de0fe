"""Short-lived, labelled containers that observe the engine host (or run an image).

A probe uses the course's busybox image unless told otherwise, runs with its
arguments passed as a list (never pasted into a shell string by the caller), and
is removed in ``finally``, volumes included, whatever happens.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import docker
from docker.errors import APIError, DockerException, ImageNotFound
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from grader.engine.settings import PROBE_LABEL
from grader.errors import EngineUnavailable, NotFound, ProbeError, ProbeRefused
from grader.facts.engine_errors import ENGINE_ERRORS

PROBE_IMAGE = "busybox:latest"
NSENTER_CAPS = ["SYS_ADMIN", "SYS_PTRACE"]
# Set during inspect-only runs (live checking in a notebook): no container may be created.
_INSPECT_ONLY: ContextVar[bool] = ContextVar("docker_course_inspect_only", default=False)


@contextlib.contextmanager
def inspect_only() -> Iterator[None]:
    """Within this block (this thread/context only), every probe raises ProbeRefused.

    Example::

        with inspect_only():
            facts.image("course/hello:1.0").labels  # fine: inspect data
            facts.http("127.0.0.1", 8000)  # ProbeRefused
    """
    token = _INSPECT_ONLY.set(True)
    try:
        yield
    finally:
        _INSPECT_ONLY.reset(token)


def probes_refused() -> bool:
    """True inside :func:`inspect_only` (this thread/context)."""
    return _INSPECT_ONLY.get()


def refuse_if_inspect_only() -> None:
    """Raise ProbeRefused when called inside :func:`inspect_only` (before creating a container)."""
    if _INSPECT_ONLY.get():
        raise ProbeRefused("not checked live: this part runs a short-lived container, so it runs when you click Check")


@dataclass
class ProbeResult:
    """What a probe printed and how it ended."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass
class ProbeSpec:
    """How to run a probe: image, command, and the namespaces/privileges it needs."""

    command: list[str] | None = None
    image: str = PROBE_IMAGE
    entrypoint: list[str] | None = None
    user: str | None = None
    pid_host: bool = False
    # no network unless a probe asks for one ("host"): probes read and print, and a container without
    # the bridge's veth pair and firewall rules starts about a quarter faster (bench/checks.py)
    network_mode: str | None = "none"
    # named volume -> path in the probe, mounted read-only (the caller checks the volume exists:
    # mounting an absent name would create it)
    volumes: dict[str, str] = field(default_factory=dict)
    cap_add: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    timeout: float = 20
    max_output: int = 64_000


def image_only(spec: ProbeSpec) -> bool:
    """True when what ``spec`` prints depends on its image and command alone.

    No host namespaces, no network, no volume, no added capability: nothing of the
    engine's live state reaches the probe, so its answer holds while the image id does.
    """
    return not spec.pid_host and spec.network_mode == "none" and not spec.volumes and not spec.cap_add


def run_probe(client: docker.DockerClient, spec: ProbeSpec) -> ProbeResult:
    """Run ``spec`` to completion (or its timeout) and return its output.

    Raises:
        NotFound: the probe's image does not exist.
        ProbeError: the engine refused to create or start the probe.
        EngineUnavailable: the engine stopped answering.
        ProbeRefused: inside :func:`inspect_only`.
    """
    refuse_if_inspect_only()
    kwargs: dict[str, Any] = {
        "name": f"course-probe-{uuid.uuid4().hex[:10]}",
        "labels": {PROBE_LABEL: "true"},
        "detach": True,
        "cap_add": spec.cap_add or None,
        "environment": spec.environment or None,
    }
    if spec.pid_host:
        kwargs["pid_mode"] = "host"
    if spec.network_mode:
        kwargs["network_mode"] = spec.network_mode
    if spec.volumes:
        kwargs["volumes"] = {name: {"bind": path, "mode": "ro"} for name, path in spec.volumes.items()}
    if spec.cap_add:
        kwargs["security_opt"] = ["seccomp=unconfined", "apparmor=unconfined"]
    if spec.entrypoint is not None:
        kwargs["entrypoint"] = spec.entrypoint
    if spec.user is not None:
        kwargs["user"] = spec.user
    container = None
    try:
        container = client.containers.create(spec.image, spec.command, **kwargs)
        container.start()
        try:
            status = container.wait(timeout=spec.timeout)
            code, timed_out = int(status.get("StatusCode", -1)), False
        except (ReadTimeout, RequestsConnectionError):
            code, timed_out = -1, True
        out = container.logs(stdout=True, stderr=False, tail=2000)
        err = container.logs(stdout=False, stderr=True, tail=200)
        limit = spec.max_output
        return ProbeResult(code, out[:limit].decode(errors="replace"), err[:4000].decode(errors="replace"), timed_out)
    except ImageNotFound as e:
        raise NotFound(f"The image {spec.image} is not on the course engine.") from e
    except APIError as e:
        raise ProbeError(f"The engine refused a probe container: {e.explanation}") from e
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine stopped answering during a check ({e}).") from e
    finally:
        if container is not None:
            with contextlib.suppress(DockerException):
                container.remove(force=True, v=True)


def host_probe(
    client: docker.DockerClient, command: list[str], *, nsenter: bool = False, timeout: float = 20
) -> ProbeResult:
    """A busybox probe in the engine host's PID and network namespaces."""
    spec = ProbeSpec(
        command=command,
        pid_host=True,
        network_mode="host",
        cap_add=NSENTER_CAPS if nsenter else ["SYS_PTRACE"],
        timeout=timeout,
    )
    return run_probe(client, spec)


@contextlib.contextmanager
def created_container(client: docker.DockerClient, ref: str, doing: str, image_id: str = "") -> Iterator[Any]:
    """A labelled container created (never started) from ``ref``, removed with its volumes.

    Works for images with an ENTRYPOINT, without a shell, or FROM scratch. With
    ``image_id`` it is created from that id (what was inspected, even if the tag
    ``ref`` moved since); messages still name ``ref``.
    """
    refuse_if_inspect_only()
    container = None
    try:
        container = client.containers.create(
            image_id or ref,
            entrypoint=["/course-file-reader"],
            name=f"course-probe-{uuid.uuid4().hex[:10]}",
            labels={PROBE_LABEL: "true"},
            network_mode="none",
        )
        yield container
    except ImageNotFound as e:
        raise NotFound(f"The image {ref} does not exist on the course engine.") from e
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine failed while {doing} {ref} ({e}).") from e
    finally:
        if container is not None:
            with contextlib.suppress(DockerException):
                container.remove(force=True, v=True)
