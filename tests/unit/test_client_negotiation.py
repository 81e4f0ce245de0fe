"""The course's client negotiates the API version, so host mode works with any engine.

A fake engine on a unix socket answers like Docker 29 (API 1.52, floor 1.44): a
request at a version below its floor gets the real engine's 400 "client version
... is too old".
"""

from __future__ import annotations

import json
import re
import shutil
import socketserver
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import docker
import pytest
from docker.errors import APIError

from grader.engine import client as engine_client
from grader.errors import EngineUnavailable

VERSIONED = re.compile(r"^/v(\d+\.\d+)(/.*)$")


@dataclass
class FakeEngine:
    """What the fake engine speaks, and the API versions it was asked for."""

    api_max: str
    api_min: str
    engine_version: str
    asked: list[str] = field(default_factory=list)
    url: str = ""


def _handler(engine: FakeEngine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?")[0]
            match = VERSIONED.match(path)
            if match:
                version, path = match.groups()
                engine.asked.append(version)
                if tuple(map(int, version.split("."))) < tuple(map(int, engine.api_min.split("."))):
                    message = (
                        f"client version {version} is too old. Minimum supported API version is "
                        f"{engine.api_min}, please upgrade your client to a newer version"
                    )
                    return self._send(400, {"message": message})
            if path == "/_ping":
                return self._send(200, "OK")
            if path == "/version":
                return self._send(200, self._version())
            return self._send(404, {"message": f"page not found: {path}"})

        def _version(self) -> dict[str, str]:
            return {
                "Version": engine.engine_version,
                "ApiVersion": engine.api_max,
                "MinAPIVersion": engine.api_min,
                "Os": "linux",
                "Arch": "amd64",
            }

        def _send(self, status: int, body: object) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            kind = "text/plain" if isinstance(body, str) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Api-Version", engine.api_max)
            self.end_headers()
            self.wfile.write(data)

        def address_string(self) -> str:  # a unix socket has no peer address
            return "unix"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def fake_engine(request: pytest.FixtureRequest) -> Iterator[FakeEngine]:
    """A fake engine serving on a unix socket in a short temp dir (socket paths are limited)."""
    api_max, api_min, engine_version = getattr(request, "param", ("1.52", "1.44", "29.0.0"))
    engine = FakeEngine(api_max, api_min, engine_version)
    folder = Path(tempfile.mkdtemp(prefix="dc-fake-", dir="/tmp"))
    server = _Server(str(folder / "docker.sock"), _handler(engine))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    engine.url = f"unix://{folder / 'docker.sock'}"
    try:
        yield engine
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)


def test_fake_engine_refuses_a_pinned_old_client(fake_engine: FakeEngine) -> None:
    """The fake is faithful: a client pinned to 1.41 gets Docker 29's 'too old' 400."""
    pinned = docker.DockerClient(base_url=fake_engine.url, version="1.41", timeout=5)
    with pytest.raises(APIError, match="client version 1.41 is too old"):
        pinned.ping()
    pinned.close()


def test_connect_negotiates_with_docker_29(fake_engine: FakeEngine) -> None:
    """connect() works with an engine whose floor is 1.44, speaking the newest version both know."""
    client = engine_client.connect(fake_engine.url, timeout=5)
    assert client.api.api_version == engine_client.NEWEST_API
    assert client.version()["Version"] == "29.0.0"
    assert fake_engine.asked and set(fake_engine.asked) == {engine_client.NEWEST_API}
    client.close()


def test_api_client_negotiates_too(fake_engine: FakeEngine) -> None:
    """The low-level client (grading's long exec) negotiates the same way."""
    api = engine_client.api_client(fake_engine.url, timeout=5)
    assert api.api_version == engine_client.NEWEST_API
    assert api.ping()
    api.close()


@pytest.mark.parametrize("fake_engine", [("1.41", "1.12", "20.10.24")], indirect=True)
def test_connect_speaks_down_to_docker_20_10(fake_engine: FakeEngine) -> None:
    """Debian 12's dockerd 20.10 (API 1.41) is spoken to at 1.41, not at the client's newest."""
    client = engine_client.connect(fake_engine.url, timeout=5)
    assert client.api.api_version == "1.41"
    assert set(fake_engine.asked) == {"1.41"}
    client.close()


@pytest.mark.parametrize("fake_engine", [("1.40", "1.12", "19.03.15")], indirect=True)
def test_connect_refuses_an_engine_older_than_the_course(fake_engine: FakeEngine) -> None:
    """An engine below API 1.41 is a clear EngineUnavailable saying what the course needs."""
    with pytest.raises(EngineUnavailable, match=r"1\.40 at most; the course needs 1\.41"):
        engine_client.connect(fake_engine.url, timeout=5)


def test_connect_to_nothing_says_how_to_start() -> None:
    """No engine at the URL: the message names the URL and the command that starts one."""
    with pytest.raises(EngineUnavailable, match="does not answer.*docker-course engine up"):
        engine_client.connect("unix:///nonexistent/dc-none.sock", timeout=2)


@pytest.mark.parametrize(
    ("server_max", "server_min", "chosen"),
    [
        ("1.52", "1.44", "1.45"),
        ("1.45", "1.24", "1.45"),
        ("1.43", "1.12", "1.43"),
        ("1.41", None, "1.41"),
        ("1.60", "1.50", "1.50"),
        ("1.100", "1.24", "1.45"),
    ],
)
def test_choose_api_version(server_max: str, server_min: str | None, chosen: str) -> None:
    """The newest version both sides speak; an engine's floor above the course's newest wins."""
    assert engine_client.choose_api_version(server_max, server_min) == chosen
