"""docker-course: an interactive Docker course whose exercises are checked against the engine.

The public entry point for notebooks is :func:`grader.check`::

    from grader import check
    check("ch01-ex1")
"""

from grader.errors import GraderError

__all__ = ["GraderError", "check"]
__version__ = "0.1.0"


def check(exercise_id: str, **answers: object) -> float | None:
    """Run an exercise's checks and show the feedback (see :mod:`grader.notebook`)."""
    from grader.notebook import check as _check

    return _check(exercise_id, **answers)
