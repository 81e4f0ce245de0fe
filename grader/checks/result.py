"""Results of a check run: parts with expected / found / hint, rendered as text, HTML, JSON.

The one HTML renderer (:func:`render_html`) and the MIME type of the JSON copy in a
notebook output live here, beside the result, so that nbgrader glue can read and
render results without importing the curriculum.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

RESULT_MIME = "application/vnd.docker-course.result+json"
"""The MIME type of a result's JSON copy in a notebook output (nbgrader glue reads it back)."""
POLICIES = ("score", "hint", "full")


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
    ``version`` is the version of the exercise's checks that judged it (0: unknown).
    """

    exercise: str
    title: str = ""
    parts: list[Part] = field(default_factory=list)
    error: str = ""
    skipped: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def score(self) -> float:
        return 0.0 if self.error else round(sum(p.points for p in self.parts), 3)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_points for p in self.parts), 3)

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
        if self.version:
            data["version"] = self.version
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

    @property
    def verdict(self) -> Verdict:
        """Score, maximum and passed, as computed from the parts."""
        return Verdict(self.score, self.max_score, self.passed)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """A result back from its :meth:`to_json` copy (a notebook output, a grade report)."""
        fields = Part.__dataclass_fields__
        parts = [Part(**{k: v for k, v in p.items() if k in fields}) for p in data.get("parts") or []]
        return cls(
            str(data.get("exercise", "")),
            str(data.get("title", "")),
            parts,
            error=str(data.get("error") or ""),
            skipped=list(data.get("skipped") or []),
            version=int(data.get("version") or 0),
        )

    def to_html(self) -> str:
        """Escaped HTML for notebooks (every learner-influenced string escaped); see :func:`render_html`."""
        return render_html(self)


@dataclass(frozen=True)
class Verdict:
    """What a result's head line says: the score, the maximum, passed or not.

    Usually the result's own (:attr:`CheckResult.verdict`); feedback shows the
    gradebook's, which may include a manual grade.
    """

    score: float
    max_score: float
    passed: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(float(data.get("score", 0)), float(data.get("max_score", 0)), bool(data.get("passed")))


def render_html(
    result: CheckResult, policy: str = "full", verdict: Verdict | None = None, show_version: bool = False
) -> str:
    """The one HTML rendering of a result, for notebooks, widgets and feedback; every text escaped.

    Args:
        policy: ``full`` (expected / found / hint of each failed part), ``hint`` (hints only)
            or ``score`` (the head line only): what feedback shows of a hidden test.
        verdict: the head line's score (default: the result's own).
        show_version: name the version of the checks in the head line (feedback does; a
            notebook carries it as the ``data-version`` attribute only).

    Raises:
        ValueError: an unknown policy.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    e = html.escape
    verdict = verdict or result.verdict
    color = "#1a7f37" if verdict.passed else ("#9a6700" if verdict.score > 0 else "#cf222e")
    marked = "" if policy == "full" else f" data-policy='{policy}'"
    marked += f" data-version='{result.version}'" if result.version else ""
    version = (
        f" <span style='font-weight:normal;color:#57606a'>(checks version {result.version})</span>"
        if show_version and result.version
        else ""
    )
    head = (
        f"<div class='course-check' data-exercise='{e(result.exercise)}' data-passed='{str(verdict.passed).lower()}'"
        f"{marked} style='border-left:4px solid {color};padding:6px 10px;margin:6px 0;font-family:sans-serif'>"
        f"<div style='font-weight:bold;color:{color}'>{e(result.exercise)} {e(result.title)}: "
        f"{_num(verdict.score)}/{_num(verdict.max_score)} points{' - passed' if verdict.passed else ''}{version}</div>"
    )
    if policy == "score":
        return head + "</div>"
    rows = "".join(_part_html(p, policy) for p in result.parts)
    error = f"<div style='color:#cf222e'>{e(result.error)}</div>" if result.error else ""
    return f"{head}{error}<ul style='list-style:none;padding-left:4px;margin:4px 0'>{rows}</ul></div>"


def _part_html(part: Part, policy: str) -> str:
    e = html.escape
    detail = ""
    if not part.passed:
        if policy == "full":
            detail += f"<div><b>expected:</b> <code>{e(part.expected)}</code></div>"
            detail += f"<div><b>found:</b> <code>{e(part.found)}</code></div>"
        detail += f"<div><b>hint:</b> {e(part.hint)}</div>" if part.hint else ""
    icon = "&#10004;" if part.passed else "&#10008;"
    return (
        f"<li class='course-part {'passed' if part.passed else 'failed'}' style='margin:4px 0'>"
        f"<span style='color:{'#1a7f37' if part.passed else '#cf222e'}'>{icon}</span> "
        f"{e(part.name)} <small>({_num(part.points)}/{_num(part.max_points)})</small>{detail}</li>"
    )


def _num(value: float) -> str:
    return f"{value:g}"
