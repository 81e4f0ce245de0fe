"""Facts about a container: state, config, port bindings, mounts, network attachments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import docker

from grader.errors import EngineUnavailable
from grader.facts.engine_errors import ENGINE_ERRORS, inspecting

MAX_LOG_BYTES = 64_000


ENGINE_GONE = 255  # the exit code Docker gives a container whose engine stopped under it (a lab stopped)


@dataclass(frozen=True)
class PortBinding:
    """One published port: container port/proto -> host ip:port."""

    container_port: int
    protocol: str
    host_ip: str
    host_port: int

    @property
    def family(self) -> str:
        return "ipv6" if ":" in self.host_ip else "ipv4"

    def __str__(self) -> str:
        ip = f"[{self.host_ip}]" if self.family == "ipv6" else self.host_ip
        return f"{ip}:{self.host_port}->{self.container_port}/{self.protocol}"


@dataclass(frozen=True)
class Mount:
    """One mount of a container (volume, bind or tmpfs)."""

    type: str
    name: str
    source: str
    destination: str
    rw: bool


def parse_mounts(raw: list[dict[str, Any]] | None) -> list[Mount]:
    """``Mounts`` of inspect data (a container's, or a created container's) as typed mounts."""
    return [
        Mount(
            type=str(m.get("Type", "")),
            name=str(m.get("Name", "")),
            source=str(m.get("Source", "")),
            destination=str(m.get("Destination", "")),
            rw=bool(m.get("RW")),
        )
        for m in raw or []
    ]


def _bindings(ports: Mapping[str, Any] | None) -> list[PortBinding]:
    out = []
    for key, bindings in (ports or {}).items():
        port, _, proto = key.partition("/")
        for b in bindings or []:
            out.append(PortBinding(int(port), proto or "tcp", b.get("HostIp", ""), int(b.get("HostPort") or 0)))
    return out


def joined_container(mode: str) -> str | None:
    """The container a ``container:<id or name>`` mode joins; None for every other mode.

    Example::

        joined_container("container:4f2a...") == "4f2a..."
        joined_container("host") is None
    """
    return mode.removeprefix("container:") if mode.startswith("container:") else None


# namespace -> the HostConfig key holding its mode
MODE_KEYS = {
    "pid": "PidMode",
    "ipc": "IpcMode",
    "uts": "UTSMode",
    "net": "NetworkMode",
    "user": "UsernsMode",
    "cgroup": "CgroupnsMode",
}


@dataclass(frozen=True)
class NetworkAttachment:
    """A container's attachment to one network."""

    network: str
    ip: str
    gateway: str
    aliases: tuple[str, ...]
    prefix_length: int = 0


LogReader = Callable[[str, str], bytes]  # (container id, "both"|"stdout"|"stderr") -> raw output


