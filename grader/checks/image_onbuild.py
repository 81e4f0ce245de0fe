"""Check type: an image carries an ONBUILD trigger (and has not run it itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageOnbuild(Check):
    """A trigger of ``tag`` matches ``pattern`` (a regex over the trigger text, case-insensitive);
    ``not_yet`` is a path the trigger would create that must be absent from ``tag`` itself."""

    tag: str = ""
    pattern: str = ""
    example: str = ""
    not_yet: str = ""
    base: str | None = None
    kind: ClassVar[str] = "onbuild trigger"
    REQUIRED = ("tag", "pattern", "example")
    OBJECTS = {"tag": "image", "base": "image"}
    PATTERNS = ("pattern",)

    def describe(self) -> str:
        return self.title or f"{self.tag} has the trigger ONBUILD {self.example}"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        triggers = image.onbuild
        expected = f"a trigger like ONBUILD {self.example}" + (f", no {self.not_yet} yet" if self.not_yet else "")
        found = "; ".join(triggers) or "no ONBUILD triggers"
        if not any(re.search(self.pattern, t.strip(), re.IGNORECASE) for t in triggers):
            return Outcome(False, expected, found, self._hint(ctx, triggers))
        if self.not_yet and image.file(self.not_yet) is not None:
            return Outcome(
                False,
                expected,
                f"{found}, but {self.not_yet} is already in {self.tag}",
                f"{self.not_yet} must only appear in images built FROM {self.tag}: build the base from a "
                "context without it (its own folder), and do not COPY it without ONBUILD.",
            )
        return Outcome(True, expected, found)

    def _hint(self, ctx: Context, triggers: list[str]) -> str:
        base = ctx.facts.image(self.base) if self.base and ctx.facts.has_image(self.base) else None
        own = ctx.facts.image(self.tag).own_history(base)
        word = self.example.split()[0].upper() if self.example else ""
        if not triggers and any(step.instruction == word for step in own):
            return (
                f"A plain {word} ran while building {self.tag} itself: prefix it with ONBUILD "
                f"(`ONBUILD {self.example}`) to defer it to the builds that use this image FROM."
            )
        if triggers:
            return f"The trigger must be `ONBUILD {self.example}` (the build context `.` copied to its folder)."
        return f"Add `ONBUILD {self.example}`: it runs later, in every build that starts FROM this image."
