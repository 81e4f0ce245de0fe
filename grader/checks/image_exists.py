"""Check type: an image with this tag exists on the course engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageExists(Check):
    tag: str = ""
    kind: ClassVar[str] = "image exists"
    REQUIRED = ("tag",)
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        return self.title or f"image {self.tag} exists"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.image(self.tag)
        return Outcome(True, f"image {self.tag}", f"image {facts.id[7:19]}")
