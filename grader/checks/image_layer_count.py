"""Check type: an image has exactly (or at most) a number of filesystem layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageLayerCount(Check):
    """``tag`` has ``count`` layers (``at_most``: no more than ``count``)."""

    tag: str = ""
    count: int = 1
    at_most: bool = False
    kind: ClassVar[str] = "layer count"
    REQUIRED = ("tag",)
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        return f"{self.tag} has {'at most ' if self.at_most else ''}{self.count} layer(s)"

    def evaluate(self, ctx: Context) -> Outcome:
        layers = ctx.facts.image(self.tag).layers
        expected = f"{'at most ' if self.at_most else 'exactly '}{self.count} layer(s)"
        ok = len(layers) <= self.count if self.at_most else len(layers) == self.count
        return Outcome(ok, expected, f"{len(layers)} layer(s)")
