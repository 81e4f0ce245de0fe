"""The course engine itself: status, reset, image provisioning, bad input."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import subprocess
import sys

import docker
import pytest

from grader.chapters.runner import run_exercise
from grader.engine import catalogue, image_cache, lab, lab_network, provided, provisioning
from grader.engine.settings import Settings, lab_run_dir
from grader.errors import ImageProvisionError, LabError
from tests.support import EngineSession

pytestmark = pytest.mark.engine


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, timeout=120)


def test_status_json_names_mode_and_a_reachable_docker_host(engine: EngineSession) -> None:
    done = cli("engine", "status", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["mode"] == "lab" and data["reachable"] is True
    assert data["docker_host"].startswith("unix://") and engine.name in data["docker_host"]
    assert all(data["base_images"].values()), data["base_images"]
    # the URL works for host-side tools: the same engine as the test lab's
    outside = docker.DockerClient(base_url=data["docker_host"], version="1.41")
    assert outside.info()["ID"] == engine.client.info()["ID"]


def test_reset_removes_learner_objects_and_keeps_base_and_provided_images(engine: EngineSession) -> None:
    provided.prepare(engine.client, "02")
    engine.build("FROM busybox\nRUN echo hi > /x\n", "course/hello:1.0")
    engine.build("FROM course/web:1.0\nRUN true\n", "mine:latest")
    engine.client.networks.create("course-net")
    engine.client.volumes.create("shared-data")
    engine.client.containers.run("busybox", ["sleep", "300"], name="web-fixed", detach=True)
    done = cli("engine", "reset", "--json")
    assert done.returncode == 0, done.stderr
    tags = {t for i in engine.client.images.list() for t in i.tags}
    assert "course/hello:1.0" not in tags and "mine:latest" not in tags
    assert {"busybox:latest", "python:3.11", "python:3.11-slim", "course/web:1.0"} <= tags
    assert not engine.client.containers.list(all=True)
    assert [n.name for n in engine.client.networks.list() if n.name not in ("bridge", "host", "none")] == []
    assert not engine.client.volumes.list()


def test_provisioning_is_idempotent(engine: EngineSession) -> None:
    """A second provisioning of the base images changes nothing and only says "present".

    (The lab image is left out: on a machine shared by checkouts of other versions, another
    checkout may load its own lab image under the same tag at any moment.)
    """
    bases = list(catalogue.COURSE_BASE_TAGS)
    before = {tag: engine.host.images.get(tag).id for tag in bases}
    lines: list[str] = []
    provisioning.provision(engine.host, bases, report=lines.append)
    after = {tag: engine.host.images.get(tag).id for tag in bases}
    assert before == after
    assert len(lines) == len(bases) and all(line.endswith(": present") for line in lines), lines
    assert all(image_cache.tarball(i).exists() for i in catalogue.ALL_IMAGES)


def test_prepare_is_idempotent_and_offline(engine: EngineSession) -> None:
    assert provided.build_provided(engine.client, "course/web:1.0") in (True, False)
    assert provided.build_provided(engine.client, "course/web:1.0") is False


def test_missing_base_image_gets_reloaded_or_a_clear_message(
    engine: EngineSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.client.images.remove("busybox:latest", force=True)
    image_cache.load_into(engine.client, ["busybox"])  # from the cache tarball
    assert engine.client.images.get("busybox:latest")
    engine.client.images.remove("busybox:latest", force=True)
    monkeypatch.setattr(image_cache, "tarball", lambda image: image_cache.images_cache() / "nothing-here.tar")
    with pytest.raises(ImageProvisionError) as exc:
        provided.prepare(engine.client, "01")
    assert "docker-course images" in str(exc.value)
    monkeypatch.undo()
    image_cache.load_into(engine.client)


def test_engine_gone_mid_check_is_a_result_not_a_traceback() -> None:
    dead = docker.DockerClient(base_url="unix:///nonexistent/course.sock", version="1.41", timeout=5)
    result = run_exercise("ch01-ex1", client=dead)
    assert result.score == 0 and "start it again" in result.error.lower()
    assert len(result.parts) == 3


def test_port_in_use_is_one_clear_sentence(engine_session: EngineSession) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(LabError) as exc:
            spec = lab.LabSpec.learner(Settings.load(), name=f"{engine_session.name}-port", port=port)
            lab.up(engine_session.host, spec)
    assert f"Port {port}" in str(exc.value) and "--port" in str(exc.value)
    assert lab.find(engine_session.host, f"{engine_session.name}-port") is None
    lab.down(engine_session.host, f"{engine_session.name}-port", keep_data=False)


def test_lab_limits_cap_inner_containers(engine: EngineSession) -> None:
    attrs = engine.container.attrs["HostConfig"]
    assert attrs["Memory"] > 0 and attrs["PidsLimit"] > 0 and attrs["CgroupnsMode"] == "private"
    assert not attrs["Privileged"] and "ALL" in (attrs["CapAdd"] or [])
    ran = engine.sh(
        "docker run --rm -m 64m busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
        "2>/dev/null || docker run --rm -m 64m busybox cat /sys/fs/cgroup/memory.max"
    )
    assert ran.ok and ran.output.strip().splitlines()[-1] == str(64 * 1024 * 1024), ran.output


def test_lab_blocks_forwarded_traffic_off_the_machine(engine: EngineSession) -> None:
    """lab-init's no-egress rule is in the lab, reported to the host, and its loss is noticed."""
    rules = engine.sh("iptables -S DOCKER-USER")
    assert "-j DROP" in rules.output and "-o eth0" in rules.output, rules.output
    run_dir = lab_run_dir(engine.name)
    assert lab_network.lab_rule_problem(engine.container, run_dir) == ""
    rule = (run_dir / lab_network.EGRESS_FILE).read_text().split()
    try:
        assert engine.sh("iptables -D " + " ".join(rule)).ok
        assert "does not hold" in lab_network.lab_rule_problem(engine.container, run_dir)
    finally:
        assert engine.sh("iptables -I " + " ".join(rule)).ok
    assert lab_network.lab_rule_problem(engine.container, run_dir) == ""


