"""What the course engine holds now, typed: the learner's containers, networks, volumes, images.

The one reader of "the learner's containers": every container but the grader's
own probes and labs (a lab is engine infrastructure, seen when the course engine
is the host engine). The engine panel lists the :class:`Inventory`; the pictures
draw :func:`learner_containers` (inspected, running) and their
:class:`PublishedPorts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import docker

from grader.engine.settings import COURSE_LABEL, PROBE_LABEL
from grader.errors import EngineUnavailable, NotFound
from grader.facts.containers import ContainerFacts, PortBinding, joined_container
from grader.facts.engine_errors import ENGINE_ERRORS


def is_learners(labels: Mapping[str, str] | None) -> bool:
    """True for a container the learner made: neither a probe of the grader nor a lab."""
    labels = labels or {}
    return PROBE_LABEL not in labels and labels.get(COURSE_LABEL) != "lab"


@dataclass(frozen=True)
class ContainerSummary:
    """One container as ``docker ps -a`` lists it; ``ports`` are the published ones."""

    names: tuple[str, ...]
    image: str
    state: str
    status: str
    ports: tuple[PortBinding, ...]

    @property
    def name(self) -> str:
        return ",".join(self.names)

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class NetworkSummary:
    name: str
    driver: str
    subnets: tuple[str, ...]


@dataclass(frozen=True)
class VolumeSummary:
    name: str
    driver: str


@dataclass(frozen=True)
class ImageSummary:
    """One image: its tags (none when dangling), size in bytes, id."""

    tags: tuple[str, ...]
    size: int
    id: str


@dataclass(frozen=True)
class Inventory:
    """Everything the engine panel lists, each kind sorted by name."""

    containers: tuple[ContainerSummary, ...]
    networks: tuple[NetworkSummary, ...]
    volumes: tuple[VolumeSummary, ...]
    images: tuple[ImageSummary, ...]


def _container(summary: dict[str, Any]) -> ContainerSummary:
    ports = tuple(
        PortBinding(int(p.get("PrivatePort") or 0), str(p.get("Type", "")), str(p.get("IP", "")), int(p["PublicPort"]))
        for p in summary.get("Ports") or []
        if p.get("PublicPort")
    )
    return ContainerSummary(
        tuple(n.lstrip("/") for n in summary.get("Names") or []),
        str(summary.get("Image", "")),
        str(summary.get("State", "")),
        str(summary.get("Status", "")),
        ports,
    )


def read_inventory(client: docker.DockerClient) -> Inventory:
    """Read the engine's containers (the learner's), networks, volumes and images, once each.

    Raises:
        EngineUnavailable: the engine did not answer.
    """
    api = client.api
    try:
        containers = [c for c in api.containers(all=True) if is_learners(c.get("Labels"))]
        networks, volumes, images = api.networks(), api.volumes().get("Volumes") or [], api.images()
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine did not answer ({e}).") from e
    return Inventory(
        tuple(_container(c) for c in sorted(containers, key=lambda c: (c.get("Names") or [""])[0])),
        tuple(
            NetworkSummary(
                str(n.get("Name", "")),
                str(n.get("Driver", "")),
                tuple(str(cfg.get("Subnet", "")) for cfg in (n.get("IPAM") or {}).get("Config") or []),
            )
            for n in sorted(networks, key=lambda n: n.get("Name", ""))
        ),
        tuple(VolumeSummary(str(v.get("Name", "")), str(v.get("Driver", ""))) for v in volumes),
        tuple(
            ImageSummary(
                tuple(t for t in i.get("RepoTags") or [] if t != "<none>:<none>"),
                int(i.get("Size") or 0),
                str(i.get("Id", "")),
            )
            for i in sorted(images, key=lambda i: (i.get("RepoTags") or ["~"])[0])
        ),
    )


def learner_containers(client: docker.DockerClient) -> list[ContainerFacts]:
    """The learner's running containers, inspected once each, by name.

    Raises:
        EngineUnavailable: the engine did not answer.
    """
    try:
        summaries = client.api.containers(filters={"status": "running"})
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine did not answer ({e}).") from e
    found = []
    for summary in summaries:
        if not is_learners(summary.get("Labels")):
            continue
        try:
            found.append(ContainerFacts.read(client, summary["Id"]))
        except NotFound:
            continue  # removed while we were looking
    return sorted(found, key=lambda f: f.name)


@dataclass(frozen=True)
class PublishedPorts:
    """A container's port bindings in force and the ports it exposes that nobody published (``81/tcp``)."""

    name: str
    image: str
    bindings: tuple[PortBinding, ...]
    unpublished: tuple[str, ...]

    @classmethod
    def of(cls, facts: ContainerFacts) -> PublishedPorts:
        """The ports of ``facts``; a container without a network namespace of its own publishes nothing."""
        mode = facts.network_mode
        own_namespace = mode not in ("host", "none") and joined_container(mode) is None
        published = {f"{b.container_port}/{b.protocol}" for b in facts.port_bindings}
        unpublished = sorted(facts.exposed_ports - published) if own_namespace else []
        return cls(facts.name, facts.image_ref, tuple(facts.port_bindings), tuple(unpublished))
