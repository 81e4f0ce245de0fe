"""The lab's own engine is a current Docker: 26.x with BuildKit, buildx and Compose v2.

Everything runs inside the test lab, the way a learner's `!docker ...` lines do.
"""

from __future__ import annotations

import json

import pytest

from tests.support import EngineSession

pytestmark = pytest.mark.engine

DOCKERFILE = "FROM busybox\nWORKDIR /app\nRUN echo hi > /app/x\n"


def build_in_lab(engine: EngineSession, tag: str, env: str = "") -> list[dict[str, object]]:
    """Build DOCKERFILE with the lab's `docker build` (``env`` e.g. DOCKER_BUILDKIT=0); return its history."""
    folder = f"/tmp/lab-engine-{tag.replace(':', '-')}"
    ran = engine.sh(
        f"rm -rf {folder} && mkdir -p {folder} && cd {folder} && printf '{DOCKERFILE}' > Dockerfile && "
        f"{env} docker build -q -t {tag} . && docker history --no-trunc --format '{{{{json .}}}}' {tag}"
    )
    assert ran.ok, ran.output
    return [json.loads(line) for line in ran.output.splitlines() if line.startswith("{")]


def test_engine_and_cli_are_docker_26(engine: EngineSession) -> None:
    """`docker version` inside the lab: client and server 26.x, API 1.45."""
    ran = engine.sh("docker version --format '{{.Client.Version}} {{.Server.Version}} {{.Server.APIVersion}}'")
    assert ran.ok, ran.output
    client, server, api = ran.output.split()
    assert client.startswith("26.") and server.startswith("26.") and api == "1.45", ran.output


def test_buildx_and_compose_answer(engine: EngineSession) -> None:
    """The CLI plugins a learner meets: `docker buildx` and Compose v2 (`docker compose`)."""
    buildx = engine.sh("docker buildx version")
    compose = engine.sh("docker compose version --short")
    assert buildx.ok and "buildx" in buildx.output, buildx.output
    assert compose.ok and compose.output.strip().lstrip("v").startswith("2."), compose.output


def test_docker_build_uses_buildkit_and_the_classic_builder_on_request(engine: EngineSession) -> None:
    """`docker build` is BuildKit (history comment, WORKDIR layer); DOCKER_BUILDKIT=0 is classic."""
    buildkit = build_in_lab(engine, "lab-engine/buildkit:1")
    assert {h["Comment"] for h in buildkit[:2]} == {"buildkit.dockerfile.v0"}, buildkit
    assert buildkit[1]["CreatedBy"] == "WORKDIR /app", buildkit
    classic = build_in_lab(engine, "lab-engine/classic:1", env="DOCKER_BUILDKIT=0")
    assert not any(h["Comment"] == "buildkit.dockerfile.v0" for h in classic), classic
    assert "#(nop) WORKDIR /app" in classic[1]["CreatedBy"], classic
    parents = engine.sh("docker image inspect -f '{{.Parent}}' lab-engine/buildkit:1 lab-engine/classic:1")
    buildkit_parent, classic_parent = (parents.output + "\n").split("\n")[:2]
    assert buildkit_parent == "" and classic_parent.startswith("sha256:"), parents.output


def test_a_syntax_line_fails_fast_offline(engine: EngineSession) -> None:
    """`# syntax=` asks a registry for a frontend image: offline it must fail, and soon."""
    ran = engine.sh(
        "rm -rf /tmp/lab-engine-syntax && mkdir /tmp/lab-engine-syntax && cd /tmp/lab-engine-syntax && "
        "printf '# syntax=docker/dockerfile:1\\nFROM busybox\\n' > Dockerfile && "
        "start=$(date +%s) && ! docker build -q -t lab-engine/syntax:1 . 2>&1 && echo elapsed=$(($(date +%s) - start))",
        timeout=60,
    )
    assert ran.ok and "docker/dockerfile:1" in ran.output, ran.output
    assert int(ran.output.rsplit("elapsed=", 1)[1]) <= 15, ran.output


def test_inner_memory_limit_applies(engine: EngineSession) -> None:
    """`docker run -m 64m` inside the lab sets the inner container's cgroup limit."""
    ran = engine.sh(
        "docker run --rm -m 64m busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null "
        "|| docker run --rm -m 64m busybox cat /sys/fs/cgroup/memory.max"
    )
    assert ran.ok and ran.output.strip().splitlines()[-1] == str(64 * 1024 * 1024), ran.output


def test_no_route_off_the_machine(engine: EngineSession) -> None:
    """Forwarded traffic leaving through the lab's uplink is dropped (nf_tables backend).

    The packet goes to the host's own end of the labs' network (the lab's gateway), so
    nothing is sent off the machine even if the rule were missing; the rule's counter shows
    it was dropped.
    """
    rules = engine.sh("iptables -V && iptables -S DOCKER-USER")
    assert "nf_tables" in rules.output and "-o eth0 -j DROP" in rules.output, rules.output
    before = _dropped(engine)
    ran = engine.sh(
        "gw=$(ip -o route show default | awk '{print $3; exit}') && "
        "docker run --rm busybox timeout 3 wget -q -O- http://$gw:9/ 2>&1; true"
    )
    assert _dropped(engine) > before, ran.output


def _dropped(engine: EngineSession) -> int:
    ran = engine.sh('iptables -L DOCKER-USER -v -x -n | awk \'$3 == "DROP" && $7 == "eth0" {print $1}\'')
    return int(ran.output.split()[0]) if ran.output.split() else 0


def test_build_helper_uses_buildkit_in_the_lab(engine: EngineSession) -> None:
    """`build(...)` in the lab's kernel is BuildKit, says red is not an error, and hints at a `# syntax=` line."""
    script = (
        "import sys; from grader.widgets.live_log import build; "
        "ok = build('/tmp/helper/good', 'course/helper:1.0'); bad = build('/tmp/helper/syntax', 'course/helper:2.0'); "
        "sys.exit(0 if ok and not bad else 1)"
    )
    ran = engine.sh(
        "rm -rf /tmp/helper && mkdir -p /tmp/helper/good /tmp/helper/syntax && "
        "printf 'FROM busybox\\nLABEL maintainer=me\\n' > /tmp/helper/good/Dockerfile && "
        "printf '# syntax=docker/dockerfile:1\\nFROM busybox\\n' > /tmp/helper/syntax/Dockerfile && "
        f'python -c "{script}"',
        timeout=120,
    )
    assert ran.ok, ran.output
    assert "red is not an error" in ran.output and "delete that line" in ran.output, ran.output
    history = engine.sh("docker history --format '{{.Comment}}' course/helper:1.0")
    assert "buildkit.dockerfile.v0" in history.output, history.output
