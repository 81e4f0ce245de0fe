"""One check run's view of the engine: every fact read at most once.

A new :class:`EngineFacts` reads the engine afresh; nothing is ever re-inspected
within one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import docker

from grader.engine.journal import journal_folder
from grader.errors import NotFound, NotRunning
from grader.facts import image_memo
from grader.facts.container_exec import exec_in
from grader.facts.containers import ContainerFacts
from grader.facts.engine_errors import inspecting
from grader.facts.images import FileInImage, ImageFacts
from grader.facts.interface import Facts
from grader.facts.journal import Journal, read_journal
from grader.facts.namespaces import NamespaceInodes, read_namespaces
from grader.facts.networks import (
    HttpAnswer,
    Interface,
    NetworkFacts,
    container_interfaces,
    http_get,
    interface_addresses,
    veth_peer,
)
from grader.facts.onbuild_probe import child_files
from grader.facts.probe import ProbeResult, ProbeSpec, image_only, refuse_if_inspect_only, run_probe
from grader.facts.topology import Topology, read_topology
from grader.facts.volumes import VolumeFacts, VolumeFile, read_volume_file

T = TypeVar("T")
# "absent" and "not running" are answers too: remembered, so a second check asking gets the same one
_REMEMBERED_ERRORS = (NotFound, NotRunning)


class EngineFacts(Facts):
    """Facts about the course engine, cached for the life of one check run.

    Example::

        facts = EngineFacts(client)
        facts.container("web-fixed").port_bindings
        facts.http("127.0.0.1", 8000).ok
    """

    def __init__(self, client: docker.DockerClient):
        self.client = client
        self._cache: dict[tuple[Any, ...], Any] = {}
        # checks of one run read side by side (the runner): one lock per fact, so a fact two checks
        # ask for at once is still read once (a fact's read only ever waits on more basic facts)
        self._locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _once(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                try:
                    self._cache[key] = read()
                except _REMEMBERED_ERRORS as e:
                    self._cache[key] = e
        value = self._cache[key]
        if isinstance(value, _REMEMBERED_ERRORS):
            raise value
        return value

    def image(self, ref: str) -> ImageFacts:
        return self._once(("image", ref), lambda: ImageFacts.read(self.client, ref))

    def container(self, name: str) -> ContainerFacts:
        return self._once(("container", name), lambda: ContainerFacts.read(self.client, name))

    def network(self, name: str) -> NetworkFacts:
        return self._once(("network", name), lambda: NetworkFacts.read(self.client, name))

    def volume(self, name: str) -> VolumeFacts:
        return self._once(("volume", name), lambda: VolumeFacts.read(self.client, name))

    def onbuild_child(self, image: str, context: dict[str, bytes], paths: list[str]) -> dict[str, FileInImage | None]:
        """A child built FROM ``image`` (its id: the tag may move) with ``context``, its ``paths`` read; once."""
        key = ("onbuild_child", image, tuple(sorted(context.items())), tuple(paths))

        def read() -> dict[str, FileInImage | None]:
            refuse_if_inspect_only()
            base_id = self.image(image).id
            # the child is a function of the base's content and the context: remembered by the base's id
            return image_memo.remembered(
                self.client, base_id, key[:1] + key[2:], lambda: child_files(self.client, base_id, context, paths)
            )

        return self._once(key, read)

    def image_tags(self) -> list[str]:
        """Every image tag on the engine, listed once."""

        def read() -> list[str]:
            with inspecting("The course engine did not list its images.", "images"):
                listed = self.client.api.images()
            return sorted({t for i in listed for t in i.get("RepoTags") or [] if t != "<none>:<none>"})

        return self._once(("image_tags",), read)

    def journal(self) -> Journal:
        """The course's event journal (a file beside the engine's socket, or grading's own), read once."""
        return self._once(("journal",), lambda: read_journal(journal_folder(self.client)))

    def running(self, name: str) -> ContainerFacts:
        """The container ``name``, which must be running.

        Raises:
            NotFound: no such container.
            NotRunning: it exists but is not running.
        """
        facts = self.container(name)
        if not facts.running:
            raise NotRunning(name, facts.status)
        return facts

    def gateway(self, network: str) -> str:
        """A bridge network's gateway: IPAM data, else the bridge interface's address.

        The default bridge's IPAM config often has no Gateway field (Docker 20.10):
        the truth is then docker0's own address.
        """

        def read() -> str:
            net = self.network(network)
            if net.gateways:
                return net.gateways[0]
            addresses = interface_addresses(self.client, net.bridge_name)
            return addresses[0].split("/")[0] if addresses else ""

        return self._once(("gateway", network), read)

    def volume_file(self, volume: str, path: str) -> VolumeFile:
        """A file in the named ``volume`` (probe mounting it read-only); NotFound if no such volume."""

        def read() -> VolumeFile:
            self.volume(volume)  # never mount an absent name: that would create the volume
            return read_volume_file(self.client, volume, path)

        return self._once(("volume_file", volume, path), read)

    def namespaces(self, containers: tuple[str, ...]) -> dict[str, NamespaceInodes]:
        """Namespace inodes of the engine host (``host``) and of each running container."""

        def read() -> dict[str, NamespaceInodes]:
            return read_namespaces(self.client, {name: self.running(name).pid for name in containers})

        return self._once(("namespaces", containers), read)

    def http(self, host: str, port: int, path: str = "/", inside: str | None = None) -> HttpAnswer:
        """An HTTP GET from the engine host's network namespace (probe), or from the
        network namespace of the running container ``inside``."""

        def read() -> HttpAnswer:
            if inside is None:
                return http_get(self.client, host, port, path)
            return http_get(self.client, host, port, path, netns_pid=self.running(inside).pid)

        key = ("http", host, port, path) if inside is None else ("http", host, port, path, inside)
        return self._once(key, read)

    def interfaces(self, container: str) -> list[Interface]:
        """Interfaces inside the running container's network namespace."""
        return self._once(("links", container), lambda: container_interfaces(self.client, self.running(container).pid))

    def topology(self) -> Topology:
        """Bridges, veth pairs and every running container's interfaces, read by one probe."""
        return self._once(("topology",), lambda: read_topology(self.client))

    def veth_peer(self, container: str) -> str | None:
        """The engine-host veth paired with the container's eth0."""
        return self._once(("veth", container), lambda: veth_peer(self.client, self.running(container).pid))

    def exec(self, container: str, command: list[str]) -> ProbeResult:
        """``command`` run (as root) inside the running ``container``, once per distinct command."""
        return self._once(
            ("exec", container, tuple(command)), lambda: exec_in(self.client, self.running(container).id, command)
        )

    def run(self, spec: ProbeSpec) -> ProbeResult:
        """Run a probe (an image with a command) once per distinct spec.

        A probe of the image alone (:func:`image_only`) runs from the id the tag has now
        and is remembered by that id for the process; others run every check run.
        """
        key = (
            "run",
            spec.image,
            tuple(spec.command or ()),
            tuple(spec.entrypoint or ()),
            spec.user,
            spec.pid_host,
            spec.network_mode,
            tuple(sorted(spec.volumes.items())),
        )
        return self._once(key, lambda: self._run_probe(spec, key[2:]))

    def _run_probe(self, spec: ProbeSpec, what: tuple[Any, ...]) -> ProbeResult:
        refuse_if_inspect_only()  # remembered or not: a live check runs no probe part
        if not image_only(spec):
            return run_probe(self.client, spec)
        try:
            image_id = self.image(spec.image).id
        except NotFound:  # the probe says so in its own words
            return run_probe(self.client, spec)
        what = ("run", *what, tuple(sorted(spec.environment.items())), spec.max_output)
        return image_memo.remembered(
            self.client,
            image_id,
            what,
            lambda: run_probe(self.client, replace(spec, image=image_id)),
            worth_keeping=lambda result: not result.timed_out,
        )
