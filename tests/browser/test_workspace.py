"""The learner's workspace in a real (headless) Chromium: chapter 01 served without its answer key, Hint then
Show solution (after its confirmation) reveal in order through the lab's channel, the landing page lists
the solution as viewed, and ch01-ex1 answered in the workspace copy passes its Check button.

A learner's lab of its own on a temporary workspace (made from the student versions, as `./course.sh start`
makes it), busybox only, the channel server on the host; all removed at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.engine import lab, provisioning
from grader.engine.install import ensure_host_engine
from grader.engine.settings import Settings
from grader.services import channel_process
from grader.workspace.service import release, serve
from grader.workspace.solutions import hints, solution_regions, source_dir
from tests.browser.jupyterlab import JupyterLab, chromium
from tests.browser.test_jupyterlab import RIGHT
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
LAB = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-uxw"
CHAPTER = "01-dockerfile/01-dockerfile.ipynb"
LANDING = "00-start-here/00-start-here.ipynb"


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str, Path]]:
    """JupyterLab on a fresh workspace in a learner's lab, with its channel; (base URL, token, workspace)."""
    workspace = Path(tempfile.mkdtemp(prefix="docker-course-ws-browser-"))
    host = ensure_host_engine()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCKER_COURSE_WORKSPACE", str(workspace))
        settings = Settings.load()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            made = serve(f"lab:{LAB}", lambda _: False)
            provisioning.provision(host, ["busybox"])
            spec = lab.LabSpec.learner(
                settings, name=LAB, root=made.kit, port=port, base_images=["busybox"], workspace=made.workspace
            )
            (settings.lab_run_dir(LAB) / "progress.json").unlink(missing_ok=True)
            info = lab.up(host, spec)
            channel_process.start(LAB)
            assert info.jupyter_url
            base, _, token = info.jupyter_url.partition("/lab?token=")
            yield base, token, workspace
        finally:
            channel_process.stop(LAB)
            lab.down(host, LAB, keep_data=False)
            release(f"lab:{LAB}")
            shutil.rmtree(settings.lab_run_dir(LAB).parent, ignore_errors=True)
            shutil.rmtree(workspace, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(served: tuple[str, str, Path]) -> Iterator[JupyterLab]:
    with chromium(served[0], served[1], ARTIFACTS) as jl:
        yield jl


def test_chapter_01_without_answers_then_hint_and_solution_in_order(
    browser: JupyterLab, served: tuple[str, str, Path]
) -> None:
    jl, (base, token, workspace) = browser, served
    # what JupyterLab serves the browser holds no solution region of the source (lines taken together)
    answer = jl.page.request.get(f"{base}/api/contents/{CHAPTER}?token={token}&content=1")
    assert answer.ok
    page_text = " | ".join(_squash(_text(c["source"])) for c in answer.json()["content"]["cells"])
    source = json.loads((source_dir() / CHAPTER).read_text())
    regions = [_squash(r) for c in source["cells"] for r in solution_regions(_text(c["source"])) if "\n" in r.strip()]
    assert len(regions) >= 8 and [r for r in regions if r in page_text] == []
    nb = json.loads((workspace / CHAPTER).read_text())
    widget_at = next(i for i, c in enumerate(nb["cells"]) if 'check_widget("ch01-ex2"' in "".join(c["source"]))

    jl.open(CHAPTER)
    jl.run(widget_at)
    widget = jl.cell(widget_at).locator(".course-check-widget")
    widget.locator(".course-hint-button").click()
    first_hint = hints("ch01-ex2")[0]
    widget.locator(".dc-hints li").first.wait_for(timeout=60_000)
    # the hint is markdown: the page shows `RUN` as code, without its backticks
    assert first_hint.replace("`", "") in widget.inner_text() and widget.locator(".dc-solution").count() == 0
    widget.locator(".course-solution-button").click()
    widget.locator(".course-solution-yes").wait_for(timeout=30_000)
    assert widget.locator(".dc-solution").count() == 0, "shown before the confirmation"
    jl.screenshot("workspace-solution-asks", widget)
    widget.locator(".course-solution-yes").click()
    widget.locator(".dc-solution").wait_for(timeout=60_000)
    assert re.search(r"Solution of ch01-ex2", widget.inner_text())
    jl.screenshot("workspace-solution-shown", widget)

    jl.open(LANDING)
    jl.run(
        next(
            i for i, c in enumerate(json.loads((workspace / LANDING).read_text())["cells"]) if c["cell_type"] == "code"
        )
    )
    views = jl.page.locator(".course-views")
    views.wait_for(timeout=60_000)
    assert "hints seen: ch01-ex2 (1)" in views.inner_text() and "solutions seen: ch01-ex2" in views.inner_text()
    jl.screenshot("workspace-landing-views", views)


def test_chapter_01_answered_in_the_workspace_passes_its_check(
    browser: JupyterLab, served: tuple[str, str, Path]
) -> None:
    """The learner's own copy of chapter 01: ch01-ex1's stubs answered in the page, its Check button turns green."""
    jl, (_, _, workspace) = browser, served
    cells = json.loads((workspace / CHAPTER).read_text())["cells"]

    def grade_id(cell: dict) -> str:
        return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))

    dockerfile_at = next(i for i, c in enumerate(cells) if grade_id(c) == "ch01-ex1-dockerfile")
    build_at = next(i for i, c in enumerate(cells) if grade_id(c) == "ch01-ex1-build")
    widget_at = next(i for i, c in enumerate(cells) if 'check_widget("ch01-ex1"' in _text(c["source"]))
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    folders_at = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and '"ex1"' in _text(c["source"]))
    assert "LABEL" not in _text(cells[dockerfile_at]["source"]), "the workspace copy holds the answer"

    jl.open(CHAPTER)
    jl.run(first_code)
    jl.run(folders_at)  # the chapter's own cell that makes ex1/ and the other exercise folders
    jl.replace_source(dockerfile_at, RIGHT)
    jl.run(dockerfile_at)
    jl.replace_source(build_at, "!docker build -t course/hello:1.0 ex1")
    jl.run(build_at)
    jl.run(widget_at)
    widget = jl.cell(widget_at).locator(".course-check-widget")
    widget.locator("button", has_text=re.compile(r"^\s*Check\s*$")).click()
    widget.locator(".course-check[data-passed]").wait_for(timeout=120_000)
    jl.screenshot("workspace-ch01-ex1-checked", widget)
    result = str(widget.inner_text())
    assert widget.locator(".course-check[data-passed='true']").count() == 1 and "3/3 points" in result, result
    # the answer the learner typed is in their workspace, saved by JupyterLab or not: the engine judged it
    assert (workspace / "01-dockerfile" / "ex1" / "Dockerfile").read_text().strip().endswith('"learner@example.com"')
