"""Check type: build tools (a C compiler, pip's cache) are in an image, or are not.

A multi-stage build keeps the compiler in the builder stage: the runtime image
should hold neither gcc nor pip's download/wheel cache. The builder stage
itself, built alone with ``--target``, must hold the compiler.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.images import ImageFacts

# gcc's driver in any bin folder (gcc, gcc-12, x86_64-linux-gnu-gcc-12) and the compiler proper
DRIVER = re.compile(r"^(?:[\w.]+-linux-gnu-)?gcc(?:-\d+)?$")
COMPILER_PROPER = ("cc1", "cc1plus")


def compilers(paths: list[str]) -> list[str]:
    """The C compiler files among ``paths``: a gcc driver in a bin folder, or cc1 anywhere."""
    found = []
    for path in paths:
        folder, name = posixpath.split(path)
        if name in COMPILER_PROPER or (DRIVER.match(name) and posixpath.basename(folder) == "bin"):
            found.append(path)
    return found


def pip_caches(paths: list[str]) -> list[str]:
    """Paths inside a pip cache folder (``~/.cache/pip`` of any user)."""
    return [p for p in paths if "/.cache/pip/" in p + "/"]


def _shown(found: list[str], limit: int = 3) -> str:
    return ", ".join(found[:limit]) + (f" (+{len(found) - limit} more)" if len(found) > limit else "")


@dataclass
class ImageBuildTools(Check):
    """``present`` True: a C compiler must be in ``tag``; False: no compiler and no pip cache.

    ``full_base`` (the image that ships the compiler, python:3.11) lets a failure
    tell "the final stage is still FROM the full image" from "the compiler was
    copied into the runtime stage". ``hints``: ``no_compiler`` and ``compiler_copied``
    (whole hints), and the fix after each diagnosis: ``full_base``, ``pip_cache``.
    """

    tag: str = ""
    present: bool = False
    full_base: str = ""
    kind: ClassVar[str] = "build tools in image"
    REQUIRED = ("tag",)
    OBJECTS = {"tag": "image", "full_base": "image"}
    HINTS = {
        "no_compiler": "The image should be the build stage alone: build it with `--target STAGE`, from a "
        "stage whose base ships a compiler.",
        "full_base": "start the last stage from a slim base instead.",
        "compiler_copied": "The compiler was copied into the runtime stage: a `COPY --from` of the build stage brought "
        "gcc (or all of /usr, or /) along. Copy only what the program needs.",
        "pip_cache": "copy only what the program needs from the builder, and install with `pip install "
        "--no-cache-dir`.",
    }

    def describe(self) -> str:
        if self.title:
            return self.title
        return f"{self.tag} {'has a C compiler' if self.present else 'holds no compiler and no pip cache'}"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        paths = image.paths
        found_cc = compilers(paths)
        if self.present:
            expected = "gcc in the image"
            if found_cc:
                return Outcome(True, expected, f"gcc at {_shown(found_cc)}")
            return Outcome(
                False,
                expected,
                "no C compiler anywhere in the image",
                self.hint_for("no_compiler"),
            )
        expected = "no gcc and no pip cache (only the installed program)"
        caches = pip_caches(paths)
        if not found_cc and not caches:
            return Outcome(True, expected, "neither gcc nor a pip cache")
        found = "; ".join(
            part
            for part in (
                f"a compiler: {_shown(found_cc)}" if found_cc else "",
                f"a pip cache: {_shown(caches)}" if caches else "",
            )
            if part
        )
        if found_cc and self.full_base and self._based_on_full(ctx, image):
            hint = (
                f"The final stage is still based on the full {self.full_base} image, which ships gcc: "
                + self.hint_for("full_base")
            )
        elif found_cc:
            hint = self.hint_for("compiler_copied")
        else:
            hint = "pip's cache (~/.cache/pip) was copied into the runtime stage: " + self.hint_for("pip_cache")
        return Outcome(False, expected, found, hint)

    def _based_on_full(self, ctx: Context, image: ImageFacts) -> bool:
        return ctx.facts.has_image(self.full_base) and image.starts_with(ctx.facts.image(self.full_base))
