"""Check type: run an image with or without arguments, and explain ENTRYPOINT/CMD mistakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Context, Outcome
from grader.checks.image_run import ImageRun
from grader.errors import ProbeError
from grader.facts.images import is_shell_form


@dataclass
class ImageArgsRun(ImageRun):
    """Like ``run image`` (``output`` must match); on failure, the hint reads the image's
    ENTRYPOINT and CMD and names the mistake. ``program``: what ENTRYPOINT should run;
    ``default_arg``: the word CMD should hold; ``other_arg``: an argument that replaces it."""

    program: str = ""
    default_arg: str = ""
    other_arg: str = ""
    kind: ClassVar[str] = "run image with arguments"
    REQUIRED: ClassVar[tuple[str, ...]] = ("tag", "program", "default_arg", "other_arg")

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        try:
            outcome = super().evaluate(ctx)
        except ProbeError as e:  # e.g. `bye` became the program: the engine refuses to start it
            outcome = Outcome(False, f"output {self.output!r}, exit code 0", str(e))
        if outcome.passed:
            return outcome
        hint = entrypoint_hint(image.entrypoint, image.cmd, self.program, self.default_arg, self.other_arg)
        return Outcome(False, outcome.expected, outcome.found, hint)


def entrypoint_hint(
    entrypoint: list[str] | None, cmd: list[str] | None, program: str, default_arg: str, other_arg: str
) -> str:
    """The likely mistake behind an image whose runs print the wrong thing."""
    fix = f'ENTRYPOINT ["{program}"] and CMD ["{default_arg}"], both in exec form (JSON arrays)'
    if is_shell_form(entrypoint):
        return (
            "Your ENTRYPOINT is in shell form: it runs `/bin/sh -c '...'`, which swallows CMD and the "
            f"arguments of `docker run`. Write {fix}."
        )
    if not entrypoint:
        return (
            f"With CMD alone, `docker run IMAGE {other_arg}` replaces the whole command: `{other_arg}` becomes "
            "the program. "
            f"Put the program in ENTRYPOINT and the default word in CMD: {fix}."
        )
    if default_arg in entrypoint[1:]:
        return (
            f"{default_arg!r} is part of the ENTRYPOINT, so arguments are appended to it instead of replacing "
            f"it. Move it to CMD: {fix}."
        )
    if is_shell_form(cmd):
        return f"Your CMD is in shell form, so ENTRYPOINT receives `/bin/sh -c ...` as its arguments. Write {fix}."
    if not cmd:
        return f'There is no CMD, so a run without arguments has nothing to print. Add CMD ["{default_arg}"].'
    return f"Make the program the ENTRYPOINT and the default argument the CMD: {fix}."
