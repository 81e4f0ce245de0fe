"""Check type: what a container printed, how it ended, and what it was asked to run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ContainerOutput(Check):
    """Container ``container``: its output (stdout and stderr) holds ``output_contains``;
    ``failed``: True = exited non-zero, False = exited 0, None = any state;
    ``command_contains``: a word its command line must hold; ``image``: the image it runs.
    """

    container: str = ""
    output_contains: str = ""
    failed: bool | None = None
    command_contains: str = ""
    image: str = ""
    kind: ClassVar[str] = "container output"
    REQUIRED = ("container", "output_contains")
    OBJECTS = {"container": "container", "image": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        ending = {True: " and failed", False: " and succeeded", None: ""}[self.failed]
        return f"{self.container} printed {self.output_contains!r}{ending}"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.container)
        expected = self.describe()
        command = " ".join(facts.command)
        state = facts.status + (f", exit code {facts.exit_code}" if facts.status == "exited" else "")
        found = f"{state}, command {command[:80]!r}, output {facts.logs().strip()[:120]!r}"
        if self.image and facts.image_ref not in (self.image, f"{self.image}:latest"):
            return Outcome(False, expected, f"{self.container} runs {facts.image_ref}", f"Run it from {self.image}.")
        if self.command_contains and self.command_contains not in command:
            return Outcome(False, expected, found, f"Its command must use {self.command_contains}.")
        if self.failed is not None:
            if facts.running:
                return Outcome(False, expected, found, f"Wait for {self.container} to finish (docker wait).")
            if self.failed != (facts.exit_code != 0):
                return Outcome(False, expected, found, "It ended differently: read its output (docker logs).")
        if self.output_contains not in facts.logs():
            return Outcome(
                False,
                expected,
                found,
                f"Its output must contain {self.output_contains!r} (docker logs {self.container}).",
            )
        return Outcome(True, expected, found)
