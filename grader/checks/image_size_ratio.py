"""Check type: an image is at most a given fraction of another image's size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


def megabytes(size: int) -> str:
    """A size as `docker images` shows it (decimal MB)."""
    return f"{size / 1e6:.1f} MB"


@dataclass
class ImageSizeRatio(Check):
    """``tag``'s size (uncompressed, as `docker images` shows) is at most ``max_ratio`` x ``other``'s."""

    tag: str = ""
    other: str = ""
    max_ratio: float = 0.5
    kind: ClassVar[str] = "image size ratio"
    REQUIRED = ("tag", "other")
    OBJECTS = {"tag": "image", "other": "image"}

    def describe(self) -> str:
        return self.title or f"{self.tag} is at most {self.max_ratio:g} x the size of {self.other}"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        other = ctx.facts.image(self.other)
        limit = int(other.size * self.max_ratio)
        expected = f"at most {megabytes(limit)} ({self.max_ratio:g} x {self.other}, {megabytes(other.size)})"
        ratio = image.size / other.size if other.size else float("inf")
        found = f"{megabytes(image.size)} ({ratio:.2f} x {self.other})"
        if other.size and image.size <= limit:
            return Outcome(True, expected, found)
        return Outcome(
            False,
            expected,
            found,
            f"Too big: leave build tools, sources and caches out of {self.tag} (compare with `docker images`).",
        )
