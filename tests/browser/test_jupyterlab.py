"""The learner's path through JupyterLab in a real (headless) Chromium: landing page, chapter 01,
ch01-ex1 answered right (the Check button turns green) and wrong (the hint and a hadolint tip show),
and the landing page then counts the passed exercise."""

from __future__ import annotations

import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.engine import lab, provisioning
from grader.engine.install import ensure_host_engine
from grader.engine.settings import Settings
from tests.browser.jupyterlab import JupyterLab, chromium
from tests.support import ARTIFACTS, REPO

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
# a lab of its own per test lab name: parallel runs (DOCKER_COURSE_TEST_LAB) never share one
LAB = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-ux"
CHAPTER = "01-dockerfile/01-dockerfile.ipynb"
LANDING = "00-start-here/00-start-here.ipynb"
WIDGET_CELL = 'from grader.widgets import check_widget\ncheck_widget("ch01-ex1", dockerfile="ex1/Dockerfile")'
RIGHT = '%%writefile ex1/Dockerfile\nFROM busybox\nLABEL maintainer="learner@example.com"'
WRONG = "%%writefile ex1/Dockerfile\nFROM busybox\nMAINTAINER learner@example.com"


def _solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "solution": True,
        "grade": False,
        "locked": False,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    return cell


def fixture_chapter() -> nbformat.NotebookNode:
    """The ch01-ex1 cells of chapter 01 as authoring.md defines them (used while the chapter is not written)."""
    check = nbformat.v4.new_code_cell('check("ch01-ex1")')
    check.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": 3,
        "grade_id": "ch01-ex1-check",
        "schema_version": 3,
    }
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('from grader.notebook import check, prepare\n\nprepare("01")'),
            nbformat.v4.new_markdown_cell("## Exercise ch01-ex1: base and metadata"),
            _solution("ch01-ex1-dockerfile", RIGHT),
            _solution("ch01-ex1-build", "!docker build -t course/hello:1.0 ex1"),
            check,
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
    )


def grade_id(cell: nbformat.NotebookNode) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


