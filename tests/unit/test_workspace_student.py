"""The student version, made by the real nbgrader: no answer key in the workspace, assets beside it, cached.

One nbgrader run for the whole module, from a copy of the course's source in
which an instructor has worked (answer and demo folders written, a hint and an
explanation in an answer cell's metadata), into a cache of its own.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.engine.settings import repo_root
from grader.workspace import student_version
from grader.workspace.solutions import solution, solution_regions
from grader.workspace.student_version import IGNORED, StudentVersion, student_versions
from grader.workspace.update import sync

HINT = "Two instructions are enough: FROM, then LABEL."
EXPLAIN = "MAINTAINER is deprecated; a label is what `docker inspect` shows."


def _plant_instructor_work(source: Path) -> None:
    chapter = source / "01-dockerfile"
    (chapter / "ex1").mkdir()
    (chapter / "ex1" / "Dockerfile").write_text("FROM busybox\nLABEL maintainer=instructor\n")
    (chapter / "demo" / "layers").mkdir(parents=True)
    (chapter / "demo" / "layers" / "Dockerfile").write_text("FROM busybox\n")
    path = chapter / "01-dockerfile.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ch01-ex1-dockerfile":
            cell["metadata"]["docker_course"].update(hints=[HINT], explain=EXPLAIN)
    path.write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("student")
    source = tmp / "course"
    shutil.copytree(repo_root() / "course", source, ignore=shutil.ignore_patterns(*IGNORED))
    _plant_instructor_work(source)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCKER_COURSE_CACHE", str(tmp / "cache"))
        started = time.monotonic()
        versions = student_versions(source)
        first = time.monotonic() - started
        started = time.monotonic()
        again = student_versions(source)
        second = time.monotonic() - started
        workspace = tmp / "work"
        workspace.mkdir()
        sync(workspace, versions)
        yield {
            "source": source,
            "versions": versions,
            "again": again,
            "workspace": workspace,
            "first": first,
            "second": second,
        }


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _notebook_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    parts = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]
    parts += [json.dumps(c.get("metadata", {})) for c in nb["cells"]]
    return _normalised("\n".join(parts))


def _regions_and_outside_lines(source: Path) -> tuple[list[str], set[str]]:
    regions: list[str] = []
    outside: set[str] = set()
    for path in source.rglob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found = solution_regions(text)
            regions += found
            inside = {_normalised(line) for r in found for line in r.split("\n")}
            outside |= {_normalised(line) for line in text.split("\n")} - inside
    return [r for r in regions if r.strip()], outside


def test_every_folder_of_the_course_has_a_student_version(made: dict[str, Any]) -> None:
    assert sorted(made["versions"]) == [
        "00-start-here",
        "01-dockerfile",
        "02-ports",
        "03-networks",
        "04-namespaces",
        "05-volumes",
        "06-multistage",
    ]
    assert (made["workspace"] / "00-start-here" / "00-start-here.ipynb").is_file()


def test_no_solution_block_of_the_source_appears_in_the_workspace(made: dict[str, Any]) -> None:
    """Each solution region (its lines together, whitespace normalised) is absent from every notebook.

    A one-line region may appear where the source has the same line outside any region.
    """
    regions, outside = _regions_and_outside_lines(made["source"])
    assert len(regions) >= 35
    notebooks = sorted(made["workspace"].rglob("*.ipynb"))
    assert len(notebooks) == 14, "7 notebooks and their 7 base copies"
    texts = {p: _notebook_text(p) for p in notebooks}
    leaks = []
    for region in regions:
        lines = [_normalised(x) for x in region.split("\n") if x.strip()]
        if len(lines) == 1 and lines[0] in outside:
            continue
        leaks += [f"{p.name}: {lines}" for p, text in texts.items() if _normalised(region) in text]
    assert not leaks, leaks
    assert HINT not in "".join(texts.values()) and "MAINTAINER is deprecated; a label" not in "".join(texts.values())


def test_no_hint_or_explanation_of_the_source_reaches_the_workspace(made: dict[str, Any]) -> None:
    """The source's docker_course.hints and .explain are read on request only, never released."""
    secrets = []
    for path in made["source"].rglob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            course = cell["metadata"].get("docker_course", {})
            secrets += [*course.get("hints", []), *([course["explain"]] if "explain" in course else [])]
    assert len(secrets) >= 10, "chapter 01 has hints"
    released = "".join(p.read_text() for p in made["workspace"].rglob("*.ipynb"))
    assert [s for s in secrets if json.dumps(s)[1:-1] in released] == []


def test_typing_the_shown_solutions_gives_back_the_source_cell_for_cell(made: dict[str, Any]) -> None:
    """For every chapter: the student version with `docker-course solution`'s answers typed in is the source
    (solution delimiters aside), so it scores what the source scores (the chapter notebook tests run the source;
    tests/engine/test_workspace_chapters.py runs one such typed workspace notebook in a lab)."""
    from grader.chapters import registry
    from grader.workspace.cells import grade_id
    from grader.workspace.solutions import split_solution

    source = made["source"]
    for chapter in sorted({e.chapter for e in registry().values()}):
        folder = next(p.name for p in source.iterdir() if p.name.startswith(chapter + "-"))
        ids = [e.id for e in registry().values() if e.chapter == chapter]
        answers = {c.grade_id: c.shown for ex in ids for c in solution(ex, source).cells}
        student = json.loads((made["workspace"] / folder / f"{folder}.ipynb").read_text())
        original = json.loads((source / folder / f"{folder}.ipynb").read_text())
        typed = [answers.get(grade_id(c) or "", "".join(c["source"])) for c in student["cells"]]
        expected = [split_solution("".join(c["source"]))[1] for c in original["cells"]]
        assert typed == expected, folder
        assert [grade_id(c) for c in student["cells"]] == [grade_id(c) for c in original["cells"]], folder


