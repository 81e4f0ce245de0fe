"""Starting an exercise over: its answer cells restored, its and its dependents' engine objects removed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docker.errors import NotFound

from grader import curriculum
from grader.errors import GraderError, UnknownExercise
from grader.workspace.start_over import plan, start_over
from grader.workspace.update import sync
from tests.unit.test_workspace_merge import chapter_v1
from tests.unit.test_workspace_update import version


class FakeObject:
    def __init__(self, kind: str, name: str, engine: FakeEngine, labels: dict[str, str] | None = None) -> None:
        self.kind, self.name, self.engine, self.labels = kind, name, engine, labels or {}

    def remove(self, **kwargs: Any) -> None:
        self.engine.removed.append(f"{self.kind}:{self.name}")


class FakeCollection:
    def __init__(self, kind: str, engine: FakeEngine) -> None:
        self.kind, self.engine = kind, engine

    def get(self, name: str) -> FakeObject:
        if f"{self.kind}:{name}" not in self.engine.present:
            raise NotFound(name)
        return FakeObject(self.kind, name, self.engine, self.engine.labels.get(name))

    def remove(self, tag: str, **kwargs: Any) -> None:
        if f"image:{tag}" not in self.engine.present:
            raise NotFound(tag)
        self.engine.removed.append(f"image:{tag}")


class FakeEngine:
    """Just what removing named objects needs."""

    def __init__(self, present: set[str], labels: dict[str, dict[str, str]] | None = None) -> None:
        self.present, self.labels, self.removed = present, labels or {}, []
        self.containers = FakeCollection("container", self)
        self.networks = FakeCollection("network", self)
        self.volumes = FakeCollection("volume", self)
        self.images = FakeCollection("image", self)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    nb = chapter_v1()
    nb["cells"][4]["metadata"]["nbgrader"].update(solution=False, grade=True, locked=True)  # the check cell
    folder = tmp_path / "work"
    folder.mkdir()
    sync(folder, {"01-dockerfile": version(tmp_path, "v1", nb)})
    return folder


def test_plan_names_cells_objects_and_dependents(ws: Path) -> None:
    chosen = plan(ws, "ch01-ex1")
    assert chosen.cells == ("ch01-ex1-dockerfile",)
    assert chosen.names.images == ("course/hello:1.0",)
    assert chosen.notebook == "01-dockerfile/01-dockerfile.ipynb"
    assert "course/hello:1.0" in chosen.to_text()


def test_dependents_lose_their_objects_too() -> None:
    """ch03's sidecar joins api's namespace: starting api's exercise over removes sidecar as well."""
    dependents = curriculum.dependents_of("ch03-ex3")
    assert dependents, "the curriculum declares a dependency for ch03-ex3"
    names = curriculum.names_of("ch03-ex3")
    for each in dependents:
        names = names | curriculum.names_of(each)
    assert set(curriculum.names_of(dependents[0]).containers) <= set(names.containers)


def test_start_over_restores_the_answer_backs_up_and_removes_only_its_objects(ws: Path) -> None:
    path = ws / "01-dockerfile" / "01-dockerfile.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][3]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox"
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "Writing\n"}]
    nb["cells"][5]["source"] = "Done, with my notes."
    path.write_text(json.dumps(nb))
    engine = FakeEngine({"image:course/hello:1.0", "image:course/motd:1.0", "container:hello"})

    done = start_over(ws, "ch01-ex1", engine)  # type: ignore[arg-type]

    after = json.loads(path.read_text())
    assert after["cells"][3]["source"] == "%%writefile ex1/Dockerfile\n# TODO: FROM"
    assert after["cells"][3]["outputs"] == []
    assert after["cells"][5]["source"] == "Done, with my notes.", "other cells are the learner's"
    assert engine.removed == ["image:course/hello:1.0"]
    assert done.removed.images == ["course/hello:1.0"]
    assert json.loads(Path(done.backup).read_text())["cells"][3]["source"].endswith("FROM busybox")
    assert ".docker-course/backups/" in done.backup


def test_a_lab_is_never_removed_by_name() -> None:
    from grader.engine.reset import remove_names

    engine = FakeEngine({"container:api"}, labels={"api": {"org.docker-course.managed": "lab"}})
    assert remove_names(engine, curriculum.Names(containers=("api",))).containers == []  # type: ignore[arg-type]


def test_unknown_exercise_and_missing_workspace_notebook(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownExercise):
        plan(ws, "ch01-ex42")
    with pytest.raises(GraderError, match="run `docker-course update` first"):
        plan(ws, "ch02-ex1")
