"""Every engine object a check names is listed by the curriculum (grader/curriculum.py): the
exercise's own objects, those of the exercises it depends on, or the chapter's base and
course-provided images. A check looking for a name the curriculum does not know fails here
(reset, "start over" and the instructions would not know it either)."""

from __future__ import annotations

import pytest

from grader import curriculum
from grader.chapters import registry
from grader.checks.base import Check
from grader.checks.container_state import ContainerState
from grader.checks.image_exists import ImageExists
from grader.checks.volume_exists import VolumeExists


def allowed(exercise_id: str) -> dict[str, set[str]]:
    """Names by kind that exercise ``exercise_id``'s checks may use."""
    chapter = curriculum.chapter_of(exercise_id)
    plans = [curriculum.exercise(exercise_id)]
    seen: set[str] = set()
    while plans:
        plan = plans.pop()
        if plan.id in seen:
            continue
        seen.add(plan.id)
        plans += [curriculum.exercise(d) for d in plan.depends_on]
    names = curriculum.Names()
    for plan_id in seen:
        names = names | curriculum.names_of(plan_id)
    images = {*names.images, *chapter.base_images, *chapter.provided_images}
    return {
        "container": set(names.containers),
        "network": set(names.networks),
        "volume": set(names.volumes),
        "image": images | {i.removesuffix(":latest") for i in images} | {f"{i}:latest" for i in images if ":" not in i},
    }


def unknown_names(exercise_id: str, checks: list[Check]) -> list[str]:
    """The objects ``checks`` name that the curriculum does not list for ``exercise_id``."""
    may = allowed(exercise_id)
    return [
        f"{check.describe()}: {kind} {name}"
        for check in checks
        for kind, name in check.objects()
        if name not in may[kind]
    ]


@pytest.mark.parametrize("exercise_id", sorted(registry()))
def test_every_name_a_check_uses_is_in_the_curriculum(exercise_id: str) -> None:
    unknown = unknown_names(exercise_id, registry()[exercise_id].checks)
    assert unknown == [], f"{exercise_id} names objects grader/curriculum.py does not list for it"


def test_the_curriculum_and_the_chapters_list_the_same_exercises() -> None:
    assert list(curriculum.exercise_ids()) == list(registry())


def test_a_check_on_an_unlisted_name_is_caught() -> None:
    """The tie is not vacuous: another exercise's container, an unknown image or volume are reported."""
    wrong = [
        ContainerState(name="web-fixed"),  # ch02-ex3's, and ch02-ex1 does not depend on it
        ImageExists(tag="course/unknown:1.0"),
        VolumeExists(volume="course-db-data"),  # chapter 05's
    ]
    assert len(unknown_names("ch02-ex1", wrong)) == 3
    assert unknown_names("ch02-ex6", [ContainerState(name="web-fixed")]) == []  # ch02-ex6 depends on ch02-ex3
