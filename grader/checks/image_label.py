"""Check type: an image carries a label (a value, or any non-empty value), set by itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageLabel(Check):
    """``value=None`` accepts any non-empty value; ``base`` rejects a value inherited from it.

    ``from_arg`` names the build argument the value comes from: an empty label is then explained
    from the history (no ``ARG`` step after FROM: it was declared before FROM only).
    """

    tag: str = ""
    key: str = ""
    value: str | None = None
    base: str | None = None
    from_arg: str = ""
    kind: ClassVar[str] = "image label"
    REQUIRED = ("tag", "key")
    OBJECTS = {"tag": "image", "base": "image"}
    HINTS = {"other_value": "The label has another value."}

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
        if self.from_arg and not found_value.strip():
            return Outcome(False, expected, f"{self.key}=''", self._empty_from_arg(ctx))
        if self.value is None and not found_value.strip():
            return Outcome(False, expected, f"{self.key}=''", f"Give {self.key} a value.")
        if self.value is not None and found_value != self.value:
            return Outcome(False, expected, f"{self.key}={found_value}", self.hint_for("other_value"))
        source = self._inherited_from(ctx, found_value)
        if source:
            return Outcome(
                False,
                f"{expected}, set by {self.tag} itself",
                f"inherited from {source}",
                "Set the label in your own Dockerfile.",
            )
        return Outcome(True, expected, f"{self.key}={found_value}")

    def _inherited_from(self, ctx: Context, value: str) -> str:
        """The image ``value`` was inherited from ('' when ``tag`` set it itself, as far as the engine tells).

        ``base`` itself, or (with a ``base``) another tagged image whose history is a strict prefix of
        ``tag``'s and that already carries the value, unless ``tag``'s own steps set the label again.
        Where the engine no longer holds such an intermediate image the check cannot tell (accepted).
        """
        if not self.base:
            return ""
        if ctx.facts.has_image(self.base) and ctx.facts.image(self.base).labels.get(self.key) == value:
            return self.base
        own = ctx.facts.image(self.tag)
        sets_it = re.compile(rf"(^|\s){re.escape(self.key)}=")
        for ref in ctx.facts.image_tags():
            if ref == self.tag or ctx.facts.image(ref).id in (own.id, ctx.facts.image(self.base).id):
                continue
            other = ctx.facts.image(ref)
            prefix = len(other.history)
            if not 0 < prefix < len(own.history) or own.history[:prefix] != other.history:
                continue
            label_steps = [s for s in own.history[prefix:] if s.instruction == "LABEL"]
            if other.labels.get(self.key) == value and not any(sets_it.search(s.created_by) for s in label_steps):
                return ref
        return ""

    def _empty_from_arg(self, ctx: Context) -> str:
        """Why a label set from ``from_arg`` came out empty, read from the image's own history."""
        arg = re.compile(rf"\b{re.escape(self.from_arg)}\b")
        steps = ctx.facts.image(self.tag).history
        if any(s.instruction == "ARG" and arg.search(s.created_by) for s in steps):
            return (
                f"The label came out empty: the build gave {self.from_arg} an empty value. Build with "
                f"--build-arg {self.from_arg}=VALUE (and no empty --build-arg)."
            )
        return (
            f"The label came out empty: the image has no `ARG {self.from_arg}` step after FROM. An ARG declared "
            f"before FROM serves only the FROM lines: declare it after FROM (`ARG {self.from_arg}=...`), in the "
            "stage that uses it."
        )
