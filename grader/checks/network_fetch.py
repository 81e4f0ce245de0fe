"""Check type: a client container fetched a server by its name and printed the server's page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.served_page import served_by, serving_hosts

_RESOLVE_ERRORS = ("bad address", "could not resolve", "name or service not known", "unknown host")


def names_host(command: list[str], host: str) -> bool:
    """True when ``command`` addresses ``host`` by name (``http://api/``, ``api:80``, ``api``)."""
    pattern = re.compile(rf"(?:^|[\s/@'\"=]){re.escape(host)}(?:$|[\s:/'\"])")
    return any(pattern.search(arg) for arg in command)


@dataclass
class FetchedByName(Check):
    """``client`` fetched ``server`` by name: ``part`` is ``command`` (its command names the
    server) or ``output`` (its output holds the page with the server's own hostname)."""

    client: str = ""
    server: str = ""
    part: str = "command"
    kind: ClassVar[str] = "fetched by name"
    REQUIRED = ("client", "server")
    CHOICES = {"part": ("command", "output")}
    OBJECTS = {"client": "container", "server": "container"}

    def describe(self) -> str:
        if self.title:
            return self.title
        if self.part == "command":
            return f"{self.client}'s command names {self.server}"
        return f"{self.client}'s output holds {self.server}'s page"

    def evaluate(self, ctx: Context) -> Outcome:
        client = ctx.facts.container(self.client)
        if self.part == "command":
            command = client.command
            found = " ".join(command) or "no command"
            if names_host(command, self.server):
                return Outcome(True, self.describe(), found)
            ips = {a.ip for a in ctx.facts.container(self.server).networks.values() if a.ip}
            if any(ip in arg for ip in ips for arg in command):
                hint = f"It fetched {self.server} by IP address: use its name, http://{self.server}/."
            else:
                hint = f"Its command must fetch http://{self.server}/ by name, e.g. wget -qO- http://{self.server}/"
            return Outcome(False, self.describe(), found, hint)
        server = ctx.facts.container(self.server)
        output = client.logs()
        expected = f"{self.client}'s output holds the page served by {server.hostname} ({self.server})"
        shown = output.strip()[-160:] or "no output"
        if served_by(output, server.hostname):
            return Outcome(True, expected, shown)
        lowered = output.lower()
        if any(e in lowered for e in _RESOLVE_ERRORS):
            hint = (
                f"The name {self.server} did not resolve: names resolve only on user-defined networks. "
                f"Run {self.client} with the same --network as {self.server}."
            )
        elif serving_hosts(output):
            hint = (
                f"The page came from {', '.join(serving_hosts(output))}, not from the current {self.server} "
                f"(hostname {server.hostname}): a recreated {self.server}? Run {self.client} again."
            )
        elif not output.strip():
            hint = (
                f"{self.client} printed nothing: let wget write the page to its output (wget -qO- URL), "
                "and keep the container (no --rm) so its logs remain."
            )
        else:
            hint = f"Fetch http://{self.server}/ with wget -qO- and let the page reach the output."
        return Outcome(False, expected, shown, hint)