class ContainerFacts:
    """A snapshot of one container's inspect data, read once; logs are read on first use.

    Built by :meth:`read` from the engine, or directly from recorded inspect data
    (``logs`` then reads nothing: the recorded ``recorded_logs`` text is the output).
    """

    def __init__(self, attrs: Mapping[str, Any], logs: LogReader | None = None, recorded_logs: str = ""):
        self._attrs = attrs
        self._read_logs = logs
        self._logs: dict[str, str] = {} if logs else {s: recorded_logs for s in ("both", "stdout", "stderr")}

    @classmethod
    def read(cls, client: docker.DockerClient, name: str) -> ContainerFacts:
        """Inspect the container ``name`` once.

        Raises:
            NotFound: no such container.
            EngineUnavailable: the engine did not answer.
        """
        with inspecting(f"There is no container named {name} on the course engine.", name):
            attrs = client.api.inspect_container(name)

        def read_logs(container_id: str, stream: str) -> bytes:
            out, err = stream in ("both", "stdout"), stream in ("both", "stderr")
            return bytes(client.api.logs(container_id, stdout=out, stderr=err, tail=2000))

        return cls(attrs, read_logs)

    @property
    def _config(self) -> Mapping[str, Any]:
        return self._attrs.get("Config") or {}

    @property
    def _host_config(self) -> Mapping[str, Any]:
        return self._attrs.get("HostConfig") or {}

    @property
    def _state(self) -> Mapping[str, Any]:
        return self._attrs.get("State") or {}

    @property
    def id(self) -> str:
        return str(self._attrs.get("Id", ""))

    @property
    def name(self) -> str:
        return str(self._attrs.get("Name", "")).lstrip("/")

    @property
    def image_id(self) -> str:
        """The id of the image the container was created from."""
        return str(self._attrs.get("Image", ""))

    @property
    def image_ref(self) -> str:
        """The image as the learner named it (``course/web:1.0``)."""
        return str(self._config.get("Image", ""))

    @property
    def status(self) -> str:
        return str(self._state.get("Status", ""))

    @property
    def running(self) -> bool:
        return bool(self._state.get("Running"))

    @property
    def exit_code(self) -> int:
        return int(self._state.get("ExitCode") or 0)

    @property
    def pid(self) -> int:
        """The container's first process as the engine host numbers it (0 when not running)."""
        return int(self._state.get("Pid") or 0)

    @property
    def created(self) -> str:
        return str(self._attrs.get("Created", ""))

    @property
    def command(self) -> list[str]:
        """Entrypoint + Cmd as the process saw them."""
        return list(self._config.get("Entrypoint") or []) + list(self._config.get("Cmd") or [])

    @property
    def hostname(self) -> str:
        return str(self._config.get("Hostname", ""))

    @property
    def exposed_ports(self) -> set[str]:
        """``80/tcp``-style ports the container's config exposes (the image's EXPOSE and ``--expose``)."""
        return set((self._config.get("ExposedPorts") or {}).keys())

    @property
    def network_mode(self) -> str:
        return self.namespace_mode("net")

    def namespace_mode(self, namespace: str) -> str:
        """The mode the container was created with for ``namespace`` (a key of MODE_KEYS):
        ``host``, ``shareable``, ``private``, ``container:<id>``, or ``""`` (the default)."""
        return str(self._host_config.get(MODE_KEYS[namespace]) or "")

    @property
    def privileged(self) -> bool:
        return bool(self._host_config.get("Privileged"))

    @property
    def cap_add(self) -> set[str]:
        return {c.upper().removeprefix("CAP_") for c in self._host_config.get("CapAdd") or []}

    @property
    def cap_drop(self) -> set[str]:
        return {c.upper().removeprefix("CAP_") for c in self._host_config.get("CapDrop") or []}

    @property
    def publish_all(self) -> bool:
        return bool(self._host_config.get("PublishAllPorts"))

    @property
    def port_bindings(self) -> list[PortBinding]:
        """Bindings in force (NetworkSettings.Ports), IPv4 and IPv6 alike."""
        return _bindings((self._attrs.get("NetworkSettings") or {}).get("Ports"))

    @property
    def requested_bindings(self) -> list[PortBinding]:
        """Bindings as asked for (HostConfig.PortBindings); host port 0 means random."""
        return _bindings(self._host_config.get("PortBindings"))

    @property
    def mounts(self) -> list[Mount]:
        return parse_mounts(self._attrs.get("Mounts"))

    def mount_at(self, destination: str) -> Mount | None:
        return next((m for m in self.mounts if m.destination.rstrip("/") == destination.rstrip("/")), None)

    @property
    def networks(self) -> dict[str, NetworkAttachment]:
        """Attachments by network name, with the address and prefix length on each."""
        nets = (self._attrs.get("NetworkSettings") or {}).get("Networks") or {}
        return {
            name: NetworkAttachment(
                network=name,
                ip=str(n.get("IPAddress") or ""),
                gateway=str(n.get("Gateway") or ""),
                aliases=tuple(n.get("Aliases") or ()),
                prefix_length=int(n.get("IPPrefixLen") or 0),
            )
            for name, n in nets.items()
        }

    def logs(self, stream: str = "both") -> str:
        """The container's output (bounded to the last ~64 kB), read once per stream.

        Raises:
            EngineUnavailable: the engine did not answer.
        """
        if stream not in self._logs:
            try:
                raw = self._read_logs(self.id, stream) if self._read_logs else b""
            except ENGINE_ERRORS as e:
                raise EngineUnavailable(f"Could not read the logs of {self.name} ({e}).") from e
            self._logs[stream] = raw[-MAX_LOG_BYTES:].decode(errors="replace")
        return self._logs[stream]
