"""The curriculum module agrees with the exercise declarations, the notebooks and the image sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader import curriculum
from grader.chapters import registry
from grader.engine.catalogue import BY_TAG, resolve
from grader.engine.provided import SOURCES

COURSE = Path(__file__).resolve().parents[2] / "course"
# What a chapter notebook's code cells name: `--name X`, `network create X`, a named volume, a tag.
NOTEBOOK_NAMES = {
    "containers": [r"--name[ =]([A-Za-z0-9][A-Za-z0-9_.-]*)"],
    "networks": [r"network create ([A-Za-z0-9][A-Za-z0-9_.-]*)"],
    "volumes": [r"(?:-v|--volume)[ =]([A-Za-z0-9][A-Za-z0-9_.-]*):", r"volume create ([A-Za-z0-9][A-Za-z0-9_.-]*)"],
    "images": [r"(?:docker build[^\n]*?-t|docker tag \S+) ([a-z][A-Za-z0-9_./:-]*)"],
}


def notebook_names(chapter: curriculum.Chapter) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {kind: set() for kind in NOTEBOOK_NAMES}
    for path in sorted((COURSE / chapter.folder).glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for kind, patterns in NOTEBOOK_NAMES.items():
            for pattern in patterns:
                found[kind] |= set(re.findall(pattern, code))
    return found


def test_every_declared_exercise_is_in_the_curriculum_and_vice_versa() -> None:
    assert list(registry()) == list(curriculum.exercise_ids())
    for exercise_id in registry():
        assert curriculum.chapter_of(exercise_id).number == exercise_id[2:4]


def test_chapters_are_numbered_in_order_and_their_folders_exist() -> None:
    numbers = [c.number for c in curriculum.CHAPTERS]
    assert numbers == [f"{n:02d}" for n in range(1, len(numbers) + 1)]
    for chapter in curriculum.CHAPTERS:
        assert chapter.folder.startswith(chapter.number + "-") and (COURSE / chapter.folder).is_dir()
        assert chapter.title and chapter.summary and chapter.exercises


def test_chapter_spellings_and_unknown_names() -> None:
    for spelling in ("2", "02", "ch02", "02-ports", " 02 "):
        assert curriculum.chapter(spelling).folder == "02-ports"
    for bad in ("07", "0", "ports", ""):
        assert curriculum.chapter_number(bad) is None
        with pytest.raises(curriculum.UnknownName):
            curriculum.chapter(bad)
    with pytest.raises(curriculum.UnknownName):
        curriculum.names_of("ch09-ex1")


def test_images_a_chapter_needs_are_known_and_their_sources_ship() -> None:
    for chapter in curriculum.CHAPTERS:
        resolve(list(chapter.base_images))  # raises for an unknown base image
        for tag in chapter.provided_images:
            image = curriculum.provided(tag)
            assert (SOURCES / image.source / "Dockerfile").is_file(), image
            assert set(image.bases) <= set(chapter.base_images), (chapter.number, image)
    assert all(b in {t.split(":")[0] for t in BY_TAG} or b in BY_TAG for p in curriculum.PROVIDED for b in p.bases)


def test_exercise_names_are_unique_and_dependencies_point_backwards() -> None:
    owner: dict[tuple[str, str], str] = {}
    order = list(curriculum.exercise_ids())
    for chapter in curriculum.CHAPTERS:
        for plan in chapter.exercises:
            for kind in ("containers", "networks", "volumes", "images"):
                for name in getattr(plan.creates, kind):
                    assert (kind, name) not in owner, f"{name} created by {owner[(kind, name)]} and {plan.id}"
                    owner[(kind, name)] = plan.id
            assert all(tag.startswith(curriculum.IMAGE_PREFIX) for tag in plan.creates.images), plan
            for dep in plan.depends_on:
                assert order.index(dep) < order.index(plan.id) and dep[:4] == plan.id[:4], (plan.id, dep)


def test_dependents_follow_the_dependencies() -> None:
    assert curriculum.dependents_of("ch03-ex3") == ("ch03-ex6",)
    assert curriculum.dependents_of("ch02-ex3") == ("ch02-ex6",)
    assert curriculum.dependents_of("ch03-ex6") == ()
    assert curriculum.names_of("ch03-ex3") == curriculum.Names(containers=("api", "client"), networks=("course-net",))


@pytest.mark.parametrize("chapter", curriculum.CHAPTERS, ids=lambda c: c.folder)
def test_the_notebook_creates_exactly_the_curriculums_names(chapter: curriculum.Chapter) -> None:
    """Every object a chapter notebook names is in the curriculum, and every exercise object is in the notebook."""
    found = notebook_names(chapter)
    declared = chapter.names()
    exercises = curriculum.Names()
    for plan in chapter.exercises:
        exercises = exercises | plan.creates
    for kind, names in found.items():
        assert names <= set(getattr(declared, kind)), f"{chapter.folder}: {kind} not in the curriculum"
        assert set(getattr(exercises, kind)) <= names, f"{chapter.folder}: exercise {kind} the notebook never makes"


def test_all_names_is_the_union_of_the_chapters() -> None:
    every = curriculum.all_names()
    assert {"sidecar", "web-fixed", "note-1"} <= set(every.containers)
    assert set(every.networks) == {"course-net", "demo-net", "demo-net2"}
    assert {"course-db-data", "shared-data"} <= set(every.volumes)
    assert "course/app:fat" in every.images
