"""Check type: the image's own build history holds a step (an instruction matching a pattern)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageHistory(Check):
    """A step of ``instruction`` (RUN, ARG, COPY, ...) whose text matches ``pattern``;
    ``makes_layer`` True/False also demands that it added (or did not add) a layer.
    Steps inherited from ``base`` are not counted. ``close`` (a pattern) names a step of the same
    instruction that is near but not as asked (``ARG APP_VERSION`` without its default): its
    failure gets the ``close`` hint instead of the ``missing`` one. With ``on_base`` the image must
    be built on ``base`` too (its layers start with the base's), as an exercise that names its base asks."""

    tag: str = ""
    instruction: str = "RUN"
    pattern: str = ""
    makes_layer: bool | None = None
    base: str | None = None
    close: str = ""
    on_base: bool = False
    kind: ClassVar[str] = "build history"
    REQUIRED = ("tag", "instruction")
    OBJECTS = {"tag": "image", "base": "image"}
    PATTERNS = ("pattern", "close")
    HINTS = {
        "missing": "Add the step to the Dockerfile and rebuild.",
        "close": "The step is there, but not as the exercise asks it.",
        "other_base": "Start the Dockerfile with the base the exercise names, and rebuild.",
    }

    def describe(self) -> str:
        return self.title or f"a {self.instruction} step in the history"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        base = ctx.facts.image(self.base) if self.base else None
        steps = image.own_history(base)
        if self.on_base and base is not None and not image.starts_with(base):
            return Outcome(
                False,
                f"a {self.instruction} step on top of {self.base}",
                f"{self.tag} is not built FROM {self.base} (its layers do not start with {self.base}'s)",
                self.hint_for("other_base"),
            )
        wanted = [
            s
            for s in steps
            if s.instruction == self.instruction and (not self.pattern or re.search(self.pattern, s.created_by))
        ]
        expected = f"a {self.instruction} step" + (f" matching {self.pattern!r}" if self.pattern else "")
        if self.makes_layer is True:
            expected += " that adds a layer"
            wanted = [s for s in wanted if not s.empty_layer and s.size > 0]
        shown = "; ".join(f"{s.instruction}: {s.created_by[-60:]}" for s in steps[-6:]) or "no steps"
        if wanted:
            return Outcome(True, expected, wanted[-1].created_by[-100:])
        near = self.close and any(
            s.instruction == self.instruction and re.search(self.close, s.created_by) for s in steps
        )
        return Outcome(False, expected, shown, self.hint_for("close" if near else "missing"))
