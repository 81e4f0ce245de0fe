"""Check type: a container is attached to a network (and runs, from a given image)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.errors import NotFound


@dataclass
class AttachedToNetwork(Check):
    """``container`` is attached to ``network``; with ``running``, it runs; with ``image``, it
    was created from that image."""

    container: str = ""
    network: str = ""
    image: str = ""
    running: bool = True
    kind: ClassVar[str] = "network attachment"
    REQUIRED = ("container", "network")
    OBJECTS = {"container": "container", "network": "network", "image": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        source = f" from {self.image}" if self.image else ""
        return f"container {self.container}{source} is attached to {self.network}"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.container)
        attached = sorted(facts.networks)
        mode = facts.network_mode
        found = f"{self.container}: {facts.status}, networks: {', '.join(attached) or 'none'}"
        if mode in ("host", "none") or mode.startswith("container:"):
            found = f"{self.container}: {facts.status}, network mode {mode}"
        expected = self.describe()
        if self.image and not self._from_image(ctx, facts.image_id):
            return Outcome(
                False, expected, f"{found}, image {facts.image_ref}", f"Run {self.container} from {self.image}."
            )
        if self.network not in facts.networks:
            return Outcome(
                False,
                expected,
                found,
                f"Attach it: run it with --network {self.network} (or `docker network connect "
                f"{self.network} {self.container}`).",
            )
        if self.running and not facts.running:
            return Outcome(
                False,
                expected,
                found,
                f"It must be running: start it (docker start {self.container}), or give it a command that "
                "keeps running (sleep 3600) and -d.",
            )
        return Outcome(True, expected, found)

    def _from_image(self, ctx: Context, image_id: str) -> bool:
        try:
            return ctx.facts.image(self.image).id == image_id
        except NotFound:
            return False
