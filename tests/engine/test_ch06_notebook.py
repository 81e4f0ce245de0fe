"""The chapter 06 notebook executed inside the test lab: the source version scores full marks and
its demonstrations clean up after themselves; the released version (real nbgrader) runs without
errors outside the check cells, keeps no solution, and scores 0."""

from __future__ import annotations

import re
import shutil
import uuid

import nbformat
import pytest

from grader.chapters import registry
from grader.engine.catalogue import COURSE_BASE_TAGS
from tests.support import ARTIFACTS, REPO, EngineSession, errors_in, release, scores, stream_text

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("without_provided_images")]

CHAPTER = REPO / "course" / "06-multistage"
EXERCISES = {e.id: e.max_score for e in registry().values() if e.chapter == "06"}
ANSWER_IMAGES = {"course/app:fat", "course/app:slim", "course/app:builder", "course/hello-static:1.0"}
CHAPTER_IMAGES = {"busybox:latest", "python:3.11", "python:3.11-slim"}


def tags(engine: EngineSession) -> set[str]:
    return {t for image in engine.client.images.list() for t in image.tags}


def assert_demonstrations_cleaned(engine: EngineSession) -> None:
    assert not engine.client.containers.list(all=True), "a demonstration or a check left a container"
    assert not engine.client.volumes.list(), "a demonstration or a check left a volume"
    assert not [t for t in tags(engine) if t.startswith("demo/")], tags(engine)


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind. The layer chart shows the fat and slim images."""
    folder = ARTIFACTS / f"ch06-source-{uuid.uuid4().hex[:6]}" / "06-multistage"
    # a copy of the shipped files: the notebook's answers never land in course/
    shutil.copytree(CHAPTER, folder, ignore=shutil.ignore_patterns("ex[0-9]", "demo", ".ipynb_checkpoints"))
    kept = engine.keep_only_chapter_images("06")  # no debian:bookworm-slim: prepare 06 does not load it
    assert kept == CHAPTER_IMAGES, kept
    try:
        nb = engine.execute_notebook(folder / "06-multistage.ipynb")
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (points, points) for ex, points in EXERCISES.items()}
    assert_demonstrations_cleaned(engine)
    # the builder stage of ex4 stays as an untagged cache image: that is the learner's, not a demo's
    assert tags(engine) == CHAPTER_IMAGES | ANSWER_IMAGES, tags(engine) ^ (CHAPTER_IMAGES | ANSWER_IMAGES)
    assert_demonstrations_show_what_the_text_says(nb)
    chart = next(c for c in nb.cells if "show_layer_chart" in c.source)
    html = "".join(o.get("data", {}).get("text/html", "") for o in chart.outputs)
    assert "<svg" in html and "FROM python:3.11-slim" in html and "course/app:fat" in html


def assert_demonstrations_show_what_the_text_says(nb) -> None:  # type: ignore[no-untyped-def]
    """BuildKit skips the failing unused stage, a cache mount outlives a build but not into the image, and a
    scratch image holds only its file (no passwd, no certificates)."""
    stages = stream_text(nb, "2faac536")
    assert "made in stage maker, on Debian" in stages and "this stage ran" not in stages, stages
    cache = stream_text(nb, "ch06-cache-mount-demo")
    assert "holds 1 build(s)\nthe cache mount holds 2 build(s)" in cache, cache
    assert "in the image: ls: /cache: No such file or directory" in cache, cache
    assert_copy_link_on_the_classic_store(stream_text(nb, "ch06-copy-link-demo"))
    scratch = stream_text(nb, "ch06-scratch-demo")
    assert "no command specified" in scratch.lower() and "no matching entries in passwd file" in scratch, scratch
    files = scratch.split("its files: ")[1].splitlines()[0].split()
    assert "hello.c" in files and "etc/passwd" not in files and not [f for f in files if "ssl" in f], files
    assert "#include <stdio.h>" in scratch, scratch
    assert_shell_less_debugging(stream_text(nb, "ch06-no-shell-demo"))


def assert_copy_link_on_the_classic_store(text: str) -> None:
    """On the lab's classic store (overlay2) BuildKit builds COPY --link as a plain COPY: the plain build is CACHED
    from the --link one, the images are the same, and a new base re-runs the --link copy (as the text says)."""
    assert "this engine's image store: overlay2" in text, text
    found = {
        (base, kind): status
        for base, kind, status in re.findall(r"^FROM (\S+), +(\w+): +the COPY step: (\w+)", text, re.MULTILINE)
    }
    assert found == {
        ("busybox", "link"): "DONE",
        ("busybox", "plain"): "CACHED",
        ("python:3.11-slim", "link"): "DONE",
        ("python:3.11-slim", "plain"): "CACHED",
    }, text
    assert text.count("the same image with and without --link: yes") == 2, text


def assert_shell_less_debugging(text: str) -> None:
    """No sh to run or exec; docker cp, export and image save read the files; a busybox in the container's pid and
    net namespaces sees its PID 1, its address and, through /proc/1/root/, its files."""
    assert text.count('exec: "sh": executable file not found in $PATH') == 2, text
    assert "docker cp demo-no-shell:/state.txt: waiter started as PID 1" in text, text
    exported = text.split("(docker export): ")[1].splitlines()[0].split()
    assert {"waiter", "state.txt", ".dockerenv"} <= set(exported) and "bin/" not in exported, exported
    assert re.search(r"\(docker image save\): -rwxr-xr-x 0/0 \d+ \S+ \S+ waiter\s*$", text, re.MULTILINE), text
    assert re.search(r"^\s*1 /waiter\s*$", text, re.MULTILINE), text
    assert re.search(r"/proc/1/root/ holds: dev etc proc state.txt sys waiter\s*$", text, re.MULTILINE), text
    assert "/proc/1/root/state.txt: waiter started as PID 1" in text, text
    inside = re.search(r"eth0: ([\d.]+)/\d+", text)
    assert inside and f"docker inspect's address of demo-no-shell: {inside[1]}" in text, text


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    folder = release("06-multistage")
    released = nbformat.read(str(folder / "06-multistage.ipynb"), as_version=4)
    sources = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in sources and "NotImplementedError" not in sources
    for answer in ("-r requirements.txt", "COPY --from=builder /wheels", "gcc -static -Os", "--target builder -t"):
        assert answer not in sources, answer
    assert (folder / "app" / "ext" / "fastfib.c").is_file() and (folder / "hello" / "hello.c").is_file()
    assert not list(folder.glob("ex[0-9]/Dockerfile")), "answers were copied into the release"
    nb = engine.execute_notebook(folder / "06-multistage.ipynb")
    graded = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    outside = [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in graded]
    assert not outside, outside
    got = scores(nb)
    assert set(got) == {f"{ex}-check" for ex in EXERCISES}
    assert all(score == 0 for score, _ in got.values()), got
    assert_demonstrations_cleaned(engine)
    assert tags(engine) == set(COURSE_BASE_TAGS), tags(engine)


def test_notebook_cells_follow_the_authoring_rules() -> None:
    """Every exercise has answer cells with stubs and one check cell with the exercise's points."""
    nb = nbformat.read(str(CHAPTER / "06-multistage.ipynb"), as_version=4)
    nbformat.validate(nb)
    checks = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            assert meta["grade_id"][:8] in EXERCISES and cell.metadata["docker_course"]["stub"].startswith("# TODO")
        if meta.get("grade"):
            checks[meta["grade_id"]] = (cell.source, meta["points"])
    assert checks == {f"{ex}-check": (f'check("{ex}")', points) for ex, points in EXERCISES.items()}
