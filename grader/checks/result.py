"""Results of a check run: parts with expected / found / hint, rendered as text, HTML, JSON."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

RESULT_MIME = "application/vnd.docker-course.result+json"
"""The MIME type of a result's JSON copy in a notebook output (nbgrader glue reads it back)."""


@dataclass
class Part:
    """One graded part of an exercise."""

    name: str
    passed: bool
    points: float
    max_points: float
    expected: str
    found: str
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    """The outcome of one exercise's checks.

    ``error`` is set when the whole check could not run (no engine, unknown id);
    the score is then 0 and ``error`` says what to do. ``skipped`` names the parts
    an inspect-only (live) run did not check because they need a probe container.
    """

    exercise: str
    title: str = ""
    parts: list[Part] = field(default_factory=list)
    error: str = ""
    max_score_hint: float = 0.0
    skipped: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return 0.0 if self.error else round(sum(p.points for p in self.parts), 3)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_points for p in self.parts), 3) or self.max_score_hint

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.parts) and all(p.passed for p in self.parts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "exercise": self.exercise,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "parts": [p.to_json() for p in self.parts],
        }
        if self.error:
            data["error"] = self.error
        if self.skipped:
            data["skipped"] = list(self.skipped)
        return data

    def to_text(self) -> str:
        head = f"{self.exercise} {self.title}: {_num(self.score)}/{_num(self.max_score)} points"
        lines = [head + (" - passed" if self.passed else "")]
        if self.error:
            lines.append(f"  ! {self.error}")
        for p in self.parts:
            mark = "PASS" if p.passed else "FAIL"
            lines.append(f"  [{mark}] {p.name} ({_num(p.points)}/{_num(p.max_points)})")
            if not p.passed:
                lines.append(f"         expected: {p.expected}")
                lines.append(f"         found:    {p.found}")
                if p.hint:
                    lines.append(f"         hint:     {p.hint}")
        return "\n".join(lines)

    def to_html(self) -> str:
        """Escaped HTML for notebooks: every learner-influenced string goes through escape()."""
        e = html.escape
        color = "#1a7f37" if self.passed else ("#9a6700" if self.score > 0 else "#cf222e")
        rows = []
        for p in self.parts:
            icon = "&#10004;" if p.passed else "&#10008;"
            detail = ""
            if not p.passed:
                detail = (
                    f"<div><b>expected:</b> <code>{e(p.expected)}</code></div>"
                    f"<div><b>found:</b> <code>{e(p.found)}</code></div>"
                    + (f"<div><b>hint:</b> {e(p.hint)}</div>" if p.hint else "")
                )
            rows.append(
                f"<li class='course-part {'passed' if p.passed else 'failed'}' style='margin:4px 0'>"
                f"<span style='color:{'#1a7f37' if p.passed else '#cf222e'}'>{icon}</span> "
                f"{e(p.name)} <small>({_num(p.points)}/{_num(p.max_points)})</small>{detail}</li>"
            )
        error = f"<div style='color:#cf222e'>{e(self.error)}</div>" if self.error else ""
        return (
            f"<div class='course-check' data-exercise='{e(self.exercise)}' data-passed='{str(self.passed).lower()}' "
            f"style='border-left:4px solid {color};padding:6px 10px;margin:6px 0;font-family:sans-serif'>"
            f"<div style='font-weight:bold;color:{color}'>{e(self.exercise)} {e(self.title)}: "
            f"{_num(self.score)}/{_num(self.max_score)} points{' - passed' if self.passed else ''}</div>"
            f"{error}<ul style='list-style:none;padding-left:4px;margin:4px 0'>{''.join(rows)}</ul></div>"
        )


def _num(value: float) -> str:
    return f"{value:g}"
