"""Check type: an image is built on top of a base image (its layers start with the base's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageBasedOn(Check):
    tag: str = ""
    base: str = ""
    kind: ClassVar[str] = "image based on"

    def describe(self) -> str:
        return self.title or f"{self.tag} is built FROM {self.base}"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        base = ctx.facts.image(self.base)
        expected = f"the first {len(base.layers)} layer(s) of {self.base}"
        if image.starts_with(base):
            return Outcome(True, expected, f"{len(image.layers)} layers, starting with {self.base}'s")
        return Outcome(
            False,
            expected,
            f"{len(image.layers)} layer(s) that do not start with {self.base}'s",
            f"Start the Dockerfile with `FROM {self.base}`.",
        )
