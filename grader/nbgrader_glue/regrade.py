"""What a re-grade changed: per student and exercise, the old and new score, and why.

A score moves for one of three reasons, named in this order: the exercise's checks
are at another version (the declaration's ``changes`` say what changed), a manual
grade was entered or changed, or the same checks judged the submission's engine state
otherwise (the parts that flipped say where).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from grader.chapters import get
from grader.chapters.exercise import changes_between
from grader.errors import UnknownExercise


@dataclass(frozen=True)
class ScoreChange:
    """One exercise of one submission whose score moved between two grades."""

    student: str
    assignment: str
    exercise: str
    old_score: float
    new_score: float
    old_version: int
    new_version: int
    why: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.student} {self.exercise}: {self.old_score:g} -> {self.new_score:g} ({self.why})"


def score_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[ScoreChange]:
    """Every exercise whose score differs between an earlier report ``old`` and ``new`` (none without ``old``)."""
    if not old:
        return []
    out = []
    before = old.get("exercises") or {}
    for exercise, now in (new.get("exercises") or {}).items():
        was = before.get(exercise)
        if was is None or float(was.get("score") or 0) == float(now.get("score") or 0):
            continue
        old_v, new_v = int(was.get("version") or 0), int(now.get("version") or 0)
        out.append(
            ScoreChange(
                str(new.get("student", "")),
                str(new.get("assignment", "")),
                exercise,
                float(was.get("score") or 0),
                float(now.get("score") or 0),
                old_v,
                new_v,
                _why(exercise, was, now, old_v, new_v),
            )
        )
    return out


def _why(exercise: str, was: dict[str, Any], now: dict[str, Any], old_v: int, new_v: int) -> str:
    flipped = _flipped(was.get("parts") or [], now.get("parts") or [])
    if old_v != new_v:
        try:
            notes = changes_between(get(exercise), old_v, new_v) if old_v < new_v else []
        except UnknownExercise:
            notes = []
        head = f"checks v{old_v or '?'} -> v{new_v}" + (f": {'; '.join(notes)}" if notes else "")
        return head + (f"; {flipped}" if flipped else "")
    if was.get("manual_score") != now.get("manual_score"):
        return f"manual grade {was.get('manual_score')} -> {now.get('manual_score')}"
    return f"same checks (v{new_v or '?'}), another verdict on the engine state" + (f": {flipped}" if flipped else "")


def _flipped(was: list[dict[str, Any]], now: list[dict[str, Any]]) -> str:
    before = {p.get("name"): bool(p.get("passed")) for p in was}
    passed = [p["name"] for p in now if p.get("passed") and before.get(p.get("name")) is False]
    failed = [p["name"] for p in now if not p.get("passed") and before.get(p.get("name")) is not False]
    text = [f"now passed: {', '.join(passed)}"] if passed else []
    return "; ".join(text + ([f"now failed: {', '.join(failed)}"] if failed else []))


def changes_summary(changes: list[ScoreChange]) -> str:
    """The lines a grading run prints after its table (empty when nothing moved)."""
    if not changes:
        return ""
    lines = [f"{len(changes)} score(s) changed since the last grade:"]
    return "\n".join(lines + [f"  {c.assignment} {c.line()}" for c in changes])
