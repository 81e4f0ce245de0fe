"""The benchmark harness's own logic (no engine): figures, ratios, targets, parsed outputs, class make-up."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from tests.support import REPO

sys.path.insert(0, str(REPO / "bench"))

import grading  # noqa: E402
import harness  # noqa: E402
import provision  # noqa: E402
import report  # noqa: E402


def test_time_pools_repeated_samples_and_records_median_min_max() -> None:
    bench = harness.Bench("unit")
    bench.time("x", lambda: None, runs=3)
    figure = bench.time("x", lambda: None, runs=2, warmup=1)
    assert figure.runs == 5 and figure.min <= figure.median <= figure.max
    assert bench.ratio("r", 3.0, 2.0) == 1.5


def test_warm_up_notes_only_a_slow_one() -> None:
    bench = harness.Bench("unit")
    bench.warm_up("quick", lambda: None)
    assert bench.notes == []
    bench.warm_up("slow", lambda: None, slow=-1)
    assert bench.notes and bench.notes[0].startswith("warm-up: slow took")


def test_class_of_thirty_has_two_faulty_and_the_three_kinds_in_turn() -> None:
    kinds = Counter(grading.kind_of(n, faulty=True) for n in range(30))
    assert kinds == {"crash": 1, "malformed": 1, "full": 9, "partial": 9, "blank": 10}
    assert {grading.kind_of(n, faulty=False) for n in range(10)} == {"full"}


def test_course_sh_stages_are_read_from_its_progress_lines() -> None:
    out = (
        "[course.sh] == setup: system packages and the Python environment\n"
        "noise\n[course.sh]    done in 42 s\n"
        "[course.sh] == start: engine, base images, lab, JupyterLab\n[course.sh]    done in 7 s\n"
    )
    assert provision._stages(out) == [("setup", 42.0), ("start", 7.0)]


def test_spans_start_at_an_image_s_first_progress_line() -> None:
    spans = provision.Spans(["busybox:latest"])
    spans.seen("[1/2] busybox:latest: building offline")
    spans.seen("[9/9] other:tag: ignored")
    assert list(spans.first) == ["busybox:latest"]
    assert spans.took("busybox:latest") >= 0


@pytest.mark.parametrize(("value", "verdict"), [(1.7, "met"), (1.2, "**missed**")])
def test_targets_table_says_met_or_missed(value: float, verdict: str) -> None:
    results = {"grading": {"ratios": {"grading_isolated_parallel_vs_nbgrader_sequential": value}, "figures": {}}}
    rows = [r for r in report.targets(results) if "plain sequential nbgrader" in r]
    assert rows == [f"| isolated parallel grading at least 1.5x plain sequential nbgrader | {value:g}x | {verdict} |"]


def test_load_of_names_the_load_before_and_after() -> None:
    """A run that started with more load than cores is marked busy; the notes say quiet or shared."""
    result = {"machine": {"cores": 2, "load_average_before": [3.5, 2, 1], "load_average_after": [7.25, 2, 1]}}
    assert report.load_of(result) == "load average 3.5 before, 7.25 after; **a busy machine**"
    result["machine"]["load_average_before"] = [0.8, 1, 1]
    assert report.load_of(result) == "load average 0.8 before, 7.25 after"
    assert harness.machine_note((0.8, 1, 1), 2).startswith("the VM was quiet")
    assert harness.machine_note((3.5, 1, 1), 2).startswith("the VM was shared")


def test_hub_class_reads_ready_pending_and_given_up_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    import hub_class

    users = [
        {"name": "ann", "pending": None, "servers": {"": {"ready": True}}},
        {"name": "ben", "pending": "spawn", "servers": {"": {"ready": False, "pending": "spawn"}}},
        {"name": "cat", "pending": None, "servers": {}},
    ]
    monkeypatch.setattr(hub_class.server, "api", lambda record, path, method="GET", body=None: users)
    assert hub_class._states(None) == {"ann": "ready", "ben": "pending", "cat": "none"}  # type: ignore[arg-type]


def test_hub_class_scores_a_check_by_its_own_result_not_its_text() -> None:
    import hub_class

    from grader.checks.result import RESULT_MIME
    from grader.hub.kernel_client import CellOutput

    passed = CellOutput(text="PASSED", data=[{RESULT_MIME: {"passed": True, "score": 3}}])
    assert hub_class._score(passed) == (True, 3.0, "")
    failed = CellOutput(error="CheckFailed: 0/3", data=[{RESULT_MIME: {"passed": False, "score": 0}}])
    assert hub_class._score(failed) == (False, 0.0, "CheckFailed: 0/3")
    assert hub_class._score(CellOutput(text="passed, honest"))[0] is False


def test_a_benchmark_stopped_by_sigterm_still_removes_its_labs(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    removed: list[str] = []
    monkeypatch.setattr(harness, "host_engine", lambda: object())
    monkeypatch.setattr(harness, "Bench", lambda name: type("B", (), {"engine": lambda self, *a: None})())
    monkeypatch.setattr(harness, "remove_lab", lambda host, name: removed.append(name))

    def body(bench: object, host: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the benchmark")

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        harness.run_bench("x", body, labs=["bench-lab-a", "bench-lab-b"])
    assert stopped.value.code == 128 + signal.SIGTERM
    assert removed == ["bench-lab-a", "bench-lab-b"]
    assert signal.getsignal(signal.SIGTERM) == before
