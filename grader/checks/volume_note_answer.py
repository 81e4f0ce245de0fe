"""Check type: a boolean answer "the note survived" matches the result of the container that looked for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.answers import answer_bool
from grader.checks.base import Check, Context, Outcome

COMPUTE = (
    "Compute it from {c}'s result: cat succeeds only if the file is there, e.g. "
    "`{a} = docker.from_env().containers.get('{c}').attrs['State']['ExitCode'] == 0` "
    "(in a terminal: docker inspect -f '{{{{.State.ExitCode}}}}' {c})."
)


@dataclass
class SurvivedAnswer(Check):
    """Answer variable ``answer`` (bool) equals "``container`` exited 0", and that truth is ``expected``."""

    answer: str = ""
    container: str = ""
    expected: bool = False
    kind: ClassVar[str] = "survival answer"
    REQUIRED = ("answer", "container")
    OBJECTS = {"container": "container"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        return self.title or f"{self.answer} is {self.expected}, as {self.container}'s result shows"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"{self.answer} = {self.expected}, matching {self.container}'s result"
        compute = COMPUTE.format(c=self.container, a=self.answer)
        value = ctx.answers.get(self.answer)
        if value is None:
            return Outcome(False, expected, f"{self.answer} is not set", f"Set {self.answer}. {compute}")
        try:
            given = answer_bool(value)
        except ValueError as e:
            return Outcome(False, expected, str(e), f"{self.answer} must be True or False. {compute}")
        facts = ctx.facts.container(self.container)
        if facts.running:
            return Outcome(False, expected, f"{self.container} is still running", "Let it finish first.")
        truth = facts.exit_code == 0
        result = f"{self.container} exited with code {facts.exit_code}"
        if given != truth:
            return Outcome(
                False,
                expected,
                f"{self.answer} = {given}, but {result}",
                f"The answer does not match the engine: {compute}",
            )
        if truth != self.expected:
            return Outcome(
                False,
                expected,
                f"{self.answer} = {given}; {result}",
                f"Here the note was found: {self.container} must be a new container without any volume, so it "
                "cannot see what another container wrote in its own writable layer.",
            )
        return Outcome(True, expected, f"{self.answer} = {given}; {result}")
