"""Check type: a file in an image (read without running it): present/absent, content, owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ImageFile(Check):
    """``line``: a whole line the file must hold; ``content``: exact bytes as text;
    ``absent``: the path must not exist; ``uid``: owner; ``file_kind``: file/dir."""

    tag: str = ""
    path: str = ""
    line: str | None = None
    content: str | None = None
    absent: bool = False
    uid: int | None = None
    file_kind: str | None = None
    kind: ClassVar[str] = "file in image"
    REQUIRED = ("tag", "path")
    CHOICES = {"file_kind": (None, "file", "dir", "symlink", "other")}
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        return f"{self.path} {'is absent' if self.absent else 'in the image'}"

    def evaluate(self, ctx: Context) -> Outcome:
        found = ctx.facts.image(self.tag).file(self.path)
        if self.absent:
            if found is None:
                return Outcome(True, f"no {self.path}", f"no {self.path}")
            return Outcome(False, f"no {self.path}", f"{self.path} exists ({found.kind})")
        if found is None:
            return Outcome(False, f"{self.path} exists", f"no {self.path} in {self.tag}")
        if self.file_kind and found.kind != self.file_kind:
            return Outcome(False, f"{self.path} is a {self.file_kind}", f"a {found.kind}")
        if self.uid is not None and found.uid != self.uid:
            return Outcome(False, f"{self.path} owned by uid {self.uid}", f"owned by uid {found.uid}")
        text = found.text
        if self.line is not None and self.line not in [ln.rstrip("\r") for ln in text.splitlines()]:
            return Outcome(False, f"a line {self.line!r} in {self.path}", _preview(text))
        if self.content is not None and text != self.content:
            return Outcome(False, f"{self.path} holding {_preview(self.content)}", _preview(text))
        return Outcome(True, f"{self.path} as required", _preview(text) if found.kind == "file" else found.kind)


def _preview(text: str, limit: int = 120) -> str:
    return repr(text[:limit]) + ("..." if len(text) > limit else "")
