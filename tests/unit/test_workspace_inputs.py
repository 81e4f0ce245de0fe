"""Bad inputs around the workspace: where it may be, a second lab on it, unknown exercises, release metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell

from grader.errors import ConfigError, UnknownExercise
from grader.nbgrader_glue.strip_answer_metadata import StripAnswerMetadata
from grader.workspace import lock
from grader.workspace.location import WORKSPACE_ENV, validate, workspace_path
from grader.workspace.safe_fs import SafeTree
from grader.workspace.solutions import NoSolution, solution, split_solution


def test_default_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert workspace_path() == tmp_path / "docker-course-work"
    monkeypatch.setenv(WORKSPACE_ENV, "~/elsewhere")
    assert workspace_path() == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("checkout/work", "is inside the course checkout"),
        ("checkout", "is inside the course checkout"),
        (".", "contains the course checkout"),
        ("a-file", "is a file, not a folder"),
        ("a-file/work", "is not writable"),
    ],
)
def test_unusable_workspace_paths_get_one_sentence(tmp_path: Path, where: str, says: str) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ConfigError) as e:
        validate(tmp_path / where, checkout)
    assert says in str(e.value) and WORKSPACE_ENV in str(e.value)
    assert "\n" not in str(e.value)


def test_a_link_to_a_folder_inside_the_checkout_is_refused(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "course").mkdir(parents=True)
    (tmp_path / "work").symlink_to(checkout / "course")
    with pytest.raises(ConfigError, match="inside the course checkout"):
        validate(tmp_path / "work", checkout)


def test_validate_makes_the_folder(tmp_path: Path) -> None:
    assert validate(tmp_path / "new" / "work", tmp_path / "checkout") == tmp_path / "new" / "work"
    assert (tmp_path / "new" / "work").is_dir()


def test_a_second_lab_on_the_same_workspace_is_refused_and_names_the_first(tmp_path: Path) -> None:
    tree = SafeTree(tmp_path)
    lock.acquire(tree, "lab:docker-course-lab", alive=lambda owner: True)
    with pytest.raises(lock.WorkspaceBusy, match="already served by lab docker-course-lab"):
        lock.acquire(tree, "lab:second", alive=lambda owner: True)
    assert lock.acquire(tree, "lab:docker-course-lab", alive=lambda owner: True).owner == "lab:docker-course-lab"
    assert not lock.release(tree, "lab:second")
    assert lock.release(tree, "lab:docker-course-lab")
    assert lock.holder(tree) is None


def test_a_stale_lock_is_taken_over(tmp_path: Path) -> None:
    tree = SafeTree(tmp_path)
    lock.acquire(tree, "lab:gone", alive=lambda owner: True)
    seen = []
    taken = lock.acquire(tree, "lab:new", alive=lambda owner: seen.append(owner.owner) or False)
    assert taken.owner == "lab:new" and seen == ["lab:gone"]
    assert lock.holder(tree) == taken


def test_unknown_exercise_for_a_solution_is_one_sentence() -> None:
    with pytest.raises(UnknownExercise, match="is not an exercise of the course"):
        solution("ch09-ex1")


def test_no_source_means_no_solution(tmp_path: Path) -> None:
    with pytest.raises(NoSolution, match="hints and solutions are read from the course's source"):
        solution("ch01-ex1", tmp_path)


def test_split_solution_keeps_the_lines_around_the_region() -> None:
    text = "%%writefile ex1/Dockerfile\n### BEGIN SOLUTION\nFROM busybox\n### END SOLUTION\n# after"
    assert split_solution(text) == ("FROM busybox", "%%writefile ex1/Dockerfile\nFROM busybox\n# after")
    assert split_solution("a markdown answer") == ("a markdown answer", "a markdown answer")


def test_release_strips_hints_and_explanations_only() -> None:
    cell = new_code_cell("x", metadata={"docker_course": {"stub": "# TODO", "hints": ["h"], "explain": "e"}})
    bare = new_code_cell("y", metadata={"docker_course": {"hints": ["h"]}})
    pre = StripAnswerMetadata()
    assert pre.preprocess_cell(cell, {}, 0)[0].metadata == {"docker_course": {"stub": "# TODO"}}
    assert pre.preprocess_cell(bare, {}, 0)[0].metadata == {}


def test_a_learner_lab_with_a_workspace_mounts_the_kit_read_only_and_serves_the_workspace(tmp_path: Path) -> None:
    from grader.engine import lab_container
    from grader.engine.boundary_runner import LabExtras
    from grader.engine.lab_container import RUN_IN_LAB
    from grader.engine.lab_spec import LabSpec
    from grader.engine.settings import Settings

    settings = Settings()
    source = LabSpec.learner(settings, name="lab-a", root=tmp_path / "checkout")
    served = LabSpec.learner(settings, name="lab-a", root=tmp_path / "kit", workspace=tmp_path / "work")
    assert source.root_read_only and source.workspace is None
    # the instructor's view writes the source notebooks and test artifacts only, never code the host runs
    checkout = (tmp_path / "checkout").resolve()
    assert source.extra_mounts == (checkout / "course", checkout / "build" / "test-artifacts")
    source_binds = lab_container._binds(source, tmp_path / "run", LabExtras())
    assert source_binds[str(checkout)]["mode"] == "ro"
    assert {b["bind"] for b in source_binds.values() if b["mode"] == "rw"} == {
        str(checkout / "course"),
        str(checkout / "build" / "test-artifacts"),
        "/var/lib/docker",
        RUN_IN_LAB,
    }
    assert served.root_read_only and served.workspace == tmp_path / "work"
    other = LabSpec.learner(settings, name="lab-a", root=tmp_path / "kit", workspace=tmp_path / "elsewhere")
    assert len({source.fingerprint(), served.fingerprint(), other.fingerprint()}) == 3
    binds = lab_container._binds(served, tmp_path / "run", LabExtras())
    assert binds[str(tmp_path / "work")]["mode"] == "rw" and binds[str(tmp_path / "kit")]["mode"] == "ro"
    env = lab_container._environment(served)
    assert env["COURSE_JUPYTER_ROOT"] == env["DOCKER_COURSE_WORKSPACE"] == str(tmp_path / "work")
    assert "COURSE_JUPYTER_ROOT" not in lab_container._environment(source)


def test_the_learner_kit_has_the_grader_and_assets_but_no_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.engine.settings import repo_root
    from grader.workspace.lab_kit import learner_kit

    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path))
    kit = learner_kit()
    assert (kit / "grader" / "cli.py").is_file() and (kit / "nbgrader_config.py").is_file()
    assert (kit / "course" / "01-dockerfile" / "assets" / "hello.txt").is_file()
    assert not list(kit.rglob("*.ipynb")) and not list(kit.rglob("ex[0-9]"))
    assert learner_kit() == kit, "the same code and files: the same kit"
    assert repo_root() not in kit.parents
