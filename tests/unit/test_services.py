"""The services layer without an engine: status JSON contract, check-and-record policy, option
handling, and the doctor's readers and report (never a traceback, each line says what it saw)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.checks.result import CheckResult, Part
from grader.cli import main
from grader.services import checking, machine, progress
from grader.services.doctor import DoctorReport, Finding, diagnose
from grader.services.lab_control import EngineOptions, settings_with
from grader.services.status import EngineStatus, engine_status


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """State, cache and progress of the test's own; no engine anywhere."""
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("DOCKER_COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(progress.PROGRESS_ENV, str(tmp_path / "progress.json"))
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    return tmp_path


def result(passed: bool, skipped: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult("ch01-ex1", "t", [Part("p", passed, float(passed), 1.0, "e", "f")], skipped=list(skipped))


def test_status_json_keeps_the_public_keys_in_order() -> None:
    """`engine status --json`: the same keys in the same order, reachable or not."""
    down = engine_status()
    assert not down.reachable and "does not answer" in down.error
    assert list(down.to_json()) == [
        "mode", "docker_host", "in_lab", "lab", "course_dir", "reachable", "error", "base_images", "jupyter_url",
        "workspace",
    ]  # fmt: skip
    up = EngineStatus("lab", "unix:///x", False, "l", "/c", True, "20.10", "1.41", {"busybox:latest": True})
    assert list(up.to_json()) == [
        "mode", "docker_host", "in_lab", "lab", "course_dir", "reachable", "engine_version", "api_version",
        "base_images", "jupyter_url", "workspace",
    ]  # fmt: skip
    assert up.present_images == ["busybox:latest"]


def test_check_and_record_records_explicit_checks_and_only_passing_live_rounds() -> None:
    """An explicit check is recorded (best kept); a failing live round is not, a passing one is."""
    calls: list[dict[str, Any]] = []

    def runner(exercise: str, answers: dict[str, Any], inspect_only: bool = False) -> CheckResult:
        calls.append({"answers": answers, "inspect_only": inspect_only})
        return queue.pop(0)

    queue = [result(False), result(False), result(True)]
    checking.check_and_record("ch01-ex1", {"a": 1}, via="cli", runner=runner)
    assert progress.load()["ch01-ex1"]["via"] == "cli"
    checking.check_and_record("ch01-ex1", via="live", inspect_only=True, runner=runner)
    assert progress.load()["ch01-ex1"]["via"] == "cli"
    checking.check_and_record("ch01-ex1", via="live", inspect_only=True, runner=runner)
    assert progress.load()["ch01-ex1"]["passed"] is True and progress.load()["ch01-ex1"]["via"] == "live"
    assert [c["inspect_only"] for c in calls] == [False, True, True] and calls[0]["answers"] == {"a": 1}


def test_options_are_saved_only_when_they_change_a_default(isolated: Path) -> None:
    """--name changes this run only; --mode/--port are saved in config.json for the next command."""
    settings_with(EngineOptions(name="other"))
    assert not (isolated / "state" / "config.json").exists()
    settings = settings_with(EngineOptions(mode="lab", port=9999))
    saved = json.loads((isolated / "state" / "config.json").read_text())
    assert settings.jupyter_port == 9999 and saved["jupyter_port"] == 9999 and saved["mode"] == "lab"


def test_machine_readers_say_what_they_saw(tmp_path: Path) -> None:
    """cgroup layouts, iptables backends, sysctls, a device that does not open, sizes and limits."""
    v2, v1 = tmp_path / "v2", tmp_path / "v1"
    (v2).mkdir()
    (v2 / "cgroup.controllers").write_text("cpu memory pids\n")
    (v2 / "memory.max").write_text("max\n")
    (v2 / "pids.max").write_text("512\n")
    (v2 / "cpu.max").write_text("150000 100000\n")
    (v1 / "memory").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text("67108864\n")
    assert machine.cgroup_version(v2) == "v2" and machine.cgroup_version(v1) == "v1"
    assert machine.cgroup_version(tmp_path / "none").startswith("none mounted")
    assert machine.own_cgroup_limits(v2) == machine.CgroupLimits(None, 512, 1.5)
    assert machine.own_cgroup_limits(v1) == machine.CgroupLimits(67108864, None, None)
    assert machine.iptables_backend("iptables v1.8.9 (nf_tables)") == "nf_tables"
    assert machine.iptables_backend("iptables v1.8.7 (legacy)") == "legacy"
    assert machine.iptables_backend("command not found") == "unknown"
    ok, seen = machine.kvm(tmp_path / "no-kvm")
    assert not ok and "does not open" in seen
    (tmp_path / "clone").write_text("0\n")
    (tmp_path / "max").write_text("1000\n")
    ok, seen = machine.user_namespaces(tmp_path / "clone", tmp_path / "max")
    assert not ok and "unprivileged_userns_clone=0" in seen and "max_user_namespaces=1000" in seen
    assert machine.user_namespaces(tmp_path / "absent", tmp_path / "max")[0]
    (v1 / "memory" / "pad").write_bytes(b"x" * 2000)
    assert machine.tree_size(v1) == 2000 + len("67108864\n")
    assert machine.existing(tmp_path / "not" / "yet") == tmp_path
    assert machine.human(1.3e9) == "1.3 GB" and machine.human(12) == "12 B"


def test_doctor_without_any_engine_reports_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    """No engine answers: the doctor still prints every line, marks the engines, exits 0; JSON too."""
    report = diagnose()
    keys = [f.key for f in report.findings]
    assert keys == [
        "host_engine", "course_engine", "cgroup", "iptables", "kvm", "user_namespaces", "disk", "cache", "lab_limits",
        "pid_budget",
    ]  # fmt: skip
    assert {f.key for f in report.problems} >= {"host_engine", "course_engine"}
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "!! host engine:" in out and "does not answer" in out and "Traceback" not in out
    assert "lab limits:" in out and "host mode" in out
    assert main(["doctor", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["findings"]["course_engine"]["ok"] is False


def test_doctor_turns_a_crashing_reader_into_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that raises becomes a finding that says so, not a traceback."""

    def broken() -> str:
        raise PermissionError("denied <here>")

    monkeypatch.setattr(machine, "cgroup_version", broken)
    cgroup = next(f for f in diagnose().findings if f.key == "cgroup")
    assert cgroup.ok is False and "PermissionError: denied <here>" in cgroup.seen
    assert DoctorReport([Finding("a", "a", "seen", ok=None)]).to_json()["ok"] is True


def test_doctor_says_how_many_labs_at_their_cap_the_hosts_pid_max_holds(tmp_path: Path) -> None:
    from grader.engine.settings import Settings
    from grader.services.doctor import _pid_budget

    (tmp_path / "pid_max").write_text("32768\n")
    found = _pid_budget(Settings(lab_pids=4096), tmp_path / "pid_max")
    assert found.ok is None and "8 labs at their process cap (4096)" in found.seen
    (tmp_path / "pid_max").write_text("6000\n")
    found = _pid_budget(Settings(lab_pids=4096), tmp_path / "pid_max")
    assert found.ok is False and "raise kernel.pid_max or lower lab_pids" in found.seen