def test_answer_cells_hold_the_course_stubs(made: dict[str, Any]) -> None:
    nb = json.loads((made["workspace"] / "01-dockerfile" / "01-dockerfile.ipynb").read_text())
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in nb["cells"]}
    assert cells["ch01-ex1-dockerfile"].startswith("%%writefile ex1/Dockerfile\n# TODO: start from the busybox")
    assert "BEGIN SOLUTION" not in json.dumps(nb)


def test_assets_come_along_answer_and_demo_folders_never(made: dict[str, Any]) -> None:
    ws = made["workspace"]
    assert (ws / "01-dockerfile" / "assets" / "site.tar").is_file()
    assert (ws / "05-volumes" / "config" / "app.conf").is_file()
    assert (ws / "06-multistage" / "hello" / "hello.c").is_file()
    assert not (ws / "01-dockerfile" / "ex1").exists() and not (ws / "01-dockerfile" / "demo").exists()
    cached = [p for v in made["versions"].values() for p in v.folder.rglob("*") if student_version.ignored(p.name)]
    assert cached == []


def test_a_second_start_reuses_the_cache(made: dict[str, Any]) -> None:
    assert {k: v.folder for k, v in made["again"].items()} == {k: v.folder for k, v in made["versions"].items()}
    assert made["second"] < 1.0, f"second start took {made['second']:.2f} s (first {made['first']:.1f} s)"


def test_a_changed_chapter_gets_a_new_digest_others_keep_theirs(made: dict[str, Any]) -> None:
    source = made["source"]
    before = {k: student_version.source_digest(source / k) for k in ("01-dockerfile", "02-ports")}
    readme = source / "02-ports" / "README.md"
    readme.write_text(readme.read_text() + "\nOne more line.\n")
    (source / "01-dockerfile" / "ex2").mkdir()  # the instructor's answers: not part of the release
    assert student_version.source_digest(source / "02-ports") != before["02-ports"]
    assert student_version.source_digest(source / "01-dockerfile") == before["01-dockerfile"]


def test_solution_and_hints_come_from_the_source(made: dict[str, Any]) -> None:
    found = solution("ch01-ex1", made["source"])
    assert [c.grade_id for c in found.cells] == ["ch01-ex1-dockerfile", "ch01-ex1-build"]
    assert found.cells[0].shown == '%%writefile ex1/Dockerfile\nFROM busybox\nLABEL maintainer="learner@example.com"'
    assert found.cells[0].explain == EXPLAIN
    assert found.hints == [HINT]
    assert "LABEL maintainer=&quot;learner@example.com&quot;" in found.to_html()


def test_the_ignore_list_is_the_course_configs() -> None:
    text = (repo_root() / "nbgrader_config.py").read_text()
    configured = re.search(r"CourseDirectory\.ignore = (\[.*\])", text)
    assert configured is not None
    assert tuple(json.loads(configured.group(1))) == IGNORED


def test_student_version_lists_notebooks_and_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "n.ipynb").write_text("{}")
    version = StudentVersion("f", "d", tmp_path)
    assert version.notebooks() == ["n.ipynb"] and list(version.files()) == ["a/x.txt"]


def test_a_real_course_change_merges_into_an_answered_workspace(made: dict[str, Any]) -> None:
    """End to end with nbgrader: the instructor edits chapter 01's source; the learner's answers survive.

    (Last in the module: it changes the module's source copy.)
    """
    from grader.workspace.cells import grade_id

    source, workspace = made["source"], made["workspace"]
    mine = workspace / "01-dockerfile" / "01-dockerfile.ipynb"
    nb = json.loads(mine.read_text())
    by_id = {grade_id(c): c for c in nb["cells"]}
    by_id["ch01-ex1-dockerfile"]["source"] = "%%writefile ex1/Dockerfile\nFROM busybox\nLABEL maintainer=me"
    by_id["ch01-ex2-dockerfile"]["source"] = "%%writefile ex2/Dockerfile\nFROM busybox\nRUN echo hi > /etc/motd"
    nb["cells"].insert(3, {"cell_type": "markdown", "id": "my-notes", "metadata": {}, "source": "My notes"})
    mine.write_text(json.dumps(nb, indent=1))
    path = source / "01-dockerfile" / "01-dockerfile.ipynb"
    src = json.loads(path.read_text())
    src["cells"][0]["source"] = ["# Chapter 01: Dockerfile (revised)\n"]
    for cell in src["cells"]:
        if grade_id(cell) == "ch01-ex2-dockerfile":
            cell["metadata"]["docker_course"]["stub"] = "# TODO: FROM busybox, then one RUN"
    path.write_text(json.dumps(src, indent=1))

    report = sync(workspace, student_versions(source, names=["01-dockerfile"]))

    assert [c.action for c in report.changes] == ["conflict"], report.lines()
    assert "ch01-ex2-dockerfile" in report.changes[0].message
    after = json.loads(mine.read_text())
    texts = ["".join(c["source"]) for c in after["cells"]]
    assert texts[0] == "# Chapter 01: Dockerfile (revised)\n"
    assert texts[3] == "My notes", "the learner's cell stays after the cell it followed"
    cells = {grade_id(c): "".join(c["source"]) for c in after["cells"]}
    assert cells["ch01-ex1-dockerfile"].endswith("LABEL maintainer=me")
    assert cells["ch01-ex2-dockerfile"].endswith("RUN echo hi > /etc/motd")
    marked = texts[texts.index(cells["ch01-ex2-dockerfile"]) + 1]
    assert "Course update" in marked and "# TODO: FROM busybox, then one RUN" in marked