@pytest.fixture(scope="module")
def course_root() -> Iterator[Path]:
    """A copy of grader/ and course/ for the lab to mount: the browser never edits the real checkout."""
    root = ARTIFACTS / f"browser-root-{uuid.uuid4().hex[:6]}"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(REPO / "grader", root / "grader", ignore=skip)
    shutil.copytree(REPO / "course", root / "course", ignore=skip)
    chapter = root / "course" / CHAPTER
    real = chapter.exists() and any(
        grade_id(c) == "ch01-ex1-check" for c in nbformat.read(str(chapter), as_version=4).cells
    )
    if not real:
        chapter.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(fixture_chapter(), str(chapter))
    (chapter.parent / "ex1").mkdir(exist_ok=True)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def jupyter(course_root: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab in a lab of its own, published on 127.0.0.1 only; removed at the end."""
    host = ensure_host_engine()
    settings = Settings.load()
    (settings.lab_run_dir(LAB) / "progress.json").unlink(missing_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        provisioning.provision(host, ["busybox"])
        spec = lab.LabSpec.learner(settings, name=LAB, root=course_root, port=port, base_images=["busybox"])
        info = lab.up(host, spec)
        assert info.jupyter_url and info.jupyter_url.startswith(f"http://127.0.0.1:{port}/")
        base, _, token = info.jupyter_url.partition("/lab?token=")
        yield base, token
    finally:
        lab.down(host, LAB, keep_data=False)


@pytest.fixture(scope="module")
def browser(jupyter: tuple[str, str]) -> Iterator[JupyterLab]:
    """Debian's Chromium, headless, with a new empty profile."""
    with chromium(jupyter[0], jupyter[1], ARTIFACTS) as jl:
        yield jl


def open_landing(jl: JupyterLab, root: Path) -> None:
    jl.open(LANDING)
    jl.run_code_cells(root / "course" / LANDING)
    jl.page.locator(".course-engine-status[data-ready='true']").wait_for(timeout=120_000)
    jl.page.locator(".course-engine-panel").wait_for(timeout=60_000)


def answer(jl: JupyterLab, dockerfile_at: int, build_at: int, source: str) -> None:
    """Type ``source`` as the Dockerfile cell, run it and the build cell."""
    jl.replace_source(dockerfile_at, source)
    jl.run(dockerfile_at)
    jl.run(build_at)


def press(widget: Any, label: str, passed: bool) -> str:
    """Click the widget's ``label`` button and wait for a result that passed (or not); its text."""
    widget.locator("button", has_text=re.compile(rf"^\s*{label}\s*$")).click()
    widget.locator(f".course-check[data-passed='{str(passed).lower()}']").wait_for(timeout=120_000)
    return str(widget.inner_text())


def test_landing_then_chapter_01_right_and_wrong(browser: JupyterLab, course_root: Path) -> None:
    """A learner sees the engine ready and six chapters; Check passes a right ch01-ex1, shows the hint
    for a wrong one, and the landing page counts the pass afterwards."""
    jl = browser
    try:
        open_landing(jl, course_root)
        chapters = jl.page.locator(".course-chapter")
        assert chapters.count() == 6
        assert jl.page.locator(".course-chapter[data-chapter='01']").get_attribute("data-passed") == "0"
        assert jl.page.locator(".course-chapter[data-chapter='01'] a").count() == 1, "chapter 01 is not linked"
        jl.screenshot("landing", jl.page.locator(".course-chapters"))

        nb = nbformat.read(str(course_root / "course" / CHAPTER), as_version=4)
        cells = nb.cells
        check_at = next(i for i, c in enumerate(cells) if grade_id(c) == "ch01-ex1-check")
        ex1 = [i for i, c in enumerate(cells) if grade_id(c).startswith("ch01-ex1") and i != check_at]
        dockerfile_at = next(i for i in ex1 if cells[i].source.lstrip().startswith("%%writefile"))
        build_at = next(i for i in ex1 if "docker build" in cells[i].source)
        first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")

        jl.open(CHAPTER)
        widget_at = next((i for i, c in enumerate(cells) if 'check_widget("ch01-ex1"' in c.source), None)
        if widget_at is None:
            # the chapter has no widget cell yet: add one under the check cell, as authoring.md says
            jl.select(check_at)
            jl.page.keyboard.press("b")
            widget_at = check_at + 1
            jl.replace_source(widget_at, WIDGET_CELL)
        for index in (first_code, dockerfile_at, build_at, widget_at):
            jl.run(index)
        widget = jl.cell(widget_at).locator(".course-check-widget")
        assert "3/3 points" in press(widget, "Check", passed=True)
        jl.screenshot("ch01-ex1-passed", widget)

        answer(jl, dockerfile_at, build_at, WRONG)
        text = press(widget, "Check", passed=False)
        assert "LABEL maintainer" in text, f"no hint in the result: {text[:500]}"
        assert "MAINTAINER is deprecated" in text, f"no hadolint tip: {text[:500]}"
        assert "2/3 points" in text
        jl.screenshot("ch01-ex1-hint", widget)

        # live mode: fix the answer, switch Live on, and the result turns green without a click on Check
        answer(jl, dockerfile_at, build_at, RIGHT)
        press(widget, "Live", passed=True)
        jl.screenshot("ch01-ex1-live", widget)

        open_landing(jl, course_root)
        jl.page.locator(".course-chapter[data-chapter='01'][data-passed='1']").wait_for(timeout=30_000)
        jl.screenshot("landing-progress", jl.page.locator(".course-chapters"))
    except Exception:
        jl.page.screenshot(path=str(ARTIFACTS / "browser-failure.png"))
        raise


def test_published_port_opens_through_jupyterlab(browser: JupyterLab, course_root: Path) -> None:
    """A port published in the lab shows in the engine panel with a link, and the link serves the
    container's page in the learner's browser (through /proxy/PORT/)."""
    jl = browser
    inner = lab.find(ensure_host_engine(), LAB)
    assert inner is not None
    script = "mkdir -p /www && echo course-proxy-ok > /www/index.html && exec httpd -f -p 80 -h /www"
    run = ["docker", "run", "-d", "--name", "proxy-web", "-p", "127.0.0.1:8000:80", "busybox", "sh", "-c", script]
    code, out = inner.exec_run(run)
    assert code == 0, out.decode(errors="replace")
    try:
        open_landing(jl, course_root)
        link = jl.page.locator(".course-engine-panel a.course-proxy-link[href='/proxy/8000/']")
        link.wait_for(timeout=30_000)
        jl.screenshot("engine-panel", jl.page.locator(".course-engine-panel"))
        with jl.page.context.expect_page() as opened:
            link.click()
        page = opened.value
        page.wait_for_load_state()
        assert "course-proxy-ok" in page.content()
        page.close()
    finally:
        inner.exec_run(["docker", "rm", "-f", "proxy-web"])
