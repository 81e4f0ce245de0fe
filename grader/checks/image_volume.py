"""Check type: a container created from the image gets an anonymous volume at a path (VOLUME)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageAnonymousVolume(Check):
    """A container created (not started) from ``tag`` mounts an anonymous volume at ``destination``."""

    tag: str = ""
    destination: str = ""
    kind: ClassVar[str] = "anonymous volume of a new container"
    REQUIRED = ("tag", "destination")
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        return self.title or f"a container of {self.tag} gets an anonymous volume at {self.destination}"

    def evaluate(self, ctx: Context) -> Outcome:
        mounts = ctx.facts.image(self.tag).new_container_mounts
        expected = f"a volume mounted at {self.destination}"
        shown = ", ".join(f"{m.type} at {m.destination}" for m in mounts) or "no mounts"
        here = [m for m in mounts if m.destination == self.destination]
        if here and here[0].type == "volume":
            return Outcome(True, expected, f"anonymous volume {here[0].name[:12]} at {self.destination}")
        return Outcome(
            False,
            expected,
            shown,
            f"Declare `VOLUME {self.destination}` in the Dockerfile: every container of the image then gets "
            "a fresh anonymous volume there (a RUN mkdir makes only a folder).",
        )
