"""Check type: a program in an image is a statically linked ELF (it needs no loader, no libc)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.elf import NotElf, parse_elf


@dataclass
class ImageStaticBinary(Check):
    """``path`` in ``tag`` is an ELF program without a PT_INTERP header (statically linked).

    ``hints``: ``missing`` (no such file), ``not_elf`` (a script, text), ``dynamic`` (the fix,
    after the loader it needs is named).
    """

    tag: str = ""
    path: str = ""
    kind: ClassVar[str] = "static binary"
    REQUIRED = ("tag", "path")
    OBJECTS = {"tag": "image"}
    HINTS = {
        "missing": "Copy the compiled program into the image at that path.",
        "not_elf": "Copy a compiled program, not a script: a script needs an interpreter that scratch does not have.",
        "dynamic": "Link it statically (gcc -static).",
    }

    def describe(self) -> str:
        return self.title or f"{self.path} is a statically linked program"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"{self.path}: a statically linked ELF program"
        found = ctx.facts.image(self.tag).file(self.path)
        if found is None:
            return Outcome(
                False,
                expected,
                f"no {self.path} in {self.tag}",
                self.hint_for("missing"),
            )
        if found.kind != "file":
            return Outcome(
                False,
                expected,
                f"{self.path} is a {found.kind}" + (f" to {found.link_target}" if found.link_target else ""),
                f"{self.path} must be the program file itself (a link points at nothing in scratch).",
            )
        try:
            info = parse_elf(found.content)
        except NotElf:
            return Outcome(
                False,
                expected,
                f"{self.path} is not an ELF program (starts with {found.content[:16]!r})",
                self.hint_for("not_elf"),
            )
        if info.static:
            return Outcome(True, expected, info.describe())
        return Outcome(
            False,
            expected,
            info.describe(),
            f"The binary is dynamically linked: it needs {info.interpreter} and libc, which a scratch "
            f"image does not have. {self.hint_for('dynamic')}",
        )
