"""Check versions: every exercise's rules are locked at its version; a changed rule needs a new one."""

from __future__ import annotations

import json

import pytest

from grader.chapters import Exercise, get, registry
from grader.chapters.exercise import changes_between
from grader.chapters.versions import fingerprint
from grader.checks.image_label import ImageLabel
from grader.checks.result import CheckResult, render_html
from grader.errors import DeclarationError
from tests.check_versions import LOCK, current, problems


def test_every_exercise_is_locked_at_its_version_with_its_rules() -> None:
    """The lock matches the declarations: a rule changed without a new version fails here."""
    moved = problems(json.loads(LOCK.read_text()), current())
    assert not moved, "\n".join(moved)


def test_a_changed_rule_moves_the_fingerprint_and_a_text_does_not() -> None:
    base = get("ch01-ex1")
    same_text = Exercise(
        base.id, base.title, [ImageLabel(tag="course/hello:1.0", key="maintainer", base="busybox", hint="other words")]
    )
    other_rule = Exercise(base.id, base.title, [ImageLabel(tag="course/hello:1.0", key="maintainer")])
    first = Exercise(base.id, base.title, [ImageLabel(tag="course/hello:1.0", key="maintainer", base="busybox")])
    assert fingerprint(first) == fingerprint(same_text)
    assert fingerprint(first) != fingerprint(other_rule)


def test_a_changed_rule_at_the_same_version_is_named_and_a_bump_asks_for_the_lock() -> None:
    locked = {"ch01-ex1": {"version": 1, "fingerprint": "aaaa"}}
    assert "raise its version=" in problems(locked, {"ch01-ex1": {"version": 1, "fingerprint": "bbbb"}})[0]
    assert "run --write" in problems(locked, {"ch01-ex1": {"version": 2, "fingerprint": "bbbb"}})[0]
    assert problems(locked, {"ch01-ex1": {"version": 1, "fingerprint": "aaaa"}}) == []


def test_a_version_needs_its_reason_and_changes_read_in_order() -> None:
    checks = [ImageLabel(tag="x:1", key="k")]
    with pytest.raises(DeclarationError, match="version 2 has no changes"):
        Exercise("ch09-ex1", "t", checks, version=2)
    with pytest.raises(DeclarationError, match="changes= names version 3"):
        Exercise("ch09-ex1", "t", checks, version=2, changes={2: "a", 3: "b"})
    ex = Exercise("ch09-ex1", "t", checks, version=3, changes={2: "the default is required", 3: "exec form too"})
    assert changes_between(ex, 1, 3) == ["v2: the default is required", "v3: exec form too"]
    assert changes_between(ex, 2, 3) == ["v3: exec form too"]


def test_results_carry_the_version_and_feedback_names_it() -> None:
    """check --json gains `version` (extend only); notebooks carry it as an attribute, feedback shows it."""
    result = CheckResult("ch01-ex1", "base", version=2)
    data = result.to_json()
    assert data["version"] == 2 and CheckResult.from_json(data).version == 2
    assert "version" not in CheckResult("ch01-ex1").to_json()
    assert "data-version='2'" in render_html(result) and "checks version" not in render_html(result)
    assert "(checks version 2)" in render_html(result, show_version=True)
    assert all(e.version >= 1 for e in registry().values())
