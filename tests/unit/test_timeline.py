"""The per-exercise timeline from recorded journal records: order, exit codes, removals, renames,
image builds followed through their ids, what the journal covers (or that there is none), unknown ids."""

from __future__ import annotations

from typing import Any

import pytest

from grader import cli
from grader.curriculum import UnknownName
from grader.engine import journal as recorder
from grader.facts.journal import Journal, build_journal
from grader.services import timeline as timeline_service
from grader.services.timeline import timeline_of
from tests.support import NOTES_TIMELINE

T0 = 1_700_000_000.0


def container(action: str, name: str, t: float, cid: str, **attributes: Any) -> dict[str, Any]:
    attrs = {"name": name, "image": "busybox", **{k: str(v) for k, v in attributes.items()}}
    return {"Type": "container", "Action": action, "timeNano": int(t * 1e9), "Actor": {"ID": cid, "Attributes": attrs}}


def image(action: str, name: str, t: float, iid: str) -> dict[str, Any]:
    return {
        "Type": "image",
        "Action": action,
        "timeNano": int(t * 1e9),
        "Actor": {"ID": iid, "Attributes": {"name": name}},
    }


def journal(*events: dict[str, Any], live: bool = True) -> Journal:
    header = {"journal": "start", "t": T0, "engine": "E", "from_engine_start": False}
    kept = [e for e in map(recorder.entry, events) if e is not None]
    return build_journal("/run/lab", [header, *kept], live)


NOTE1, NOTE2, OTHER = "1" * 64, "2" * 64, "3" * 64


def ch05_ex1() -> Journal:
    return journal(
        container("create", "note-2", T0 + 5, NOTE2),  # written out of order: the timeline sorts by time
        container("create", "note-1", T0 + 1, NOTE1),
        container("start", "note-1", T0 + 2, NOTE1),
        container("die", "note-1", T0 + 3, NOTE1, exitCode=0),
        container("destroy", "note-1", T0 + 4, NOTE1),
        container("create", "web-all", T0 + 4.5, OTHER),  # another exercise's container
        container("start", "note-2", T0 + 6, NOTE2),
        container("die", "note-2", T0 + 7, NOTE2, exitCode=1),
    )


def test_containers_in_order_with_exit_codes_and_removal() -> None:
    t = timeline_of("ch05-ex1", ch05_ex1())
    said = [(e.name, e.action, e.exit) for e in t.entries]
    assert said == NOTES_TIMELINE
    text = t.to_text()
    assert "note-1: exited with code 0" in text and "note-1: removed" in text and "note-2: exited with code 1" in text
    assert "web-all" not in text
    assert t.available and "covers this engine from" in t.coverage
    assert t.to_json()["entries"][2] == {
        "t": T0 + 3,
        "clock": "22:13:23.000 UTC",
        "kind": "container",
        "name": "note-1",
        "action": "die",
        "text": "exited with code 0",
        "exit": 0,
    }


def test_a_renamed_container_is_followed() -> None:
    j = journal(
        container("create", "draft", T0 + 1, NOTE1),
        container("rename", "note-1", T0 + 2, NOTE1, oldName="/draft"),
        container("destroy", "note-1", T0 + 3, NOTE1),
    )
    t = timeline_of("ch05-ex1", j)
    assert [e.action for e in t.entries] == ["create", "rename", "destroy"]
    assert "renamed from draft to note-1" in t.to_text()


def test_image_builds_and_removals_are_followed_through_the_image_id() -> None:
    built, old = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    j = journal(
        image("tag", "course/hello:1.0", T0 + 1, old),
        image("tag", "course/hello:1.0", T0 + 2, built),  # rebuilt: the tag moved
        image("untag", old, T0 + 3, old),
        image("delete", old, T0 + 4, old),
        image("tag", "course/other:1.0", T0 + 5, "sha256:" + "c" * 64),
    )
    t = timeline_of("ch01-ex1", j)
    assert [(e.action, e.name) for e in t.entries] == [
        ("tag", "course/hello:1.0"),
        ("tag", "course/hello:1.0"),
        ("untag", "b" * 12),
        ("delete", "b" * 12),
    ]
    assert "tagged (by a build or docker tag)" in t.to_text() and "image deleted" in t.to_text()


def test_no_journal_says_so_and_claims_nothing() -> None:
    t = timeline_of("ch05-ex1", Journal("/var/run"))
    assert not t.available and t.entries == ()
    assert "not kept on this engine" in t.coverage
    assert "nothing of this exercise" not in t.to_text()
    assert t.to_json()["journal"] is False


def test_an_empty_covered_period_and_a_stopped_recorder_are_stated() -> None:
    t = timeline_of("ch05-ex1", journal(container("create", "web-all", T0 + 1, OTHER), live=False))
    assert t.entries == () and "nothing of this exercise's objects in that period" in t.to_text()
    assert "its recorder is not running" in t.coverage and "22:13:20.000 UTC to 22:13:21.000 UTC" in t.coverage


def test_unknown_exercise_raises_and_the_cli_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    with pytest.raises(UnknownName):
        timeline_of("ch09-ex1", Journal("/var/run"))
    monkeypatch.setattr("grader.engine.client.course_engine", lambda: pytest.fail("the engine was asked"))
    assert cli.main(["timeline", "ch09-ex1"]) == 2
    assert "'ch09-ex1' is not an exercise of the course." in capsys.readouterr().err


def test_cli_prints_the_timeline_as_json(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(timeline_service, "exercise_timeline", lambda i: timeline_of(i, ch05_ex1()))
    assert cli.main(["timeline", "ch05-ex1", "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["exercise"] == "ch05-ex1" and out["journal"] is True and len(out["entries"]) == 7


def test_notebook_helper_shows_the_timeline_and_refuses_an_unknown_id(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from grader import notebook
    from grader.widgets.timeline_view import timeline_html

    monkeypatch.setattr(timeline_service, "exercise_timeline", lambda i: timeline_of(i, ch05_ex1()))
    notebook.timeline("ch05-ex1")
    assert "note-1: exited with code 0" in capsys.readouterr().out
    html = timeline_html(timeline_of("ch05-ex1", ch05_ex1()))
    assert html.count("<tr>") == 7 and "exited with code 1" in html
    assert "not kept on this engine" in timeline_html(timeline_of("ch05-ex1", Journal("/var/run")))
    with pytest.raises(notebook.CheckFailed, match="not an exercise"):
        notebook.timeline("ch09-ex1")
