"""An exercise's declaration: its id, title, checks and answer variables, validated when declared.

Its own module, not the package's ``__init__``: the chapter modules import it, and the
package's registry imports the chapter modules (an import cycle otherwise).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from grader.checks.base import Check
from grader.errors import DeclarationError

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
