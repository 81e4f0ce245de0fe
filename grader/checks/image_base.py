"""Check type: an image is built on top of a base image (its layers start with the base's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.images import ImageFacts


@dataclass
class ImageBasedOn(Check):
    """``history``: also demand the base's build history as a prefix (tells apart bases whose
    layers are all inherited, e.g. an ONBUILD-only image over busybox)."""

    tag: str = ""
    base: str = ""
    history: bool = False
    kind: ClassVar[str] = "image based on"
    REQUIRED = ("tag", "base")
    OBJECTS = {"tag": "image", "base": "image"}

    def describe(self) -> str:
        return self.title or f"{self.tag} is built FROM {self.base}"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        base = ctx.facts.image(self.base)
        expected = f"the first {len(base.layers)} layer(s) of {self.base}"
        same_history = image.history[: len(base.history)] == base.history
        if self.history and image.starts_with(base) and not same_history:
            return Outcome(
                False,
                f"{expected} and its build history",
                f"{self.tag}'s history does not start with {self.base}'s (same layers, another image)",
                f"Start the Dockerfile with `FROM {self.base}`.",
            )
        if self.history and image.starts_with(base) and not _runs_triggers(image, base):
            # BuildKit records no history step for ONBUILD: the base's history is its own base's,
            # and only the triggers run right after it tell a child of it from a sibling
            return Outcome(
                False,
                f"{expected}, its build history, then its ONBUILD triggers",
                f"{self.tag}'s history does not start with {self.base}'s then its ONBUILD triggers "
                "(same layers, another image)",
                f"Start the Dockerfile with `FROM {self.base}`.",
            )
        if image.starts_with(base):
            return Outcome(True, expected, f"{len(image.layers)} layers, starting with {self.base}'s")
        return Outcome(
            False,
            expected,
            f"{len(image.layers)} layer(s) that do not start with {self.base}'s",
            f"Start the Dockerfile with `FROM {self.base}`.",
        )


def _runs_triggers(image: ImageFacts, base: ImageFacts) -> bool:
    """True when ``image``'s steps right after ``base``'s run ``base``'s ONBUILD triggers (or it has none)."""
    steps = image.history[len(base.history) : len(base.history) + len(base.onbuild)]
    return len(steps) == len(base.onbuild) and all(s.runs_trigger(t) for s, t in zip(steps, base.onbuild, strict=True))
