"""The chapter 02 notebook executed inside the test lab: the source version scores full marks and
its demonstrations clean up after themselves; the released version (real nbgrader) runs without
errors outside the check cells and scores 0."""

from __future__ import annotations

import re

import pytest

from grader.chapters import registry
from grader.engine.catalogue import COURSE_BASE_TAGS
from grader.engine.provided import prepare
from tests.support import REPO, EngineSession, errors_in, release, scores, stream_text

pytestmark = pytest.mark.engine

NOTEBOOK = REPO / "course" / "02-ports" / "02-ports.ipynb"
EXERCISES = {e.id: e.max_score for e in registry().values() if e.chapter == "02"}
ANSWER_CONTAINERS = {"web-all", "web-random", "web-fixed", "web-ip-random", "web-ip-fixed", "web-second"}


def check_cell_errors(nb) -> list[str]:  # type: ignore[no-untyped-def]
    check_cells = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    return [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in check_cells]


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind."""
    # a lab holding only what prepare("02") provides (its provided images the notebook's prepare builds)
    assert engine.keep_only_chapter_images("02") <= {"busybox:latest", "course/web:1.0"}
    nb = engine.execute_notebook(NOTEBOOK)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (points, points) for ex, points in EXERCISES.items()}
    left = {c.name for c in engine.client.containers.list(all=True)}
    assert left == ANSWER_CONTAINERS, f"demonstration containers left: {left - ANSWER_CONTAINERS}"
    tags = {t for image in engine.client.images.list() for t in image.tags}
    assert tags <= set(COURSE_BASE_TAGS) | {"course/web:1.0"}, tags
    assert_demonstrations_show_what_the_text_says(nb)


def assert_demonstrations_show_what_the_text_says(nb) -> None:  # type: ignore[no-untyped-def]
    """The random ports, the bridge address and the IPv6 lines are read from the engine, as the text says."""
    random_range = stream_text(nb, "ch02-random-range")
    ports = [int(p) for p in re.findall(r"\d+", random_range.split("chose:")[1].split("\n")[0])]
    assert len(ports) == 2 and min(ports) >= 32768, random_range  # 80 and 81, in either usual range
    assert "served by" in stream_text(nb, "3611a781")
    ipv6 = stream_text(nb, "31de026c")
    switch = re.search(r"disable_ipv6 = (\S+)", ipv6)
    assert switch, ipv6
    bracketed = int(re.search(r"IPv6 bindings of demo-fixed: (\d+)", ipv6).group(1))  # type: ignore[union-attr]
    assert switch.group(1) == "0" or bracketed == 0, ipv6  # IPv6 off: IPv4 bindings only, as the text says


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    prepare(engine.client, "02")  # the released notebook's first cell would do it too
    folder = release("02-ports")
    nb = engine.execute_notebook(folder / "02-ports.ipynb")
    assert not check_cell_errors(nb), check_cell_errors(nb)
    got = scores(nb)
    assert set(got) == {f"{ex}-check" for ex in EXERCISES}
    assert all(score == 0 for score, _ in got.values()), got
    assert not engine.client.containers.list(all=True), "the stubs should run no container"
