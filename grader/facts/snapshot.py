"""One check run's view of the engine: every fact read at most once, ``reload()`` explicit."""

from __future__ import annotations

from typing import Any

import docker
from docker.errors import NotFound as DockerNotFound

from grader.errors import EngineUnavailable, NotFound
from grader.facts.container_exec import exec_in
from grader.facts.containers import ContainerFacts
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.images import ImageFacts
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
from grader.facts.probe import ProbeResult, ProbeSpec, run_probe
from grader.facts.topology import Topology, read_topology
from grader.facts.volumes import VolumeFile, read_volume_file


class EngineFacts:
    """Facts about the course engine, cached for the life of one check run.

    Example::

        facts = EngineFacts(client)
        facts.container("web-fixed").port_bindings
        facts.http("127.0.0.1", 8000).ok
    """

    def __init__(self, client: docker.DockerClient):
        self.client = client
        self._cache: dict[tuple[Any, ...], Any] = {}

    def reload(self) -> None:
        """Forget everything read so far."""
        self._cache.clear()

    def _once(self, key: tuple[Any, ...], read: Any) -> Any:
        if key not in self._cache:
            try:
                self._cache[key] = read()
            except NotFound as e:
                self._cache[key] = e
        value = self._cache[key]
        if isinstance(value, NotFound):
            raise value
        return value

    def image(self, ref: str) -> ImageFacts:
        return self._once(("image", ref), lambda: ImageFacts.read(self.client, ref))

    def container(self, name: str) -> ContainerFacts:
        return self._once(("container", name), lambda: ContainerFacts.read(self.client, name))

    def network(self, name: str) -> NetworkFacts:
        return self._once(("network", name), lambda: NetworkFacts.read(self.client, name))

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

    def volume(self, name: str) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            try:
                return dict(self.client.api.inspect_volume(name))
            except DockerNotFound as e:
                raise NotFound(f"There is no volume named {name} on the course engine.") from e
            except ENGINE_ERRORS as e:
                raise EngineUnavailable(f"The course engine did not answer about volume {name} ({e}).") from e

        return self._once(("volume", name), read)

    def volume_file(self, volume: str, path: str) -> VolumeFile:
        """A file in the named ``volume`` (probe mounting it read-only); NotFound if no such volume."""

        def read() -> VolumeFile:
            self.volume(volume)  # never mount an absent name: that would create the volume
            return read_volume_file(self.client, volume, path)

        return self._once(("volume_file", volume, path), read)

    def exists(self, kind: str, name: str) -> bool:
        """True when the image/container/network/volume ``name`` exists."""
        try:
            getattr(self, kind)(name)
            return True
        except NotFound:
            return False

    def namespaces(self, containers: tuple[str, ...]) -> dict[str, NamespaceInodes]:
        """Namespace inodes of the engine host (``host``) and of each running container."""

        def read() -> dict[str, NamespaceInodes]:
            pids = {}
            for name in containers:
                facts = self.container(name)
                if not facts.running:
                    raise NotFound(f"The container {name} is not running (status {facts.status}).")
                pids[name] = facts.pid
            return read_namespaces(self.client, pids)

        return self._once(("namespaces", containers), read)

    def http(self, host: str, port: int, path: str = "/", inside: str | None = None) -> HttpAnswer:
        """An HTTP GET from the engine host's network namespace (probe), or from the
        network namespace of the running container ``inside``."""

        def read() -> HttpAnswer:
            if inside is None:
                return http_get(self.client, host, port, path)
            return http_get(self.client, host, port, path, netns_pid=self._running_pid(inside))

        key = ("http", host, port, path) if inside is None else ("http", host, port, path, inside)
        return self._once(key, read)

    def _running_pid(self, container: str) -> int:
        facts = self.container(container)
        if not facts.running:
            raise NotFound(f"The container {container} is not running (status {facts.status}).")
        return facts.pid

    def interfaces(self, container: str) -> list[Interface]:
        """Interfaces inside the running container's network namespace."""
        return self._once(("links", container), lambda: container_interfaces(self.client, self._running_pid(container)))

    def topology(self) -> Topology:
        """Bridges, veth pairs and every running container's interfaces, read by one probe."""
        return self._once(("topology",), lambda: read_topology(self.client))

    def veth_peer(self, container: str) -> str | None:
        """The engine-host veth paired with the container's eth0."""

        def read() -> str | None:
            facts = self.container(container)
            if not facts.running:
                raise NotFound(f"The container {container} is not running (status {facts.status}).")
            return veth_peer(self.client, facts.pid)

        return self._once(("veth", container), read)

    def exec(self, container: str, command: list[str]) -> ProbeResult:
        """``command`` run (as root) inside the running ``container``, once per distinct command."""

        def read() -> ProbeResult:
            self._running_pid(container)  # a clear "not running" before trying
            return exec_in(self.client, self.container(container).id, command)

        return self._once(("exec", container, tuple(command)), read)

    def run(self, spec: ProbeSpec) -> ProbeResult:
        """Run a probe (an image with a command) once per distinct spec."""
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
        return self._once(key, lambda: run_probe(self.client, spec))
