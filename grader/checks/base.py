"""The one interface of every check type, and the context a check runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from grader.checks.result import Part
from grader.facts.interface import Facts


@dataclass
class Context:
    """What a check may look at: engine facts and the learner's answer variables."""

    facts: Facts
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a check observed: passed or not, and what it expected and found."""

    passed: bool
    expected: str
    found: str
    hint: str = ""


@dataclass
class Check:
    """Base of every check type: subclasses implement :meth:`evaluate`.

    ``title`` names the part for the learner; ``hint`` overrides the type's hint on
    failure; ``missing_hint`` is shown when an object the check needs is absent.
    """

    points: float = 1.0
    title: str = ""
    hint: str = ""
    missing_hint: str = ""
    kind: ClassVar[str] = "check"

    def describe(self) -> str:
        return self.title or self.kind

    def evaluate(self, ctx: Context) -> Outcome:
        raise NotImplementedError

    def run(self, ctx: Context) -> Part:
        """Evaluate and score this check (object-missing errors are handled by the runner)."""
        outcome = self.evaluate(ctx)
        hint = "" if outcome.passed else (self.hint or outcome.hint)
        return Part(
            name=self.describe(),
            passed=outcome.passed,
            points=self.points if outcome.passed else 0.0,
            max_points=self.points,
            expected=outcome.expected,
            found=outcome.found,
            hint=hint,
        )
