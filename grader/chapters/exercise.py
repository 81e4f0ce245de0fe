"""An exercise's declaration: its id, title, checks and answer variables, validated when declared.

Its own module, not the package's ``__init__``: the chapter modules import it, and the
package's registry imports the chapter modules (an import cycle otherwise).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from grader.checks.base import Check
from grader.errors import DeclarationError

_ID = re.compile(r"^ch\d\d-ex\d+$")


@dataclass
class Exercise:
    """One exercise: its id, a title, its checks, and the answer variables it reads.

    ``version`` is the version of its checks, raised whenever a rule changes what they
    accept (a unit test holds the declarations and check types' code of every version
    and fails on a change without a new version); ``changes`` says, for each version
    after the first, what changed and why: a re-grade shows it beside the scores it moved.

    Raises:
        DeclarationError: (on construction) a malformed id, no checks, two parts with one
            title, or an answer variable a check reads that ``answers`` does not declare
            (or one it declares that no check reads).
    """

    id: str
    title: str
    checks: list[Check]
    answers: tuple[str, ...] = ()
    version: int = 1
    changes: dict[int, str] = field(default_factory=dict)

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
    if exercise.version < 1:
        out.append(f"version must be 1 or more, not {exercise.version!r}")
    out += [
        f"version {v} has no changes= entry (what changed, why)"
        for v in range(2, exercise.version + 1)
        if not exercise.changes.get(v)
    ]
    out += [
        f"changes= names version {v}, which is not in 2..{exercise.version}"
        for v in exercise.changes
        if not 2 <= v <= exercise.version
    ]
    return out


def changes_between(exercise: Exercise, old: int, new: int) -> list[str]:
    """What changed in the exercise's checks after version ``old`` up to ``new``, oldest first."""
    return [f"v{v}: {exercise.changes[v]}" for v in range(old + 1, new + 1) if v in exercise.changes]
