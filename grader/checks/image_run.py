"""Check type: run an image (a labelled, removed probe) and compare its output or exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.probe import ProbeSpec


@dataclass
class ImageRun(Check):
    """Run ``tag`` with ``command`` (and optionally ``entrypoint``/``user``).

    ``output``: stdout (stripped) must equal it; ``output_contains``: must contain it;
    ``exit_code``: must equal it (default 0 when no output is asked for).
    """

    tag: str = ""
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    output: str | None = None
    output_contains: str | None = None
    exit_code: int | None = 0
    timeout: float = 20
    kind: ClassVar[str] = "run image"
    REQUIRED: ClassVar[tuple[str, ...]] = ("tag",)
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        cmd = " ".join(self.command or [])
        return self.title or f"docker run {self.tag} {cmd}".rstrip()

    def evaluate(self, ctx: Context) -> Outcome:
        ctx.facts.image(self.tag)  # a clear "not found" before trying to run it
        result = ctx.facts.run(
            ProbeSpec(image=self.tag, command=self.command, entrypoint=self.entrypoint, timeout=self.timeout)
        )
        out = result.stdout.strip()
        shown = repr(out[:200]) + (f", stderr {result.stderr.strip()[:120]!r}" if result.stderr.strip() else "")
        shown += f", exit code {result.exit_code}" + (" (timed out)" if result.timed_out else "")
        parts = []
        if self.output is not None:
            parts.append(f"output {self.output!r}")
        if self.output_contains is not None:
            parts.append(f"output containing {self.output_contains!r}")
        if self.exit_code is not None:
            parts.append(f"exit code {self.exit_code}")
        expected = ", ".join(parts)
        ok = not result.timed_out
        ok = ok and (self.output is None or out == self.output)
        ok = ok and (self.output_contains is None or self.output_contains in out)
        ok = ok and (self.exit_code is None or result.exit_code == self.exit_code)
        return Outcome(ok, expected, shown)
