"""Check and exercise declarations are validated when made (container-structure-test's
``Validate()``): a bad field value, a missing field, a broken pattern, an unknown hint
reason, two parts with one title, or an answer name a check reads that the exercise
does not declare fail at import, never when a learner presses Check."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import grader.checks
from grader.chapters import Exercise, registry
from grader.checks.base import OBJECT_KINDS, Check
from grader.checks.container_state import ContainerState
from grader.checks.image_config import ImageConfig
from grader.checks.image_exists import ImageExists
from grader.checks.image_history import ImageHistory
from grader.checks.namespace_mode import NamespaceMode
from grader.checks.network_answer import NetworkAnswer
from grader.checks.network_mode import NetworkMode
from grader.errors import DeclarationError


def check_types() -> list[type[Check]]:
    """Every check type of grader/checks (one per module)."""
    types = []
    for info in pkgutil.iter_modules(grader.checks.__path__):
        module = importlib.import_module(f"grader.checks.{info.name}")
        types += [
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Check) and v is not Check and v.__module__ == module.__name__
        ]
    return types


def test_every_exercise_of_the_course_is_a_valid_declaration() -> None:
    """Importing the chapters validates all 35 exercises and every check in them."""
    exercises = registry()
    assert len(exercises) == 35
    for exercise in exercises.values():
        for check in exercise.checks:
            assert check.declaration_problems() == [], (exercise.id, check)


@pytest.mark.parametrize("check_type", check_types(), ids=lambda t: t.__name__)
def test_each_type_declares_rules_for_its_own_fields_only(check_type: type[Check]) -> None:
    """A rule naming a field the type does not have would silently check nothing."""
    fields = {f.name for f in dataclasses.fields(check_type)}
    named = {*check_type.REQUIRED, *check_type.CHOICES, *check_type.OBJECTS, *check_type.ANSWERS, *check_type.PATTERNS}
    assert named <= fields
    assert set(check_type.OBJECTS.values()) <= {*OBJECT_KINDS, "mode"}
    assert check_type.kind != Check.kind


def test_kinds_are_unique() -> None:
    kinds = [t.kind for t in check_types()]
    assert len(kinds) == len(set(kinds))


def test_a_bad_field_value_fails_when_declared() -> None:
    with pytest.raises(DeclarationError, match="field_name='volumez' is not one of"):
        ImageConfig(tag="course/x:1.0", field_name="volumez")
    with pytest.raises(DeclarationError, match="namespace='netns'"):
        NamespaceMode(name="a", namespace="netns", mode="host")
    with pytest.raises(DeclarationError, match="exec_form applies to cmd and entrypoint, not volumes"):
        ImageConfig(tag="course/x:1.0", field_name="volumes", exec_form=True)
    with pytest.raises(DeclarationError, match="field='netmask'"):
        NetworkAnswer(answer="a", network="bridge", field="netmask")


def test_a_missing_field_a_broken_pattern_and_bad_points_fail_when_declared() -> None:
    with pytest.raises(DeclarationError, match="tag must be given"):
        ImageExists()
    with pytest.raises(DeclarationError, match="pattern is not a regular expression"):
        ImageHistory(tag="course/x:1.0", pattern="(unclosed")
    with pytest.raises(DeclarationError, match="points must be positive"):
        ImageExists(tag="course/x:1.0", points=0)


def test_a_hint_for_an_unknown_failure_reason_fails_when_declared() -> None:
    with pytest.raises(DeclarationError, match="no failure reason 'typo'"):
        ImageExists(tag="course/x:1.0", hints={"typo": "never shown"})


def test_two_parts_with_one_title_fail_when_declared() -> None:
    a = ContainerState(name="web", title="web runs")
    b = ContainerState(name="web", running=None, title="web runs")
    with pytest.raises(DeclarationError, match="2 parts are titled 'web runs'"):
        Exercise("ch09-ex1", "twins", [a, b])
    untitled = [ContainerState(name="web"), ContainerState(name="web")]  # both "container web is running"
    with pytest.raises(DeclarationError, match="titled 'container web is running'"):
        Exercise("ch09-ex1", "twins", untitled)


def test_an_answer_read_but_not_declared_and_one_declared_but_not_read_fail() -> None:
    subnet = NetworkAnswer(answer="bridge_subnet", network="bridge", field="subnet")
    with pytest.raises(DeclarationError, match="reads the answer 'bridge_subnet', which answers= does not declare"):
        Exercise("ch09-ex1", "answers", [subnet])
    with pytest.raises(DeclarationError, match="declares 'bridge_gateway', which no check reads"):
        Exercise("ch09-ex1", "answers", [subnet], answers=("bridge_subnet", "bridge_gateway"))
    assert Exercise("ch09-ex1", "answers", [subnet], answers=("bridge_subnet",)).max_score == 1


def test_a_malformed_id_or_no_checks_fail() -> None:
    with pytest.raises(DeclarationError, match="not of the form chNN-exM"):
        Exercise("chapter1-ex1", "bad id", [ImageExists(tag="course/x:1.0")])
    with pytest.raises(DeclarationError, match="no checks"):
        Exercise("ch09-ex1", "empty", [])


def test_objects_a_check_names() -> None:
    """Object fields give (kind, name); a container:NAME mode names that container; Docker's own
    networks and the engine host name no object."""
    assert NetworkMode(container="sidecar", mode="container:api").objects() == [
        ("container", "sidecar"),
        ("container", "api"),
    ]
    assert NetworkMode(container="host-web", mode="host").objects() == [("container", "host-web")]
    assert NetworkAnswer(answer="a", network="bridge").objects() == []
