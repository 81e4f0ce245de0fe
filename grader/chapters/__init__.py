"""The exercises of the course: each a declared list of checks with points.

Exercise ids are public names (CURRICULUM): the nbgrader grade_id prefix, the
argument of ``docker-course check``, the key in every grade report.
"""

from __future__ import annotations

from grader.chapters.exercise import Exercise, declaration_problems
from grader.errors import UnknownExercise

__all__ = ["Exercise", "declaration_problems", "get", "registry"]


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
