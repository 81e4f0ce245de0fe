"""``docker-course hub``: its status JSON, its refusals (a hub already running, a port in use, a bad
class list) and its state files, with no engine and no JupyterHub process."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from grader.cli import main
from grader.engine.lab_container import LabInfo
from grader.errors import ConfigError
from grader.hub import server, state


@pytest.fixture(autouse=True)
def hub_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path / "state"))

    def no_engine() -> str:
        raise AssertionError("a refusal must come before the engine is asked")

    monkeypatch.setattr(server.hub_labs, "labs_gateway", no_engine)
    return tmp_path


def _record(port: int = 8765, pid: int | None = None) -> state.HubRecord:
    record = state.HubRecord(
        pid=pid or os.getpid(),  # a live process: this one
        port=port,
        hub_ip="10.213.0.1",
        hub_port=8081,
        proxy_api_port=8082,
        api_token="t0ken",
        admin="instructor",
        lab_prefix="dchub",
        learners=["ann"],
    )
    state.ensure_hub_dir()
    state.save_record(record)
    return record


def test_status_when_stopped_has_the_same_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "status", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found == {"running": False, "url": None, "api_token": None, "exchange": None, "users": []}


def test_status_json_shape(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _record()
    users = [
        {"name": "instructor", "admin": True, "servers": {}},
        {"name": "ann", "admin": False, "servers": {"": {"ready": True}}},
        {"name": "ben", "admin": False, "servers": {}},
    ]
    monkeypatch.setattr(server, "api", lambda record, path, *a, **k: users)
    lab = LabInfo("dchub-ann", "unix:///s/labs/dchub-ann/run/docker.sock", None, "/kit", "running", "/ws/ann")
    monkeypatch.setattr(server.hub_labs, "hub_labs", lambda prefix: [lab] if prefix == "dchub" else [])
    assert main(["hub", "status", "--json"]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert found["running"] is True and found["url"] == "http://127.0.0.1:8765/" and found["api_token"] == "t0ken"
    by_name = {u["name"]: u for u in found["users"]}
    assert by_name["ann"] == {
        "name": "ann",
        "admin": False,
        "lab": "dchub-ann",
        "docker_host": "unix:///s/labs/dchub-ann/run/docker.sock",
        "server": "ready",
    }
    assert by_name["ben"]["lab"] is None and by_name["ben"]["server"] == "stopped"
    assert by_name["instructor"]["admin"] is True


def test_up_twice_says_where_it_runs() -> None:
    _record(port=8765)
    with pytest.raises(ConfigError, match=r"already running at http://127\.0\.0\.1:8765/"):
        server.up(port=9999)


def test_a_dead_hub_record_is_not_running() -> None:
    _record(pid=2**22 + 12345)  # beyond pid_max: no such process
    assert server.running() is None


def test_a_port_in_use_is_one_clear_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as e:
            server.up(port=port)
    message = str(e.value)
    assert message == f"Port {port} on 127.0.0.1 is already in use: choose another with `hub up --port N`."


def test_a_bad_name_in_the_class_list_names_its_line(tmp_path: Path) -> None:
    users = tmp_path / "class.txt"
    users.write_text("# class of 2026\nann\n\nBen Smith\n")
    with pytest.raises(ConfigError, match=r"'Ben Smith' \(.*class\.txt line 4\) is not a learner name"):
        server.up(users=users)
    users.write_text("ann  # first\nben\nann\n")
    assert state.read_users_file(users) == ["ann", "ben"]


def test_state_files_are_private_and_never_followed(tmp_path: Path) -> None:
    folder = state.ensure_hub_dir()
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    (folder / "hub.json").symlink_to(target)
    assert pytest.raises(ConfigError, state.load_record)
    _record()
    assert target.read_text() == "keep" and not (folder / "hub.json").is_symlink()
    assert (folder / "hub.json").stat().st_mode & 0o777 == 0o600
    first = state.logins(["ann"])
    assert state.logins(["ann", "ben"])["ann"] == first["ann"]  # kept across `hub up` runs


def test_logins_come_from_the_hub_s_own_file() -> None:
    import asyncio

    from grader.hub.auth import UserFileAuthenticator

    state.ensure_hub_dir()
    passwords = state.logins(["instructor", "ann"])
    auth = UserFileAuthenticator()

    def login(name: str, password: str) -> str | None:
        return asyncio.run(auth.authenticate(None, {"username": name, "password": password}))

    assert login("ann", passwords["ann"]) == "ann"
    assert login("ann", passwords["instructor"]) is None  # another's password
    assert login("ann", "") is None and login("eve", passwords["ann"]) is None
