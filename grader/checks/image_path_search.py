"""Check type: a file whose name matches a pattern is somewhere in an image (or nowhere)."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


def matching(paths: list[str], patterns: list[str]) -> list[str]:
    """The paths whose file name matches one of the glob ``patterns``."""
    return [p for p in paths if any(fnmatch.fnmatchcase(posixpath.basename(p), pat) for pat in patterns)]


@dataclass
class ImagePathSearch(Check):
    """Search the whole image filesystem (read without running it) by file name.

    ``patterns``: globs on the file name (``fastfib-*.whl``, ``sh``); ``present``:
    True when at least one match is required, False when none may exist.
    """

    tag: str = ""
    patterns: list[str] = field(default_factory=list)
    present: bool = True
    kind: ClassVar[str] = "file anywhere in image"
    REQUIRED = ("tag", "patterns")
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        names = " or ".join(self.patterns)
        return f"{names} {'somewhere in' if self.present else 'nowhere in'} {self.tag}"

    def evaluate(self, ctx: Context) -> Outcome:
        found = matching(ctx.facts.image(self.tag).paths, self.patterns)
        names = " or ".join(self.patterns)
        shown = ", ".join(found[:4]) + (f" (+{len(found) - 4} more)" if len(found) > 4 else "")
        if self.present:
            expected = f"a file named {names}"
            return Outcome(bool(found), expected, shown if found else f"no {names} anywhere in {self.tag}")
        expected = f"no file named {names}"
        return Outcome(not found, expected, shown if found else "none")
