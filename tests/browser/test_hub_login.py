"""A learner logs in to the hub in a real (headless) Chromium and reaches their own lab's JupyterLab.

The hub runs from a state folder of its own with one learner (``dana``) on the class list and
one base image per lab. The login page refuses a wrong password, lets the right one in, the
hub starts dana's lab and JupyterLab opens behind ``/user/dana/``; the landing notebook runs
there and shows the engine ready. Screenshots in build/test-artifacts/browser-hub-*.png.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.hub import server, state
from tests.browser.jupyterlab import JupyterLab, chromium_page
from tests.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.timeout(900)]
PREFIX = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-hubui"
LEARNER = "dana"
LANDING = "00-start-here/00-start-here.ipynb"
SPAWN_TIMEOUT_MS = 420_000  # a lab's first start on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hub() -> Iterator[state.HubRecord]:
    folder = Path(tempfile.mkdtemp(prefix="docker-course-hubui-"))
    (folder / "class.txt").write_text(f"# the class\n{LEARNER}\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCKER_COURSE_STATE", str(folder / "state"))
        for name in ("DOCKER_COURSE_MODE", "DOCKER_COURSE_WORKSPACE", "DOCKER_COURSE_LAB", "DOCKER_COURSE_EXCHANGE"):
            mp.delenv(name, raising=False)
        try:
            yield server.up(port=_free_port(), users=folder / "class.txt", prefix=PREFIX, bases=["busybox:latest"])
        finally:
            server.down(purge=True)
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def page(hub: state.HubRecord) -> Iterator[Any]:
    with chromium_page() as tab:
        yield tab


def _log_in(page: Any, password: str) -> None:
    page.locator("input[name=username]").fill(LEARNER)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit], button[type=submit]").first.click()


def test_a_learner_logs_in_and_reaches_their_own_jupyterlab(hub: state.HubRecord, page: Any) -> None:
    jl = JupyterLab(page, f"{hub.url}user/{LEARNER}", "", ARTIFACTS)
    page.goto(hub.url)
    page.wait_for_url("**/hub/login**")
    jl.screenshot("hub-login")
    _log_in(page, "not-the-password")
    page.locator(".login_error, .alert-danger").first.wait_for()
    assert "/hub/login" in page.url

    password = json.loads((state.hub_dir() / "logins.json").read_text())[LEARNER]
    started = time.monotonic()
    _log_in(page, password)
    page.wait_for_url(f"**/user/{LEARNER}/lab**", timeout=SPAWN_TIMEOUT_MS)
    page.locator("#jp-main-dock-panel").wait_for(timeout=120_000)
    print(f"login to JupyterLab: {time.monotonic() - started:.0f} s")
    assert f"/user/{LEARNER}/" in page.url

    jl.open(LANDING)
    jl.run_code_cells(state.workspaces_dir() / LEARNER / LANDING)
    page.locator(".course-engine-status[data-ready='true']").wait_for(timeout=120_000)
    jl.screenshot("hub-landing", page.locator(".course-engine-status").first)
    users = {u["name"]: u for u in server.status()["users"]}
    assert users[LEARNER]["lab"] == f"{PREFIX}-{LEARNER}" and users[LEARNER]["server"] == "ready"
