"""Check type: an HTTP server answers in a network namespace (the engine host's or a container's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.served_page import served_by
from grader.facts.listeners import owner_command, parse_owner


@dataclass
class HttpInNamespace(Check):
    """``http://host:port/`` answers from the engine host's network namespace or, with ``inside``,
    from that container's. With ``page_of``, the answer must be an HTTP 200 with that container's
    course/web page (its own hostname); without, any HTTP answer counts. With ``served_by``, the
    answer must come from that container's own process: in the host's network, it owns the
    listening socket; in a network of its own, it publishes the port."""

    port: int = 80
    host: str = "127.0.0.1"
    inside: str | None = None
    page_of: str = ""
    served_by: str = ""
    kind: ClassVar[str] = "http in namespace"
    REQUIRED = ("host",)
    OBJECTS = {"inside": "container", "page_of": "container", "served_by": "container"}

    def describe(self) -> str:
        where = f"from {self.inside}" if self.inside else "on the engine host"
        what = f" with {self.page_of}'s page" if self.page_of else ""
        return self.title or f"http://{self.host}:{self.port}/ answers {where}{what}"

    def evaluate(self, ctx: Context) -> Outcome:
        answer = ctx.facts.http(self.host, self.port, "/", inside=self.inside)
        where = f"in {self.inside}'s network namespace" if self.inside else "in the engine host's network namespace"
        if answer.status is None:
            found = f"no HTTP answer {where} ({answer.error or 'connection refused'})"
            hint = f"Nothing serves port {self.port} {where}."
            if self.inside:
                hint += f" Is {self.inside} sharing the namespace of the server?"
            else:
                hint += " Start the server in the foreground (httpd -f -p PORT) so the container keeps running."
            return Outcome(False, self.describe(), found, hint)
        found = f"HTTP {answer.status}: {answer.body.strip()[:120]}"
        if self.served_by:
            return self._served_by(ctx, found)
        if not self.page_of:
            return Outcome(True, self.describe(), found)
        hostname = ctx.facts.container(self.page_of).hostname
        if answer.ok and served_by(answer.body, hostname):
            return Outcome(True, self.describe(), found)
        return Outcome(
            False,
            self.describe(),
            found,
            f"Another server answered, not {self.page_of} (hostname {hostname}): join {self.page_of}'s "
            f"namespace with --network container:{self.page_of}.",
        )

    def _served_by(self, ctx: Context, found: str) -> Outcome:
        """Whether the answer came from ``served_by``'s own process (its socket, or its published port)."""
        server = ctx.facts.container(self.served_by)
        expected = f"{self.describe()}, served by {self.served_by}'s own process"
        if server.network_mode != "host":
            if any(b.host_port == self.port for b in server.port_bindings):
                return Outcome(True, expected, f"{found} (through {self.served_by}'s published port)")
            return Outcome(
                False,
                expected,
                f"{found}, but {self.served_by} neither shares the host's network nor publishes {self.port}",
                f"Another server answers on port {self.port}. Run {self.served_by} with --network host.",
            )
        owner = parse_owner(ctx.facts.exec(self.served_by, owner_command(self.port)).stdout)
        if owner == "own":
            return Outcome(True, expected, f"{found} (the listening socket is {self.served_by}'s)")
        if owner == "unknown":
            return Outcome(
                False,
                expected,
                f"{found}; could not read {self.served_by}'s sockets",
                f"The check reads /proc inside {self.served_by}: run it from busybox, as the exercise does.",
            )
        return Outcome(
            False,
            expected,
            f"{found}, but no process of {self.served_by} listens on {self.port}",
            f"Another container or process on the engine host serves port {self.port}: stop it, and run the "
            f"server in {self.served_by} itself (httpd -f -p {self.port}).",
        )
