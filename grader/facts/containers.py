"""Facts about a container: state, config, port bindings, mounts, network attachments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import NotFound as DockerNotFound

from grader.errors import EngineUnavailable, NotFound
from grader.facts.engine_errors import ENGINE_ERRORS

MAX_LOG_BYTES = 64_000


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


@dataclass(frozen=True)
class NetworkAttachment:
    """A container's attachment to one network."""

    network: str
    ip: str
    gateway: str
    aliases: tuple[str, ...]
    mac: str
    network_id: str


class ContainerFacts:
    """A snapshot of one container's inspect data; logs are read on first use."""

    def __init__(self, client: docker.DockerClient, attrs: dict[str, Any]):
        self.client = client
        self.attrs = attrs
        self._logs: dict[str, str] = {}

    @classmethod
    def read(cls, client: docker.DockerClient, name: str) -> ContainerFacts:
        """Inspect the container ``name`` once.

        Raises:
            NotFound: no such container.
        """
        try:
            return cls(client, client.api.inspect_container(name))
        except DockerNotFound as e:
            raise NotFound(f"There is no container named {name} on the course engine.") from e
        except ENGINE_ERRORS as e:
            raise EngineUnavailable(f"The course engine did not answer about {name} ({e}).") from e

    def reload(self) -> ContainerFacts:
        return ContainerFacts.read(self.client, self.id)

    @property
    def id(self) -> str:
        return str(self.attrs.get("Id", ""))

    @property
    def name(self) -> str:
        return str(self.attrs.get("Name", "")).lstrip("/")

    @property
    def image_id(self) -> str:
        return str(self.attrs.get("Image", ""))

    @property
    def image_ref(self) -> str:
        return str(self.config.get("Image", ""))

    @property
    def config(self) -> dict[str, Any]:
        return self.attrs.get("Config") or {}

    @property
    def host_config(self) -> dict[str, Any]:
        return self.attrs.get("HostConfig") or {}

    @property
    def state(self) -> dict[str, Any]:
        return self.attrs.get("State") or {}

    @property
    def status(self) -> str:
        return str(self.state.get("Status", ""))

    @property
    def running(self) -> bool:
        return bool(self.state.get("Running"))

    @property
    def exit_code(self) -> int:
        return int(self.state.get("ExitCode") or 0)

    @property
    def pid(self) -> int:
        return int(self.state.get("Pid") or 0)

    @property
    def created(self) -> str:
        return str(self.attrs.get("Created", ""))

    @property
    def command(self) -> list[str]:
        """Entrypoint + Cmd as the process saw them."""
        return list(self.config.get("Entrypoint") or []) + list(self.config.get("Cmd") or [])

    @property
    def env(self) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self.config.get("Env") or [])
        return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}

    @property
    def hostname(self) -> str:
        return str(self.config.get("Hostname", ""))

    @property
    def network_mode(self) -> str:
        return str(self.host_config.get("NetworkMode", ""))

    @property
    def pid_mode(self) -> str:
        return str(self.host_config.get("PidMode", ""))

    @property
    def ipc_mode(self) -> str:
        return str(self.host_config.get("IpcMode", ""))

    @property
    def privileged(self) -> bool:
        return bool(self.host_config.get("Privileged"))

    @property
    def cap_add(self) -> set[str]:
        return {c.upper().removeprefix("CAP_") for c in self.host_config.get("CapAdd") or []}

    @property
    def cap_drop(self) -> set[str]:
        return {c.upper().removeprefix("CAP_") for c in self.host_config.get("CapDrop") or []}

    @property
    def publish_all(self) -> bool:
        return bool(self.host_config.get("PublishAllPorts"))

    @property
    def auto_remove(self) -> bool:
        return bool(self.host_config.get("AutoRemove"))

    @property
    def port_bindings(self) -> list[PortBinding]:
        """Bindings in force (NetworkSettings.Ports), IPv4 and IPv6 alike."""
        ports = (self.attrs.get("NetworkSettings") or {}).get("Ports") or {}
        out = []
        for key, bindings in ports.items():
            port, _, proto = key.partition("/")
            for b in bindings or []:
                out.append(PortBinding(int(port), proto or "tcp", b.get("HostIp", ""), int(b.get("HostPort") or 0)))
        return out

    @property
    def requested_bindings(self) -> list[PortBinding]:
        """Bindings as asked for (HostConfig.PortBindings); host port 0 means random."""
        out = []
        for key, bindings in (self.host_config.get("PortBindings") or {}).items():
            port, _, proto = key.partition("/")
            for b in bindings or []:
                out.append(PortBinding(int(port), proto or "tcp", b.get("HostIp", ""), int(b.get("HostPort") or 0)))
        return out

    @property
    def mounts(self) -> list[Mount]:
        return [
            Mount(
                type=str(m.get("Type", "")),
                name=str(m.get("Name", "")),
                source=str(m.get("Source", "")),
                destination=str(m.get("Destination", "")),
                rw=bool(m.get("RW")),
            )
            for m in self.attrs.get("Mounts") or []
        ]

    def mount_at(self, destination: str) -> Mount | None:
        return next((m for m in self.mounts if m.destination.rstrip("/") == destination.rstrip("/")), None)

    @property
    def networks(self) -> dict[str, NetworkAttachment]:
        nets = (self.attrs.get("NetworkSettings") or {}).get("Networks") or {}
        return {
            name: NetworkAttachment(
                network=name,
                ip=str(n.get("IPAddress") or ""),
                gateway=str(n.get("Gateway") or ""),
                aliases=tuple(n.get("Aliases") or ()),
                mac=str(n.get("MacAddress") or ""),
                network_id=str(n.get("NetworkID") or ""),
            )
            for name, n in nets.items()
        }

    def logs(self, stream: str = "both") -> str:
        """The container's output (bounded to the last ~64 kB), read once per stream."""
        if stream not in self._logs:
            try:
                raw = self.client.api.logs(
                    self.id, stdout=stream in ("both", "stdout"), stderr=stream in ("both", "stderr"), tail=2000
                )
            except ENGINE_ERRORS as e:
                raise EngineUnavailable(f"Could not read the logs of {self.name} ({e}).") from e
            self._logs[stream] = raw[-MAX_LOG_BYTES:].decode(errors="replace")
        return self._logs[stream]
