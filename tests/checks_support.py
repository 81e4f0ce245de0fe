"""Helpers the chapter check tests share: run learner commands in the lab, and read a result's
score, failed parts and hints (tests/support.py holds the lab itself)."""

from __future__ import annotations

from grader.checks.result import CheckResult
from tests.support import EngineSession, dump


def run(
    engine: EngineSession, *commands: str, workdir: str | None = None, may_fail: bool | tuple[str, ...] = ()
) -> str:
    """Run each shell command inside the lab, in order, as a learner would; the last one's output.

    Every command must succeed, except with ``may_fail=True`` (a learner's failing ``docker
    run`` is part of the exercise), or when it contains one of the ``may_fail`` texts.
    """
    output = ""
    for command in commands:
        ran = engine.sh(command, workdir=workdir)
        allowed = may_fail is True or (isinstance(may_fail, tuple) and any(t in command for t in may_fail))
        assert ran.ok or allowed, f"{command}: {ran.output}"
        output = ran.output.strip()
    return output


def hints(result: CheckResult) -> str:
    """Hint and found text of every failed part, in one string to search."""
    return " | ".join(f"{p.hint} {p.found}" for p in result.parts if not p.passed)


def failed(result: CheckResult) -> set[str]:
    """Names of the failed parts."""
    return {p.name for p in result.parts if not p.passed}


def passed_parts(result: CheckResult) -> dict[str, bool]:
    """Part name -> passed."""
    return {p.name: p.passed for p in result.parts}


def scored(result: CheckResult, score: float, *texts: str) -> CheckResult:
    """Assert the result scored exactly ``score`` and each of ``texts`` is in a failed part's hint or found text."""
    assert result.score == score, dump(result)
    for text in texts:
        assert text in hints(result), dump(result)
    return result
