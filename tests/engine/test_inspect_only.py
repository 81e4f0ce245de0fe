"""Live checking against the real engine: inspect-only runs never create a container, skip (and name)
the parts that need one, and agree with the full check on everything they do inspect."""

from __future__ import annotations

import time

import pytest

from grader.chapters.runner import run_exercise
from grader.services import progress as progress_record
from grader.widgets.check_button import CheckWidget
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine


def containers_created(engine: EngineSession, since: float) -> list[str]:
    """Names of containers created on the lab's engine since ``since`` (engine events)."""
    events = engine.client.events(
        since=int(since), until=int(time.time()) + 1, filters={"type": "container", "event": "create"}, decode=True
    )
    return [e.get("Actor", {}).get("Attributes", {}).get("name", "?") for e in events]


def test_inspect_only_creates_nothing_and_names_the_skipped_parts(engine: EngineSession) -> None:
    """ch01-ex2 reads /etc/motd from a created container: live mode skips that part, creates nothing,
    and the full check then runs it."""
    engine.build("FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd\n", "course/motd:1.0")
    time.sleep(1.1)  # events have one-second resolution: the build's own containers come before
    start = time.time()
    live = run_exercise("ch01-ex2", client=engine.client, inspect_only=True)
    assert containers_created(engine, start) == [], "an inspect-only run created a container"
    assert len(live.skipped) == 1 and "/etc/motd" in live.skipped[0], dump(live)
    assert not live.passed and live.to_json()["skipped"] == live.skipped
    others = [p for p in live.parts if p.name not in live.skipped]
    assert others and all(p.passed for p in others), dump(live)
    full = engine.check("ch01-ex2")
    assert full.passed and not full.skipped, dump(full)


def test_live_widget_passes_an_inspectable_exercise_and_records(engine: EngineSession, tmp_path, monkeypatch) -> None:
    """ch01-ex1 is inspect-only throughout: one live round passes it, records progress, stops live mode."""
    monkeypatch.setenv(progress_record.PROGRESS_ENV, str(tmp_path / "progress.json"))

    def runner(exercise, answers, inspect_only=False):
        return run_exercise(exercise, answers, client=engine.client, inspect_only=inspect_only)

    widget = CheckWidget("ch01-ex1", runner=runner, answers=dict)
    assert not widget.check_live().passed  # nothing built yet
    assert not widget._stop.is_set()
    engine.build('FROM busybox\nLABEL maintainer="learner@example.com"\n', "course/hello:1.0")
    time.sleep(1.1)  # events have one-second resolution: the build's own containers come before
    start = time.time()
    result = widget.check_live()
    assert result is not None and result.passed, dump(result)
    assert containers_created(engine, start) == []
    assert widget._stop.is_set() and progress_record.load()["ch01-ex1"]["passed"] is True


def test_streamed_build_reports_success_and_failure(engine: EngineSession, tmp_path, capsys) -> None:
    """build() streams Docker's steps, returns True when built and False with Docker's error otherwise,
    leaving no intermediate container behind."""
    from grader.widgets.live_log import build

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "Dockerfile").write_text('FROM busybox\nLABEL maintainer="me"\n')
    (bad / "Dockerfile").write_text("FROM busybox\nRUN exit 3\n")
    assert build(good, "course/streamed:1.0") is True
    assert "Step 2/2" in capsys.readouterr().out
    assert engine.client.images.get("course/streamed:1.0").labels["maintainer"] == "me"
    assert build(bad, "course/broken:1.0") is False
    out = capsys.readouterr().out
    assert "Build failed" in out and "returned a non-zero code: 3" in out
    assert engine.client.containers.list(all=True) == []
