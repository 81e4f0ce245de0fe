"""The services against a real lab, as the CLI and the widgets call them: status sees the lab's engine
and its base images, check-and-record keeps a real result, reset removes what the learner made and
keeps the base images, and the doctor reads the running lab's engine and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.services import checking, progress
from grader.services.doctor import diagnose
from grader.services.lab_control import reset_engine
from grader.services.status import engine_status
from tests.support import EngineSession

pytestmark = pytest.mark.engine


def test_status_and_check_and_record_on_the_lab(
    engine: EngineSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Status reports the lab reachable with busybox present; a real check is recorded as run."""
    monkeypatch.setenv(progress.PROGRESS_ENV, str(tmp_path / "progress.json"))
    status = engine_status(with_jupyter=False)
    assert status.reachable and status.lab == engine.name and status.base_images["busybox:latest"], status
    engine.build('FROM busybox\nLABEL maintainer="learner@example.com"\n', "course/hello:1.0")
    result = checking.check_and_record("ch01-ex1", via="cli")
    assert result.passed, result.to_text()
    assert progress.load()["ch01-ex1"] | {"at": ""} == {
        "best": 3.0, "max_score": 3.0, "passed": True, "last": 3.0, "at": "", "via": "cli"
    }  # fmt: skip


def test_reset_removes_the_learners_objects_and_keeps_base_images(engine: EngineSession) -> None:
    """The engine panel's reset: containers, networks, volumes and learner images go; busybox stays."""
    engine.client.networks.create("course-net")
    engine.client.volumes.create("shared-data")
    engine.client.containers.create("busybox", ["true"], name="web-fixed")
    engine.build("FROM busybox\nLABEL made=here\n", "course/leftover:1.0")
    outcome = reset_engine()
    removed = outcome.removed
    assert outcome.whole_engine and "web-fixed" in removed.containers and "course-net" in removed.networks
    assert "shared-data" in removed.volumes and "course/leftover:1.0" in removed.images
    assert outcome.counts().startswith("1 containers, 1 networks, 1 volumes,")
    assert engine.client.images.get("busybox:latest")
    engine.assert_clean()


def test_doctor_reads_the_running_lab(engine: EngineSession) -> None:
    """Both engines answer, and the limits line shows the running lab's real limits."""
    report = diagnose()
    found = {f.key: f for f in report.findings}
    assert found["host_engine"].ok and found["course_engine"].ok, found
    limits = found["lab_limits"]
    assert f"lab {engine.name} (running) has memory" in limits.seen and limits.details["lab"]["memory"], limits
    assert found["iptables"].details["lab_backend"] in ("nf_tables", "legacy"), found["iptables"]
