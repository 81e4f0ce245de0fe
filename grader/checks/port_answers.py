"""Check type: a published port answers over HTTP with a page served by that very container."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.port_published import not_running_hint
from grader.checks.served_page import served_by
from grader.facts.containers import PortBinding


def probe_address(host_ip: str) -> str | None:
    """Where the engine host reaches a binding: loopback for wildcard and loopback bindings.

    Other addresses are not probed: the course sends traffic only to loopback.
    """
    if host_ip in ("", "0.0.0.0") or host_ip.startswith("127."):
        return "127.0.0.1" if host_ip in ("", "0.0.0.0") else host_ip
    if host_ip in ("::", "::1"):
        return "::1"
    return None


def probe_targets(bindings: list[PortBinding]) -> tuple[list[tuple[str, int]], list[str]]:
    """Distinct (address, host port) pairs to probe, IPv4 first, and bindings left unprobed."""
    targets: list[tuple[str, int]] = []
    skipped = []
    for b in sorted(bindings, key=lambda b: b.family):
        address = probe_address(b.host_ip)
        if address is None:
            skipped.append(str(b))
        elif (address, b.host_port) not in targets:
            targets.append((address, b.host_port))
    return targets, skipped


@dataclass
class PublishedPortAnswers(Check):
    """An HTTP GET to a host port where ``container_port`` of ``name`` is published answers 200
    with a page holding ``contains`` and the container's own hostname (so another server's page
    does not count). IPv4 and IPv6 bindings are alternatives: one answer is enough."""

    name: str = ""
    container_port: int = 80
    protocol: str = "tcp"
    contains: str = ""
    image: str | None = None
    kind: ClassVar[str] = "published port answers"
    REQUIRED = ("name", "contains")
    OBJECTS = {"name": "container", "image": "image"}

    def describe(self) -> str:
        return self.title or f"{self.name} answers on the host port of {self.container_port}/{self.protocol}"

    def evaluate(self, ctx: Context) -> Outcome:
        container = ctx.facts.container(self.name)
        expected = f"HTTP 200 with {self.contains!r} and {self.name}'s hostname on the published port"
        if not container.running:
            return Outcome(False, expected, f"{self.name} is {container.status}", not_running_hint(container))
        if self.image and container.image_id != ctx.facts.image(self.image).id:
            return Outcome(
                False,
                expected,
                f"{self.name} runs {container.image_ref}",
                f"Run {self.name} from {self.image}: that image serves the page the check looks for.",
            )
        bindings = [
            b
            for b in container.port_bindings
            if b.container_port == self.container_port and b.protocol == self.protocol
        ]
        if not bindings:
            return Outcome(
                False,
                expected,
                f"{self.container_port}/{self.protocol} is not published",
                "No host port leads to this container port, so nothing outside the container can reach it.",
            )
        targets, skipped = probe_targets(bindings)
        tried = []
        other_page = False
        for address, port in targets:
            answer = ctx.facts.http(address, port)
            mine = self.contains in answer.body and served_by(answer.body, container.hostname)
            if answer.ok and mine:
                return Outcome(True, expected, f"{answer.url}: HTTP 200, page served by {container.hostname}")
            other_page = other_page or answer.ok
            tried.append(
                f"{answer.url}: " + (f"HTTP {answer.status}" if answer.status else answer.error or "no answer")
            )
        tried += [f"{s}: not probed (the course only probes loopback)" for s in skipped]
        if other_page:
            hint = "The port answered with a page that is not this container's: is the right container published there?"
        elif skipped and not targets:
            hint = "Bind the port on 127.0.0.1 (or all interfaces): the course checks it from the engine host."
        else:
            hint = (
                f"The port is published but nothing answers behind it: the server inside must listen on "
                f"0.0.0.0 (one on 127.0.0.1 is unreachable even when published) and on container port "
                f"{self.container_port}."
            )
        return Outcome(False, expected, "; ".join(tried), hint)
