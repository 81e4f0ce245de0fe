"""The one interface checks read engine state through: :class:`Facts`.

:class:`grader.facts.snapshot.EngineFacts` implements it against a real engine;
unit tests implement it over recorded inspect data. Every fact is typed (no raw
inspect dicts cross this boundary) and read at most once per check run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from grader.errors import NotFound
from grader.facts.containers import ContainerFacts
from grader.facts.images import FileInImage, ImageFacts
from grader.facts.journal import Journal
from grader.facts.namespaces import NamespaceInodes
from grader.facts.networks import HttpAnswer, Interface, NetworkFacts
from grader.facts.probe import ProbeResult, ProbeSpec
from grader.facts.topology import Topology
from grader.facts.volumes import VolumeFacts, VolumeFile


class Facts(Protocol):
    """What a check may ask about the course engine.

    Lookups raise :class:`~grader.errors.NotFound` for an absent object; facts
    that need a running container raise :class:`~grader.errors.NotRunning`;
    probes raise :class:`~grader.errors.ProbeError` or, in an inspect-only run,
    :class:`~grader.errors.ProbeRefused`. Subclass it explicitly to inherit the
    ``has_*`` and :meth:`container_name` helpers.
    """

    def image(self, ref: str) -> ImageFacts:
        """The image ``ref`` (a tag or an id)."""
        ...

    def container(self, name: str) -> ContainerFacts:
        """The container ``name`` (a name or an id)."""
        ...

    def network(self, name: str) -> NetworkFacts:
        """The network ``name``."""
        ...

    def volume(self, name: str) -> VolumeFacts:
        """The named volume ``name``."""
        ...

    def gateway(self, network: str) -> str:
        """A bridge network's gateway address (IPAM data, else the bridge interface's own address)."""
        ...

    def volume_file(self, volume: str, path: str) -> VolumeFile:
        """The file ``path`` (relative to the volume's root) in the named ``volume``."""
        ...

    def namespaces(self, containers: tuple[str, ...]) -> dict[str, NamespaceInodes]:
        """Namespace inodes of the engine host (key ``host``) and of each running container."""
        ...

    def http(self, host: str, port: int, path: str = "/", inside: str | None = None) -> HttpAnswer:
        """An HTTP GET from the engine host's network namespace, or from the running container ``inside``'s."""
        ...

    def interfaces(self, container: str) -> list[Interface]:
        """The interfaces inside the running container's network namespace."""
        ...

    def topology(self) -> Topology:
        """Bridges, veth pairs and every running container's interfaces."""
        ...

    def veth_peer(self, container: str) -> str | None:
        """The engine-host veth paired with the running container's eth0 (None without one)."""
        ...

    def exec(self, container: str, command: list[str]) -> ProbeResult:
        """``command`` run as root inside the running ``container``."""
        ...

    def run(self, spec: ProbeSpec) -> ProbeResult:
        """A probe container run to completion."""
        ...

    def onbuild_child(self, image: str, context: dict[str, bytes], paths: list[str]) -> dict[str, FileInImage | None]:
        """The files at ``paths`` in a child the course builds FROM ``image`` with ``context`` (its triggers run)."""
        ...

    def image_tags(self) -> list[str]:
        """Every tag of every image on the engine (dangling and intermediate images have none)."""
        ...

    def journal(self) -> Journal:
        """The course's event journal of this engine: what the learner did, and the period it covers."""
        ...

    def has_image(self, ref: str) -> bool:
        """True when the image ``ref`` exists."""
        return _exists(self.image, ref)

    def has_container(self, name: str) -> bool:
        """True when the container ``name`` exists (in any state)."""
        return _exists(self.container, name)

    def has_volume(self, name: str) -> bool:
        """True when the named volume ``name`` exists."""
        return _exists(self.volume, name)

    def container_name(self, ref: str) -> str | None:
        """The current name of the container with id (or id prefix, or name) ``ref``; None when it is gone.

        Docker stores ``--network container:NAME`` and ``--ipc container:NAME`` as the
        joined container's id: this turns it back into the name the learner typed.
        """
        try:
            return self.container(ref).name
        except NotFound:
            return None


def _exists(lookup: Callable[[str], object], name: str) -> bool:
    try:
        lookup(name)
        return True
    except NotFound:
        return False