def test_a_lab_that_is_not_ready_in_time_says_what_it_waited_for(engine_session: EngineSession) -> None:
    name = f"{engine_session.name}-slow"
    spec = dataclasses.replace(lab.LabSpec.learner(Settings.load(), name=name, jupyter=False), timeout=0.01)
    try:
        with pytest.raises(LabError) as exc:
            lab.up(engine_session.host, spec)
        text = str(exc.value)
        assert f"Lab {name} did not become ready within 0.01 s" in text and "lab-init" in text, text
        assert lab.find(engine_session.host, name) is None
    finally:
        lab.down(engine_session.host, name, keep_data=False)
        shutil.rmtree(lab_run_dir(name).parent, ignore_errors=True)


def test_inside_the_lab_localhost_reaches_published_ports(engine: EngineSession) -> None:
    ran = engine.sh(
        "docker run -d --name web-fixed -p 8000:80 busybox httpd -f -p 80 -h /etc >/dev/null && sleep 1 && "
        "wget -q -O - http://localhost:8000/hostname; docker rm -f web-fixed >/dev/null"
    )
    assert ran.ok and ran.output.strip(), ran.output


def test_docker0_is_the_articles_default_inside_the_lab(engine: EngineSession) -> None:
    ran = engine.sh("ip -4 -o addr show docker0")
    assert "172.17.0.1/16" in ran.output, ran.output


def test_a_lab_whose_no_egress_rule_is_gone_is_replaced_not_reused(engine_session: EngineSession) -> None:
    """Reuse checks the lab's own rule: a lab that lost it (root inside may flush it) starts afresh, with it."""
    name = f"{engine_session.name}-egress"
    spec = lab.LabSpec.learner(Settings.load(), name=name, jupyter=False, base_images=["busybox"])
    try:
        lab.up(engine_session.host, spec)
        first = lab.find(engine_session.host, name)
        assert first is not None
        rule = (lab_run_dir(name) / lab_network.EGRESS_FILE).read_text().split()
        assert first.exec_run(["iptables", "-D", *rule]).exit_code == 0
        lines: list[str] = []
        lab.up(engine_session.host, spec, report=lines.append)
        assert any("replacing lab" in line and "does not hold" in line for line in lines), lines
        second = lab.find(engine_session.host, name)
        assert second is not None and second.id != first.id
        assert lab_network.lab_rule_problem(second, lab_run_dir(name)) == ""
    finally:
        lab.down(engine_session.host, name, keep_data=False)
        shutil.rmtree(lab_run_dir(name).parent, ignore_errors=True)


def test_a_lab_without_a_workspace_cannot_write_code_the_host_runs(engine: EngineSession) -> None:
    """The checkout is read-only in the lab (grader/, .venv, course.sh, nbgrader_config.py), course/ is not.

    Harmless: each write is a new file of a random name (O_EXCL), removed at once where it was made.
    """
    from grader.engine.lab_spec import CHECKOUT_WRITABLE
    from grader.engine.settings import repo_root

    root = repo_root().resolve()
    name = f".docker-course-probe-{engine.name}-{socket.gethostname()}"
    refused = [root, root / "grader", root / "grader" / "engine"]
    if (root / ".venv" / "bin").is_dir():
        refused.append(root / ".venv" / "bin")
    for folder in refused:
        ran = engine.sh(f"touch {folder / name} && rm -f {folder / name}")
        assert not ran.ok and "Read-only file system" in ran.output, (folder, ran.output)
        assert not (folder / name).exists()
    for rel in CHECKOUT_WRITABLE:
        target = root / rel / name
        ran = engine.sh(f"touch {target} && rm {target}")
        assert ran.ok, (rel, ran.output)


def test_a_build_context_over_the_cap_is_refused_before_it_is_sent(engine: EngineSession) -> None:
    """The lab's `docker build` measures the context first: 600 MB (sparse) over the 512 MiB cap is refused."""
    folder = f"/tmp/context-{engine.name}"  # noqa: S108 - inside the lab
    made = engine.sh(
        f"mkdir -p {folder} && printf 'FROM busybox\\n' > {folder}/Dockerfile && truncate -s 600m {folder}/big"
    )
    assert made.ok, made.output
    try:
        refused = engine.sh(f"docker build -q -t course/too-big:1.0 {folder}")
        assert not refused.ok and "the build context" in refused.output and "512 MiB" in refused.output, refused.output
        assert "course/too-big:1.0" not in {t for i in engine.client.images.list() for t in i.tags}
        ignored = engine.sh(f"echo big > {folder}/.dockerignore && docker build -q -t course/too-big:1.0 {folder}")
        assert ignored.ok, ignored.output  # .dockerignore leaves it out: the build runs
    finally:
        engine.sh(f"rm -rf {folder}; docker rmi -f course/too-big:1.0 >/dev/null 2>&1")
