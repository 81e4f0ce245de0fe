"""Check type: an image carries an ONBUILD trigger (and has not run it itself).

With ``copies_to``, the trigger is judged by what it does, not by its text: the course builds
a child FROM the image with a context of its own, and the child must hold that context at
``copies_to`` (``COPY . /src``, ``COPY [".", "/src"]`` and ``ADD . /src`` all do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.errors import ProbeError

# the context of the child the course builds: a file at the top and one in a folder (the whole context counts)
CHILD_CONTEXT = {"app.txt": b"course probe: top\n", "nested/more.txt": b"course probe: nested\n"}


@dataclass
class ImageOnbuild(Check):
    """A trigger of ``tag`` matches ``pattern`` (a regex over the trigger text, case-insensitive), or,
    with ``copies_to``, copies a child's build context there; ``not_yet`` is a path the trigger would
    create that must be absent from ``tag`` itself."""

    tag: str = ""
    pattern: str = ""
    example: str = ""
    not_yet: str = ""
    base: str | None = None
    copies_to: str = ""
    kind: ClassVar[str] = "onbuild trigger"
    READS_ONLY: ClassVar[bool] = False  # builds a child image (its build containers, a probe tag)
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
        if not triggers or not self._does_it(ctx, triggers):
            return Outcome(False, expected, found + self._effect(ctx, triggers), self._hint(ctx, triggers))
        if self.not_yet and image.file(self.not_yet) is not None:
            return Outcome(
                False,
                expected,
                f"{found}, but {self.not_yet} is already in {self.tag}",
                f"{self.not_yet} must only appear in images built FROM {self.tag}: build the base from a "
                "context without it (its own folder), and do not COPY it without ONBUILD.",
            )
        return Outcome(True, expected, found)

    def _does_it(self, ctx: Context, triggers: list[str]) -> bool:
        if not self.copies_to:
            return any(re.search(self.pattern, t.strip(), re.IGNORECASE) for t in triggers)
        try:
            return self._missing_in_child(ctx) == []
        except ProbeError:
            return False  # the child's build failed: _effect says how

    def _missing_in_child(self, ctx: Context) -> list[str]:
        """The context files a child built FROM ``tag`` lacks at ``copies_to`` (empty when it holds them all)."""
        wanted = {f"{self.copies_to.rstrip('/')}/{name}": content for name, content in CHILD_CONTEXT.items()}
        files = ctx.facts.onbuild_child(self.tag, CHILD_CONTEXT, list(wanted))
        return [p for p, content in wanted.items() if getattr(files.get(p), "content", None) != content]

    def _effect(self, ctx: Context, triggers: list[str]) -> str:
        if not (triggers and self.copies_to):
            return ""
        try:
            missing = self._missing_in_child(ctx)
        except ProbeError as e:
            return f" ({e})"
        return f" (a child built FROM it has no {', '.join(missing)})"

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
