"""The one interface of every check type, the context a check runs in, and declaration validation.

A check type declares, beside its fields, what container-structure-test's
``Validate()`` would check: which fields must be given (``REQUIRED``), which take
one of a few values (``CHOICES``), which name engine objects (``OBJECTS``) or
answer variables (``ANSWERS``), and the failure reasons a chapter may give its
own hint for (``HINTS``). A declaration that breaks them raises
:class:`~grader.errors.DeclarationError` when it is made, so a chapter with a bad
check fails on import, never when a learner presses Check.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from grader.checks.result import Part
from grader.errors import DeclarationError
from grader.facts.containers import joined_container
from grader.facts.interface import Facts

OBJECT_KINDS = ("image", "container", "network", "volume")
# pseudo-values of object fields that name no object: the engine host, Docker's own networks
NOT_OBJECTS = {"host", "bridge", "none", "default"}


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
    every failure; ``hints`` overrides it for one failure reason of the type's
    ``HINTS``; ``missing_hint`` is shown when an object the check needs is absent.

    Raises:
        DeclarationError: (on construction) the declaration breaks the type's rules.
    """

    points: float = 1.0
    title: str = ""
    hint: str = ""
    missing_hint: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    kind: ClassVar[str] = "check"
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    CHOICES: ClassVar[dict[str, tuple[Any, ...]]] = {}
    OBJECTS: ClassVar[dict[str, str]] = {}  # field -> image | container | network | volume | mode
    ANSWERS: ClassVar[tuple[str, ...]] = ()  # fields holding the name of an answer variable
    PATTERNS: ClassVar[tuple[str, ...]] = ()  # fields holding a regular expression
    HINTS: ClassVar[dict[str, str]] = {}  # failure reason -> the type's own (generic) hint
    # False for a check that changes something on the engine while it looks (builds a child, writes a test
    # file): the runner never runs it beside other checks, whose reads it could show up in
    READS_ONLY: ClassVar[bool] = True

    def __post_init__(self) -> None:
        problems = self.declaration_problems()
        if problems:
            raise DeclarationError(f"{type(self).__name__}({self.title or self.kind!r}): {'; '.join(problems)}")

    def declaration_problems(self) -> list[str]:
        """Every rule of the type this declaration breaks (empty when it is valid)."""
        out = []
        if not self.points > 0:
            out.append(f"points must be positive, not {self.points!r}")
        names = {f.name for f in dataclasses.fields(self)}
        for name in (*self.REQUIRED, *self.CHOICES, *self.OBJECTS, *self.ANSWERS, *self.PATTERNS):
            if name not in names:
                out.append(f"the type declares a rule for {name!r}, which is not one of its fields")
        out += [f"{name} must be given" for name in self.REQUIRED if name in names and _blank(getattr(self, name))]
        for name, allowed in self.CHOICES.items():
            value = getattr(self, name, None)
            if name in names and value not in allowed:
                out.append(f"{name}={value!r} is not one of {', '.join(map(repr, allowed))}")
        for name in self.PATTERNS:
            try:
                re.compile(getattr(self, name, "") or "")
            except re.error as e:
                out.append(f"{name} is not a regular expression ({e})")
        out += [
            f"no failure reason {r!r} (known: {', '.join(self.HINTS) or 'none'})"
            for r in self.hints
            if r not in self.HINTS
        ]
        return out

    def answers_read(self) -> tuple[str, ...]:
        """The answer variables this check reads."""
        return tuple(str(getattr(self, name)) for name in self.ANSWERS if getattr(self, name))

    def objects(self) -> list[tuple[str, str]]:
        """The engine objects this check names, as (kind, name): what the curriculum must list."""
        out = []
        for name, kind in self.OBJECTS.items():
            value = getattr(self, name)
            if kind == "mode":
                kind, value = "container", joined_container(str(value or ""))
            if value and value not in NOT_OBJECTS:
                out.append((kind, str(value)))
        return out

    def hint_for(self, reason: str) -> str:
        """The hint for failure ``reason``: the chapter's (``hints``), else the type's own."""
        return self.hints.get(reason) or self.HINTS[reason]

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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict | set) and not value)
