"""The engine host's network topology: bridges, veth pairs, containers' interfaces.

One probe in the engine host's namespaces lists the host's links and addresses
and, through ``nsenter``, those of every running container that has its own
network namespace; the engine API adds networks, modes and published ports.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import docker

from grader.errors import EngineUnavailable, NotFound, ProbeError
from grader.facts.containers import ContainerFacts, joined_container
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.inventory import learner_containers
from grader.facts.networks import NetworkFacts, parse_links
from grader.facts.probe import host_probe

_SCRIPT = """
echo "@@ link host"; ip -o link; echo "@@ addr host"; ip -o -4 addr
for p in "$@"; do
  echo "@@ link $p"; nsenter -t "$p" -n ip -o link
  echo "@@ addr $p"; nsenter -t "$p" -n ip -o -4 addr
done
"""
_MASTER = re.compile(r"\smaster\s+(\S+)")
_ADDR = re.compile(r"^(\d+):\s+(\S+)\s+inet\s+(\S+)")


@dataclass(frozen=True)
class Link:
    """One interface of a network namespace, with its IPv4 addresses (CIDR)."""

    index: int
    name: str
    peer_index: int | None
    master: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class BridgeView:
    """A bridge network and the host interface that implements it."""

    network: str
    interface: str
    subnet: str
    gateway: str


@dataclass(frozen=True)
class ContainerView:
    """A running container as the picture shows it.

    ``mode`` is ``bridge`` (attached to bridge networks), ``host``, ``none`` or
    ``container`` (then ``joins`` names the container whose namespace it uses).
    """

    name: str
    mode: str
    joins: str
    networks: tuple[tuple[str, str], ...]  # (network, ip/prefix)
    links: tuple[Link, ...]
    ports: tuple[str, ...]


@dataclass(frozen=True)
class Topology:
    """Host links, bridge networks and running containers of one engine."""

    host_links: tuple[Link, ...]
    bridges: tuple[BridgeView, ...]
    containers: tuple[ContainerView, ...]

    def host_link(self, index: int | None) -> Link | None:
        return next((link for link in self.host_links if link.index == index), None)

    def veth_of(self, container: str, inside: str = "eth0") -> Link | None:
        """The host-side end of the container's ``inside`` interface."""
        view = next((c for c in self.containers if c.name == container), None)
        link = next((li for li in view.links if li.name == inside), None) if view else None
        return self.host_link(link.peer_index) if link else None

    def owner_of(self, host_interface: str) -> str | None:
        """The container whose interface is paired with ``host_interface``."""
        for view in self.containers:
            for link in view.links:
                peer = self.host_link(link.peer_index)
                if peer is not None and peer.name == host_interface:
                    return view.name
        return None


def parse_sections(text: str) -> dict[str, dict[str, list[Link]]]:
    """``{label: {"link"|"addr": links}}`` from the probe's output; addresses merged into links."""
    raw: dict[str, dict[str, list[str]]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("@@ "):
            _, kind, label = line.split(maxsplit=2)
            current = raw.setdefault(label, {}).setdefault(kind, [])
        else:
            current.append(line)
    out: dict[str, dict[str, list[Link]]] = {}
    for label, kinds in raw.items():
        addresses: dict[int, list[str]] = {}
        for line in kinds.get("addr", []):
            m = _ADDR.match(line.strip())
            if m:
                addresses.setdefault(int(m.group(1)), []).append(m.group(3))
        masters = {}
        for line in kinds.get("link", []):
            m = _MASTER.search(line)
            idx = line.split(":", 1)[0].strip()
            if m and idx.isdigit():
                masters[int(idx)] = m.group(1)
        links = [
            Link(i.index, i.name, i.peer_index, masters.get(i.index, ""), tuple(addresses.get(i.index, ())))
            for i in parse_links("\n".join(kinds.get("link", [])))
        ]
        out[label] = {"link": links}
    return out


def build_topology(
    containers: Sequence[ContainerFacts], networks: Sequence[NetworkFacts], probe_output: str
) -> Topology:
    """A topology from the running containers and the networks, and the probe's output."""
    sections = parse_sections(probe_output)
    bridges = [
        BridgeView(n.name, n.bridge_name, (n.subnets or [""])[0], (n.gateways or [""])[0])
        for n in networks
        if n.driver == "bridge"
    ]
    names_by_id = {c.id: c.name for c in containers}
    views = []
    for facts in containers:
        mode = facts.network_mode
        target = joined_container(mode)
        joins = ""
        if target is not None:
            # the joined container runs too (a namespace is joined only while it lives): it is in the list
            joins = names_by_id.get(target) or next((n for i, n in names_by_id.items() if i.startswith(target)), target)
            mode = "container"
        elif mode not in ("host", "none"):
            mode = "bridge"
        nets = tuple((name, f"{a.ip}/{a.prefix_length}" if a.ip else "") for name, a in sorted(facts.networks.items()))
        links = tuple(sections.get(str(facts.pid), {}).get("link", []))
        views.append(ContainerView(facts.name, mode, joins, nets, links, tuple(str(b) for b in facts.port_bindings)))
    return Topology(tuple(sections.get("host", {}).get("link", [])), tuple(bridges), tuple(views))


def read_topology(client: docker.DockerClient) -> Topology:
    """Read the live topology of the engine: the learner's running containers, the networks, one probe.

    Raises:
        ProbeError: the probe could not read the interfaces.
        EngineUnavailable: the engine stopped answering.
    """
    containers = learner_containers(client)
    networks = []
    try:
        for summary in client.api.networks():
            with contextlib.suppress(NotFound):  # removed while we were looking
                networks.append(NetworkFacts.read(client, summary["Id"]))
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine did not answer while reading the topology ({e}).") from e
    own_netns = [str(c.pid) for c in containers if c.network_mode != "host" and not joined_container(c.network_mode)]
    result = host_probe(client, ["sh", "-c", _SCRIPT, "topology", *own_netns], nsenter=True)
    if not result.ok and "@@ link host" not in result.stdout:
        raise ProbeError(f"Could not read the engine host's interfaces: {result.stderr.strip()[:200]}")
    return build_topology(containers, networks, result.stdout)
