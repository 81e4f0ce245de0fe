"""Check type: run an image with or without arguments, and explain ENTRYPOINT/CMD mistakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Context, Outcome
from grader.checks.image_run import ImageRun
from grader.errors import ProbeError

SHELLS = (["/bin/sh", "-c"], ["sh", "-c"])


@dataclass
class ImageArgsRun(ImageRun):
    """Like ``run image`` (``output`` must match); on failure, the hint reads the image's
    ENTRYPOINT and CMD and names the mistake (``default_arg`` is the word CMD should hold)."""

    default_arg: str = "hello"
    kind: ClassVar[str] = "run image with arguments"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        try:
            outcome = super().evaluate(ctx)
        except ProbeError as e:  # e.g. `bye` became the program: the engine refuses to start it
            outcome = Outcome(False, f"output {self.output!r}, exit code 0", str(e))
        if outcome.passed:
            return outcome
        hint = entrypoint_hint(image.entrypoint, image.cmd, self.default_arg)
        return Outcome(False, outcome.expected, outcome.found, hint)


def entrypoint_hint(entrypoint: list[str] | None, cmd: list[str] | None, default_arg: str) -> str:
    """The likely mistake behind an image whose runs print the wrong thing."""
    fix = f'ENTRYPOINT ["echo"] and CMD ["{default_arg}"], both in exec form (JSON arrays)'
    if entrypoint and entrypoint[:2] in SHELLS:
        return (
            "Your ENTRYPOINT is in shell form: it runs `/bin/sh -c '...'`, which swallows CMD and the "
            f"arguments of `docker run`. Write {fix}."
        )
    if not entrypoint:
        return (
            "With CMD alone, `docker run IMAGE bye` replaces the whole command: `bye` becomes the program. "
            f"Put the program in ENTRYPOINT and the default word in CMD: {fix}."
        )
    if default_arg in entrypoint[1:]:
        return (
            f"{default_arg!r} is part of the ENTRYPOINT, so arguments are appended to it instead of replacing "
            f"it. Move it to CMD: {fix}."
        )
    if cmd and cmd[:2] in SHELLS:
        return f"Your CMD is in shell form, so ENTRYPOINT receives `/bin/sh -c ...` as its arguments. Write {fix}."
    if not cmd:
        return f'There is no CMD, so a run without arguments has nothing to print. Add CMD ["{default_arg}"].'
    return f"Make the program the ENTRYPOINT and the default argument the CMD: {fix}."
