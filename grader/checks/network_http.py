"""Check type: an HTTP server answers in a network namespace (the engine host's or a container's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.served_page import served_by


@dataclass
class HttpInNamespace(Check):
    """``http://host:port/`` answers from the engine host's network namespace or, with ``inside``,
    from that container's. With ``page_of``, the answer must be an HTTP 200 with that container's
    course/web page (its own hostname); without, any HTTP answer counts."""

    port: int = 80
    host: str = "127.0.0.1"
    inside: str | None = None
    page_of: str = ""
    kind: ClassVar[str] = "http in namespace"
    REQUIRED = ("host",)
    OBJECTS = {"inside": "container", "page_of": "container"}

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
