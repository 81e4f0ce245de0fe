"""The exercises of the course: each a declared list of checks with points.

Exercise ids are public names (CURRICULUM): the nbgrader grade_id prefix, the
argument of ``docker-course check``, the key in every grade report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from grader.checks.base import Check
from grader.errors import DeclarationError, UnknownExercise

_ID = re.compile(r"^ch\d\d-ex\d+$")


@dataclass
class Exercise:
    """One exercise: its id, a title, its checks, and the answer variables it reads.

    Raises:
        DeclarationError: (on construction) a malformed id, no checks, two parts with one
            title, or an answer variable a check reads that ``answers`` does not declare
            (or one it declares that no check reads).
    """

    id: str
    title: str
    checks: list[Check]
    answers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = declaration_problems(self)
        if problems:
            raise DeclarationError(f"Exercise {self.id}: {'; '.join(problems)}")

    @property
    def chapter(self) -> str:
        return self.id[2:4]

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


def declaration_problems(exercise: Exercise) -> list[str]:
    """Every rule the exercise's declaration breaks (its checks validate themselves)."""
    out = []
    if not _ID.match(exercise.id):
        out.append(f"id {exercise.id!r} is not of the form chNN-exM")
    if not exercise.checks:
        out.append("no checks")
    titles = Counter(check.describe() for check in exercise.checks)
    out += [
        f"{n} parts are titled {title!r} (a result names its parts by title)" for title, n in titles.items() if n > 1
    ]
    read = {name for check in exercise.checks for name in check.answers_read()}
    out += [
        f"a check reads the answer {name!r}, which answers= does not declare"
        for name in sorted(read - set(exercise.answers))
    ]
    out += [f"answers= declares {name!r}, which no check reads" for name in sorted(set(exercise.answers) - read)]
    return out


def _all() -> dict[str, Exercise]:
    from grader.chapters import ch01, ch02, ch03, ch04, ch05, ch06

    out: dict[str, Exercise] = {}
    for module in (ch01, ch02, ch03, ch04, ch05, ch06):
        for exercise in module.EXERCISES:
            out[exercise.id] = exercise
    return out


def registry() -> dict[str, Exercise]:
    """Every exercise of the course by id."""
    return _all()


def get(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id``.

    Raises:
        UnknownExercise: not an exercise of the curriculum (the message lists close ids).
    """
    exercises = _all()
    key = exercise_id.strip().lower()
    if key in exercises:
        return exercises[key]
    close = [i for i in exercises if i.startswith(key[:4])] or list(exercises)[:6]
    raise UnknownExercise(
        f"{exercise_id!r} is not an exercise of the course. Known ids look like "
        f"{', '.join(close[:8])} (run `docker-course list`)."
    )
