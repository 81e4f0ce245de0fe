"""How a probe container is created: its flags, from a ProbeSpec (no engine: a recording fake client)."""

from __future__ import annotations

from typing import Any

from grader.facts.probe import ProbeSpec, host_probe, run_probe


class _Container:
    def __init__(self) -> None:
        self.removed = False

    def start(self) -> None:
        pass

    def wait(self, timeout: float) -> dict[str, int]:
        return {"StatusCode": 0}

    def logs(self, stdout: bool, stderr: bool, tail: int) -> bytes:
        return b"out\n" if stdout else b""

    def remove(self, force: bool, v: bool) -> None:
        self.removed = True


class _Containers:
    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.last = _Container()

    def create(self, image: str, command: list[str] | None, **kwargs: Any) -> _Container:
        self.created.append({"image": image, "command": command, **kwargs})
        self.last = _Container()
        return self.last


class _Client:
    def __init__(self) -> None:
        self.containers = _Containers()


def test_a_probe_has_no_network_unless_it_asks_for_one() -> None:
    client = _Client()
    result = run_probe(client, ProbeSpec(["cat", "/etc/hostname"]))  # type: ignore[arg-type]
    assert result.ok and result.stdout == "out\n"
    assert client.containers.created[0]["network_mode"] == "none"
    assert client.containers.last.removed


def test_host_probes_keep_the_host_network() -> None:
    client = _Client()
    host_probe(client, ["ip", "-o", "link"])  # type: ignore[arg-type]
    created = client.containers.created[0]
    assert created["network_mode"] == "host" and created["pid_mode"] == "host"
