"""Check type: an image carries a label (a value, or any non-empty value), set by itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageLabel(Check):
    """``value=None`` accepts any non-empty value; ``base`` rejects a value inherited from it."""

    tag: str = ""
    key: str = ""
    value: str | None = None
    base: str | None = None
    kind: ClassVar[str] = "image label"
    REQUIRED = ("tag", "key")
    OBJECTS = {"tag": "image", "base": "image"}

    def describe(self) -> str:
        return self.title or f"label {self.key}" + (f" = {self.value}" if self.value is not None else "")

    def evaluate(self, ctx: Context) -> Outcome:
        labels = ctx.facts.image(self.tag).labels
        expected = f"{self.key}={self.value}" if self.value is not None else f"a non-empty label {self.key}"
        found_value = labels.get(self.key)
        if found_value is None:
            shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if not k.startswith("org.docker-course"))
            return Outcome(
                False,
                expected,
                f"no label {self.key} (labels: {shown or 'none'})",
                f"Add `LABEL {self.key}=...` to the Dockerfile and rebuild.",
            )
        if self.value is None and not found_value.strip():
            return Outcome(False, expected, f"{self.key}=''", f"Give {self.key} a value.")
        if self.value is not None and found_value != self.value:
            return Outcome(False, expected, f"{self.key}={found_value}", "The label has another value.")
        inherited = self.base and ctx.facts.has_image(self.base)
        if inherited and ctx.facts.image(str(self.base)).labels.get(self.key) == found_value:
            return Outcome(
                False,
                f"{expected}, set by {self.tag} itself",
                f"inherited from {self.base}",
                "Set the label in your own Dockerfile.",
            )
        return Outcome(True, expected, f"{self.key}={found_value}")
