"""Coming back after a stop without an engine: what is remembered, what is started again, the checks' hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docker
import pytest

from grader.services import coming_back


class FakeContainer:
    def __init__(self, name: str, status: str, labels: dict[str, str] | None = None, fails: bool = False) -> None:
        self.name, self.status, self.labels, self.fails = name, status, labels or {}, fails

    def start(self) -> None:
        if self.fails:
            raise docker.errors.APIError("port is already allocated", explanation="port is already allocated")
        self.status = "running"


class FakeClient:
    def __init__(self, *containers: FakeContainer) -> None:
        self.by_name = {c.name: c for c in containers}
        self.containers = self

    def list(self, all: bool = False, filters: dict[str, str] | None = None) -> list[FakeContainer]:
        filters = filters or {}
        wanted = filters.get("status")
        return [c for c in self.by_name.values() if wanted is None or c.status == wanted]

    def get(self, name: str) -> FakeContainer:
        if name not in self.by_name:
            raise docker.errors.NotFound(name)
        return self.by_name[name]


def test_running_containers_are_remembered_and_started_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path))
    probe = FakeContainer("probe-1", "running", {"org.docker-course.probe": "1"})
    before = FakeClient(
        FakeContainer("web", "running"), FakeContainer("api", "running"), probe, FakeContainer("old", "exited")
    )
    assert coming_back.remember_running(before, "lab-x") == ["api", "web"]
    after = FakeClient(
        FakeContainer("web", "exited"), FakeContainer("api", "exited", fails=True), FakeContainer("old", "exited")
    )
    said: list[Any] = []
    done = coming_back.start_again(after, "lab-x", said.append)
    assert done.started == ["web"] and "already allocated" in done.failed["api"]
    assert after.by_name["web"].status == "running" and after.by_name["old"].status == "exited"
    assert said[0] == "started again, as they ran before the stop: web"
    assert coming_back.remembered("lab-x") == []  # used once
    assert coming_back.start_again(after, "lab-x").started == []


def test_a_container_its_engine_stopped_under_it_is_told_docker_start() -> None:
    """Exit 255 (the lab stopped under it): `docker start NAME`, never a `docker run` that collides with the name."""
    from grader.checks.port_published import not_running_hint
    from grader.facts.containers import ContainerFacts

    def facts(code: int) -> ContainerFacts:
        return ContainerFacts({"Name": "/web-fixed", "State": {"Status": "exited", "ExitCode": code}, "Config": {}})

    assert "docker start web-fixed" in not_running_hint(facts(255))
    assert "docker start" not in not_running_hint(facts(1)) and "docker logs web-fixed" in not_running_hint(facts(1))
