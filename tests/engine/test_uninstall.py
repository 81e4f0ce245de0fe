"""docker-course uninstall removes what this state folder made (its lab, the lab's engine data, its channel,
the state folder) and keeps the workspace; other labs and objects on the same engines are untouched.

Its own state folder and workspace (temporary), its own lab on the labs engine, a canary container and volume
on the host engine, beside the other labs running on this machine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from grader.engine import boundary, lab
from grader.engine.install import ensure_host_engine
from grader.engine.lab_container import data_volume
from grader.engine.settings import COURSE_BUILT_LABEL, Settings
from grader.services import channel_process
from grader.services.uninstall import uninstall

pytestmark = pytest.mark.engine
LAB = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-un"


def _volumes(name: str) -> list[str]:
    found = []
    for engine in [e for e in (boundary.running_labs_engine(), ensure_host_engine()) if e is not None]:
        found += [v.name for v in engine.volumes.list(filters={"name": name})]
    return found


def test_uninstall_removes_this_courses_lab_and_state_and_keeps_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = Path(tempfile.mkdtemp(prefix="dcu-")) / "state"  # short: the lab's engine socket lives below it
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(state))
    monkeypatch.setenv("DOCKER_COURSE_WORKSPACE", str(tmp_path / "work"))
    monkeypatch.setenv("DOCKER_COURSE_LAB", LAB)
    (tmp_path / "work" / "01-dockerfile").mkdir(parents=True)
    (tmp_path / "work" / "01-dockerfile" / "01-dockerfile.ipynb").write_text("{}")
    host = ensure_host_engine()
    canary = host.containers.create("busybox", ["true"], name=f"{LAB}-canary")
    volume = host.volumes.create(f"{LAB}-canary")
    images = sorted(i.id for i in host.images.list(filters={"label": COURSE_BUILT_LABEL}))
    try:
        lab.up(host, lab.LabSpec.learner(Settings.load(), name=LAB, jupyter=False, base_images=["busybox:latest"]))
        channel_process.start(LAB)
        assert lab.find(host, LAB) is not None and _volumes(data_volume(LAB))
        done = uninstall(keep_cache=True)
        assert lab.find(host, LAB) is None and not _volumes(data_volume(LAB))
        assert channel_process.running(LAB) is None and not state.exists()
        assert (tmp_path / "work" / "01-dockerfile" / "01-dockerfile.ipynb").read_text() == "{}"
        assert any(line.startswith(f"your workspace {tmp_path / 'work'}") for line in done.kept), done.kept
        assert f"lab {LAB} (its container, engine data, network)" in done.removed
        canary.reload()
        host.volumes.get(volume.name)
        assert sorted(i.id for i in host.images.list(filters={"label": COURSE_BUILT_LABEL})) == images
        labs = boundary.running_labs_engine()
        if labs is not None and labs.containers.list(all=True):  # other labs on this machine: engine kept
            assert "the course's labs engine: other labs (another checkout or user) run on it" in done.kept
    finally:
        canary.remove(force=True)
        volume.remove(force=True)
        if lab.find(host, LAB) is not None:
            lab.down(host, LAB, keep_data=False)
        channel_process.stop(LAB)
        shutil.rmtree(state.parent, ignore_errors=True)
