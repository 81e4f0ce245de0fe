"""Facts about networks and interfaces: IPAM data, veth peers, and reachability."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import docker

from grader.errors import ProbeError
from grader.facts.engine_errors import inspecting
from grader.facts.probe import ProbeResult, host_probe


class NetworkFacts:
    """A snapshot of one network's inspect data, read once."""

    def __init__(self, attrs: Mapping[str, Any]):
        self._attrs = attrs

    @classmethod
    def read(cls, client: docker.DockerClient, name: str) -> NetworkFacts:
        """Inspect the network ``name`` once.

        Raises:
            NotFound: no such network.
            EngineUnavailable: the engine did not answer.
        """
        with inspecting(f"There is no network named {name} on the course engine.", f"network {name}"):
            return cls(client.api.inspect_network(name))

    @property
    def name(self) -> str:
        return str(self._attrs.get("Name", ""))

    @property
    def driver(self) -> str:
        return str(self._attrs.get("Driver", ""))

    @property
    def subnets(self) -> list[str]:
        return [c["Subnet"] for c in (self._attrs.get("IPAM") or {}).get("Config") or [] if c.get("Subnet")]

    @property
    def gateways(self) -> list[str]:
        return [c["Gateway"] for c in (self._attrs.get("IPAM") or {}).get("Config") or [] if c.get("Gateway")]

    @property
    def bridge_name(self) -> str:
        """The engine-host interface of a bridge network (``docker0``, ``br-<id>``)."""
        options = self._attrs.get("Options") or {}
        default = "docker0" if self.name == "bridge" else f"br-{str(self._attrs.get('Id', ''))[:12]}"
        return str(options.get("com.docker.network.bridge.name") or default)


@dataclass(frozen=True)
class Interface:
    """A network interface as ``ip -o link`` shows it."""

    index: int
    name: str
    peer_index: int | None


_LINK = re.compile(r"^(\d+):\s+([^:@\s]+)(?:@if(\d+)|@\S+)?:")


def parse_links(text: str) -> list[Interface]:
    """Interfaces from ``ip -o link`` output."""
    out = []
    for line in text.splitlines():
        m = _LINK.match(line.strip())
        if m:
            out.append(Interface(int(m.group(1)), m.group(2), int(m.group(3)) if m.group(3) else None))
    return out


def container_interfaces(client: docker.DockerClient, pid: int) -> list[Interface]:
    """Interfaces inside the network namespace of the process ``pid`` (engine-host PID)."""
    result = host_probe(client, ["nsenter", "-t", str(pid), "-n", "ip", "-o", "link"], nsenter=True)
    if not result.ok:
        raise ProbeError(f"Could not enter the container's network namespace: {result.stderr.strip()[:200]}")
    return parse_links(result.stdout)


# the container's interfaces, a marker, then the engine host's: one probe instead of two
_PEER_SCRIPT = 'nsenter -t "$1" -n ip -o link || exit 3; echo "@@ host"; exec ip -o link'


def veth_peer(client: docker.DockerClient, pid: int, inside: str = "eth0") -> str | None:
    """The engine-host interface paired with ``inside`` of the container whose PID is ``pid`` (one probe)."""
    result = host_probe(client, ["sh", "-c", _PEER_SCRIPT, "veth", str(pid)], nsenter=True)
    inner, marked, outer = result.stdout.partition("@@ host\n")
    if not result.ok or not marked:
        what = "enter the container's network namespace" if not marked else "list the engine host's interfaces"
        raise ProbeError(f"Could not {what}: {result.stderr.strip()[:200]}")
    eth = next((i for i in parse_links(inner) if i.name == inside), None)
    if eth is None or eth.peer_index is None:
        return None
    return next((i.name for i in parse_links(outer) if i.index == eth.peer_index), None)


def interface_addresses(client: docker.DockerClient, name: str) -> list[str]:
    """IPv4 addresses (CIDR) of interface ``name`` in the engine host's network namespace."""
    result = host_probe(client, ["ip", "-4", "-o", "addr", "show", "dev", name])
    return re.findall(r"inet (\S+)", result.stdout) if result.ok else []


@dataclass(frozen=True)
class HttpAnswer:
    """What an HTTP GET from the engine host's network namespace got."""

    url: str
    status: int | None
    body: str
    error: str

    @property
    def ok(self) -> bool:
        return self.status == 200


def http_get(
    client: docker.DockerClient,
    host: str,
    port: int,
    path: str = "/",
    timeout: int = 4,
    netns_pid: int | None = None,
) -> HttpAnswer:
    """GET ``http://host:port/path`` from the engine host's network namespace.

    With ``netns_pid``, from the network namespace of that process instead (a
    container's: its ``127.0.0.1`` is then the container's own loopback).
    """
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}{path}"
    enter = ["nsenter", "-t", str(netns_pid), "-n"] if netns_pid else []
    result: ProbeResult = host_probe(
        client,
        [*enter, "timeout", str(timeout), "wget", "-S", "-q", "-O", "-", url],
        nsenter=bool(netns_pid),
        timeout=timeout + 15,
    )
    statuses = re.findall(r"HTTP/\d(?:\.\d)?\s+(\d{3})", result.stderr)
    status = int(statuses[-1]) if statuses else None
    error = "" if result.ok else (result.stderr.strip().splitlines() or ["no answer"])[-1][:200]
    return HttpAnswer(url, status, result.stdout, error)
