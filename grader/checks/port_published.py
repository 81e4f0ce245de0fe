"""Check type: a container publishes its port(s) as asked (host address, fixed or random host port, -P)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.containers import ENGINE_GONE, ContainerFacts, PortBinding

WILDCARDS = ("", "0.0.0.0", "::")


def describe_bindings(container: ContainerFacts, protocol: str = "tcp") -> str:
    """What a container publishes, as ``0.0.0.0:32768->80/tcp, ...`` (and whether -P was used)."""
    shown = ", ".join(str(b) for b in container.port_bindings if b.protocol == protocol) or "no published ports"
    return shown + (" (run with -P)" if container.publish_all else "")


def not_running_hint(container: ContainerFacts) -> str:
    """Why a container that should serve is not running, and what to do."""
    if container.status == "created":
        return (
            f"{container.name} is only Created: a `docker run` that fails (a port already allocated, ...) "
            f"leaves the container behind. Remove it with `docker rm {container.name}`, then run it again."
        )
    if container.status == "exited" and container.exit_code == ENGINE_GONE:
        return (
            f"{container.name} stopped when its engine stopped (exit code {ENGINE_GONE}, e.g. the lab was "
            f"stopped): start it again with `docker start {container.name}`."
        )
    return (
        f"{container.name} is {container.status or 'not running'} and publishes nothing while stopped: "
        f"see `docker logs {container.name}`, remove it and run it again with -d."
    )


@dataclass
class PortPublished(Check):
    """Container port(s) of ``name`` published on the engine host.

    ``host_port``: None any, 0 a random host port (chosen by Docker), N exactly N.
    ``host_ip``: None any, ``""`` all interfaces, or an address (every binding on it).
    ``publish_all``: demand PublishAllPorts (``-P``) on or off; None: either.
    ``only``: no other container port may be published.
    ``flag``: the ``-p``/``-P`` option the exercise asks for, quoted in hints.
    A port published twice (IPv4 and IPv6, even on different random host ports) is fine.
    """

    name: str = ""
    container_ports: list[int] = field(default_factory=lambda: [80])
    protocol: str = "tcp"
    host_port: int | None = None
    host_ip: str | None = None
    publish_all: bool | None = None
    only: bool = False
    flag: str = ""
    kind: ClassVar[str] = "published port"
    REQUIRED = ("name", "container_ports")
    OBJECTS = {"name": "container"}

    def describe(self) -> str:
        return self.title or f"{self.name} publishes {self._ports()}"

    def _ports(self) -> str:
        return " and ".join(f"{p}/{self.protocol}" for p in self.container_ports)

    def expected(self) -> str:
        parts = [f"{self._ports()} published"]
        if self.host_ip is not None:
            parts.append("on all interfaces" if self.host_ip == "" else f"on {self.host_ip} only")
        if self.host_port == 0:
            parts.append("to a random host port")
        elif self.host_port is not None:
            parts.append(f"to host port {self.host_port}")
        if self.publish_all is not None:
            parts.append("with -P" if self.publish_all else "without -P")
        if self.only:
            parts.append("and no other port")
        return " ".join(parts)

    def evaluate(self, ctx: Context) -> Outcome:
        container = ctx.facts.container(self.name)
        expected = self.expected()
        if not container.running:
            return Outcome(False, expected, f"{self.name} is {container.status}", not_running_hint(container))
        problems = self.problems(container)
        found = describe_bindings(container, self.protocol)
        if problems:
            return Outcome(False, expected, found, problems[0])
        return Outcome(True, expected, found)

    def problems(self, container: ContainerFacts) -> list[str]:
        """Hints for every way the container's bindings differ from the demand, most telling first."""
        bound = [b for b in container.port_bindings if b.protocol == self.protocol]
        by_port: dict[int, list[PortBinding]] = {}
        for b in bound:
            by_port.setdefault(b.container_port, []).append(b)
        out: list[str] = []
        use = f" Run it with `{self.flag}`." if self.flag else ""
        for port in self.container_ports:
            if port not in by_port:
                out.append(self._missing(port, container, by_port) + use)
        if self.publish_all is True and not container.publish_all:
            out.append(
                "-P (capital P) publishes every EXPOSEd port of the image to random host ports; "
                "-p publishes only the ports you name." + use
            )
        if self.publish_all is False and container.publish_all:
            out.append(
                f"-P publishes every EXPOSEd port{self._exposed_here(container)} to random host ports; "
                f"-p publishes only the port you name.{use}"
            )
        extra = sorted(set(by_port) - set(self.container_ports))
        if self.only and extra and not container.publish_all:
            out.append(f"Only {self._ports()} should be published, not also {', '.join(map(str, extra))}.{use}")
        for port in (p for p in self.container_ports if p in by_port):
            out += self._host_side(port, by_port[port], container, use)
        return out

    def _exposed_here(self, container: ContainerFacts) -> str:
        """`` (here 80 and 81)``: the ports the container's image exposes, as the engine reports them."""
        ports = sorted(int(p.split("/")[0]) for p in container.exposed_ports if p.endswith(f"/{self.protocol}"))
        if not ports:
            return ""
        shown = ", ".join(map(str, ports[:-1])) + " and " if len(ports) > 1 else ""
        return f" (here {shown}{ports[-1]})"

    def _missing(self, port: int, container: ContainerFacts, by_port: dict[int, list[PortBinding]]) -> str:
        swapped = self.host_port and any(
            b.container_port == self.host_port and b.host_port == port for bs in by_port.values() for b in bs
        )
        if swapped:
            return (
                f"Host and container ports are swapped: the order is -p HOST:CONTAINER, so publishing container "
                f"port {port} on host port {self.host_port} is -p {self.host_port}:{port}."
            )
        exposed = f"{port}/{self.protocol}" in container.exposed_ports
        if not by_port and exposed:
            return (
                f"Container port {port} is only EXPOSEd: EXPOSE documents a port (and is the list -P uses) but "
                "publishes nothing; without -p or -P no host port leads to it."
            )
        if not by_port:
            return f"Nothing is published: container port {port} needs -p (or -P)."
        others = ", ".join(map(str, sorted(by_port)))
        return (
            f"Container port {port} is not published (container port {others} is): in -p HOST:CONTAINER the "
            "last number is the port the server listens on inside the container."
        )

    def _host_side(self, port: int, bindings: list[PortBinding], container: ContainerFacts, use: str) -> list[str]:
        out = []
        requested = [
            r for r in container.requested_bindings if r.container_port == port and r.protocol == self.protocol
        ]
        if self.host_ip is not None:
            wrong = sorted({b.host_ip for b in bindings if b.host_ip != self.host_ip})
            wildcard = self.host_ip == "" and all(ip in WILDCARDS for ip in wrong)
            if wrong and not wildcard and any(ip in WILDCARDS for ip in wrong):
                out.append(
                    f"Port {port} is bound on all interfaces (0.0.0.0): anyone who can reach this machine can "
                    f"connect. Put the host address first to bind on {self.host_ip} only.{use}"
                )
            elif wrong and not wildcard:
                out.append(
                    f"Port {port} is bound on {', '.join(wrong)}. The address in -p IP:HOST:CONTAINER is a host "
                    f"address to listen on (not the container's): use {self.host_ip or 'none (all interfaces)'}.{use}"
                )
        if self.host_port == 0:
            chosen = sorted({r.host_port for r in requested if r.host_port})
            if chosen:
                out.append(
                    f"You chose host port {', '.join(map(str, chosen))}: leave the host port out "
                    f"(-p {port}, or -p 127.0.0.1::{port}) and Docker picks a free one.{use}"
                )
        elif self.host_port is not None:
            wrong_ports = sorted({b.host_port for b in bindings if b.host_port != self.host_port})
            random = not requested or all(not r.host_port for r in requested)
            if wrong_ports and random:
                out.append(
                    f"Docker chose a random host port ({', '.join(map(str, wrong_ports))}): write the host port "
                    f"before the container port, -p {self.host_port}:{port}.{use}"
                )
            elif wrong_ports:
                out.append(
                    f"Port {port} is published on host port {', '.join(map(str, wrong_ports))}, "
                    f"not {self.host_port}.{use}"
                )
        return out
