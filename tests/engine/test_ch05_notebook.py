"""The chapter 05 notebook executed inside the test lab: the source scores full marks, the
released version (real nbgrader) runs without errors outside check cells and scores 0, and
the demonstrations leave nothing behind but the exercises' own containers and volumes."""

from __future__ import annotations

import re

import pytest

from tests.support import REPO, EngineSession, errors_in, release, scores, stream_text

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("without_provided_images")]

NOTEBOOK = REPO / "course" / "05-volumes" / "05-volumes.ipynb"
POINTS = {"ch05-ex1": 4, "ch05-ex2": 5, "ch05-ex3": 3, "ch05-ex4": 4, "ch05-ex5": 3}
EXERCISE_CONTAINERS = {"note-2", "db-2", "reader", "producer", "consumer", "anon-vol"}
KEPT_IMAGES = {
    "busybox:latest",
    "debian:bookworm-slim",
    "python:3.11-slim",
    "python:3.11",
    "course/kv:1.0",
    "course/volume-port:1.0",
}


def leftovers(engine: EngineSession) -> tuple[set[str], set[str], set[str]]:
    containers = {c.name for c in engine.client.containers.list(all=True)}
    volumes = {v.name for v in engine.client.volumes.list()}
    tags = {t for image in engine.client.images.list() for t in image.tags}
    return containers, volumes, tags


def html_of(nb) -> str:
    return "".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind. The mount map is drawn live, twice; the write test
    leaves no file."""
    # a lab holding only what prepare("05") provides (its provided images the notebook's prepare builds)
    assert engine.keep_only_chapter_images("05") <= {"busybox:latest", "course/kv:1.0", "course/volume-port:1.0"}
    nb = engine.execute_notebook(NOTEBOOK)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (float(p), float(p)) for ex, p in POINTS.items()}
    html = html_of(nb)
    assert html.count("class='course-mount-map'") == 2, "the mount picture is drawn twice, from live state"
    assert "volume shared-data" in html and "volume demo-shared" in html
    containers, volumes, tags = leftovers(engine)
    assert containers == EXERCISE_CONTAINERS, containers
    anonymous = {v for v in volumes if re.fullmatch(r"[0-9a-f]{64}", v)}
    assert volumes - anonymous == {"course-db-data", "shared-data"} and len(anonymous) == 1, volumes
    assert tags <= KEPT_IMAGES, tags
    assert not list((NOTEBOOK.parent / "config").glob(".course-write-test*"))
    assert not (NOTEBOOK.parent / "demo-backup").exists(), "the backup demonstration removes its folder"
    assert_demonstrations_show_what_the_text_says(nb)


def assert_demonstrations_show_what_the_text_says(nb) -> None:  # type: ignore[no-untyped-def]
    """What the "What just happened" cells of the mount, tmpfs, backup and VOLUME demonstrations claim."""
    relative = stream_text(nb, "ch05-relative-bind")
    version = re.search(r"docker client (\d+)\.", relative)
    assert version, relative
    new_client = int(version.group(1)) >= 23
    assert ("older than Docker 23" not in relative) == new_client, relative
    assert ("greeting = hello from the host" in relative) == new_client, relative
    gotcha = stream_text(nb, "ch05-volume-gotcha")
    assert "before.txt" in gotcha and "after.txt" not in gotcha, gotcha
    mount = stream_text(nb, "ch05-mount-demo")
    assert "kept" in mount and "bind source path does not exist" in mount and "refused" in mount, mount
    tmpfs = stream_text(nb, "ch05-tmpfs-demo")
    assert re.search(r"tmpfs /scratch tmpfs .*size=16384k", tmpfs), tmpfs
    assert "lists 0 files inside /scratch" in tmpfs and "/scratch holds 0 files" in tmpfs, tmpfs
    backup = stream_text(nb, "ch05-backup-demo")
    assert "data.tar" in backup and "restored: precious two" in backup, backup


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    released = release("05-volumes") / "05-volumes.ipynb"
    assert (released.parent / "config" / "app.conf").is_file(), "the config folder ships with the assignment"
    nb = engine.execute_notebook(released)
    checks = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    outside = [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in checks]
    assert not outside, outside
    assert scores(nb) == {f"{ex}-check": (0.0, float(p)) for ex, p in POINTS.items()}, scores(nb)
    assert "### BEGIN SOLUTION" not in "".join(c.source for c in nb.cells)
    containers, volumes, tags = leftovers(engine)
    assert not containers and not volumes, (containers, volumes)
    assert tags <= KEPT_IMAGES, tags
