"""Driving JupyterLab 4 in headless Chromium: open a notebook, run cells, read their outputs."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.screens import assert_not_blank

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
NUMBERED = re.compile(r"\[\d+\]")


@dataclass
class JupyterLab:
    """One browser page on a JupyterLab server (``base`` like http://127.0.0.1:PORT, its token)."""

    page: Any
    base: str
    token: str
    artifacts: Path

    def open(self, path: str) -> None:
        """Open the notebook ``path`` (relative to JupyterLab's root) in a fresh workspace."""
        self.page.goto(f"{self.base}/lab/tree/{path}?reset&token={self.token}")
        self.notebook().locator(".jp-Cell").first.wait_for(timeout=90_000)
        # JupyterLab may ask which kernel to start (the notebook's own is preselected): accept it
        dialog = self.page.locator(".jp-Dialog .jp-mod-accept")
        try:
            dialog.wait_for(timeout=5_000)
            dialog.click()
        except PlaywrightTimeout:
            pass
        # JupyterLab's "news" question would cover the bottom right of every screenshot
        news = self.page.locator(".jp-Notification-Toast-Close")
        with contextlib.suppress(PlaywrightTimeout):
            news.first.click(timeout=3_000)
        # the kernel must be up before a click on Run means anything
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=90_000)

    def notebook(self) -> Any:
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")

    def cell(self, index: int) -> Any:
        return self.notebook().locator(".jp-Cell").nth(index)

    def run_code_cells(self, notebook: Path) -> None:
        """Run every code cell of the open notebook (read from ``notebook``), one by one, as a learner does."""
        cells = nbformat.read(str(notebook), as_version=4).cells
        for index, cell in enumerate(cells):
            if cell.cell_type == "code":
                self.run(index)

    def prompt(self, index: int) -> str:
        return str(self.cell(index).locator(".jp-InputPrompt").first.inner_text()).strip()

    def wait_ran(self, index: int, before: str, timeout: float = 300) -> None:
        """Wait until code cell ``index`` shows a new execution count (not ``before``, not ``[*]``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.prompt(index)
            if NUMBERED.search(now) and now != before:
                return
            time.sleep(0.25)
        raise AssertionError(f"cell {index} did not finish running in {timeout:g} s (prompt {self.prompt(index)!r})")

    def select(self, index: int) -> None:
        """Select cell ``index`` in command mode (click beside its editor)."""
        self.cell(index).locator(".jp-InputPrompt").first.click()

    def run(self, index: int, timeout: float = 300) -> None:
        """Run one code cell and wait for it to finish."""
        before = self.prompt(index)
        self.cell(index).locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        self.wait_ran(index, before, timeout)

    def replace_source(self, index: int, text: str) -> None:
        """Type ``text`` over the whole source of cell ``index``, as a learner would."""
        self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        for n, line in enumerate(text.splitlines()):
            if n:
                self.page.keyboard.press("Enter")
                self.page.keyboard.press("Home")  # no auto-indent carried over
            self.page.keyboard.type(line)

    def screenshot(self, name: str, show: Any = None) -> Path:
        """Save ``build/test-artifacts/browser-NAME.png`` (scrolled to ``show``) and prove it is not blank."""
        if show is not None:
            show.scroll_into_view_if_needed()
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"browser-{name}.png"
        self.page.screenshot(path=str(path))
        assert_not_blank(path)
        return path


@contextlib.contextmanager
def chromium_page() -> Iterator[Any]:
    """A page of Debian's Chromium, headless, with a new empty profile (removed afterwards)."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (./course.sh test installs it as root)")
    profile = tempfile.mkdtemp(prefix="course-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def chromium(base: str, token: str, artifacts: Path) -> Iterator[JupyterLab]:
    """Debian's Chromium, headless, with a new empty profile, on the JupyterLab at ``base``."""
    with chromium_page() as page:
        yield JupyterLab(page, base, token, artifacts)
