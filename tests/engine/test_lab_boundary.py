"""The lab as a boundary: harmless probes from a lab's root and from an all-capabilities container in it.

Each probe answers held / exposed / not applicable (``grader/engine/boundary_probe.py``).
On a machine that offers the user-namespaced lab, every probe must be held or not
applicable; the fallback container lab must warn at start, and the probes must
tell the two apart (its known exposures are reported as exposed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from grader.engine import boundary, boundary_check, lab
from grader.engine.boundary_probe import PROBES
from grader.engine.install import ensure_host_engine
from grader.engine.settings import Settings, lab_run_dir, repo_root
from grader.services import progress as progress_record

pytestmark = pytest.mark.engine

PREFIX = os.environ.get("DOCKER_COURSE_TEST_LAB", "docker-course-test") + "-boundary"
BASES = ["busybox:latest", "python:3.11-slim"]


@dataclass
class Pair:
    """Two running labs (A is probed, B is the other learner) and the engine they run on."""

    engine: docker.DockerClient
    url: str
    a: lab.LabInfo
    b: lab.LabInfo
    kind: str


def _start_pair(kind: str, port: int) -> Pair:
    host = ensure_host_engine()
    settings = Settings.load()
    infos = []
    for i, suffix in enumerate(("a", "b")):
        # a learner's lab as the workspace gives it: the course kit read-only, the learner's folder read-write
        workspace = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-ws-"))
        name = f"{PREFIX}-{kind}-{suffix}"
        spec = lab.LabSpec.learner(settings, name=name, port=port + i, base_images=BASES, workspace=workspace)
        infos.append(lab.up(host, spec))
    engine, place = boundary.labs_engine()
    assert place.kind == kind, f"expected the {kind} runner, got {place.kind}: {place.warning}"
    inner_b = docker.DockerClient(base_url=infos[1].docker_host, version="1.41")
    inner_b.containers.run(
        "busybox", ["httpd", "-f", "-p", "80", "-h", "/"], name="web", ports={"80/tcp": 8000}, detach=True
    )
    return Pair(engine, place.url, infos[0], infos[1], kind)


def _stop(pair: Pair) -> None:
    host = ensure_host_engine()
    for info in (pair.a, pair.b):
        lab.down(host, info.name, keep_data=False)


@pytest.fixture(scope="module")
def userns_pair() -> Iterator[Pair]:
    """Two labs on the user-namespaced runner (skipped where the machine does not offer it)."""
    why = boundary.why_not_offered()
    if why:
        pytest.skip(f"no user-namespaced lab on this machine: {why}")
    pair = _start_pair("userns", 18960)
    try:
        yield pair
    finally:
        _stop(pair)


def _probe(pair: Pair) -> dict[tuple[str, str], boundary_check.Verdict]:
    host = ensure_host_engine()
    a = pair.engine.containers.get(pair.a.name)
    b = pair.engine.containers.get(pair.b.name)
    b_ip = next(iter(b.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    a_gw = next(iter(a.attrs["NetworkSettings"]["Networks"].values()))["Gateway"]
    b_port = int(pair.b.jupyter_url.split(":")[2].split("/")[0]) if pair.b.jupyter_url else 8888
    forbidden = [str(repo_root()), str(repo_root() / "grader")]
    with boundary_check.host_marks() as marks:
        config = boundary_check.probe_config(host, a, marks, [(b_ip, 8888), (b_ip, 8000), (a_gw, b_port)], forbidden)
        verdicts = boundary_check.run_probes(pair.url, pair.a.name, config)
    return {(v.where, v.probe): v for v in verdicts}


def test_every_probe_is_held_in_the_user_namespaced_lab(userns_pair: Pair) -> None:
    """From the lab's root and an all-capabilities container in it: nothing exposed, nothing broken."""
    verdicts = _probe(userns_pair)
    report = "\n".join(f"{w:5} {p:15} {v.verdict:14} {v.detail}" for (w, p), v in sorted(verdicts.items()))
    print(report)
    assert {w for w, _ in verdicts} == {"root", "inner"}, report
    assert len(verdicts) == 2 * len(PROBES), report
    bad = [v for v in verdicts.values() if v.verdict not in ("held", "not applicable")]
    assert not bad, report
    # the two probes the old lab failed are held by the kernel itself, not skipped
    for where in ("root", "inner"):
        assert verdicts[(where, "core_pattern")].verdict == "held", report
        assert verdicts[(where, "user_namespace")].verdict == "held", report


def test_chapter_mechanisms_still_work_in_the_user_namespaced_lab(userns_pair: Pair) -> None:
    """Inner memory and pids limits applied by the kernel, veths, nsenter -t 1, a published port via JupyterLab."""
    inner = docker.DockerClient(base_url=userns_pair.a.docker_host, version="1.41")
    web = inner.containers.run(
        "busybox",
        ["sh", "-c", "echo boundary-ok > /i.html && httpd -f -p 80 -h /"],
        name="web",
        ports={"80/tcp": 8000},
        mem_limit="64m",
        pids_limit=50,
        detach=True,
    )
    try:
        forker = inner.containers.run(
            "busybox", ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 3 & done; wait"], pids_limit=5, detach=True
        )
        forker.wait(timeout=60)
        forks = forker.logs()
        forker.remove(force=True)
        assert b"can't fork" in forks
        ns = inner.containers.run(
            "busybox",
            ["nsenter", "-n", "-t", "1", "ip", "-o", "addr"],
            pid_mode="host",
            cap_add=["SYS_ADMIN", "SYS_PTRACE"],
            security_opt=["seccomp=unconfined"],
            remove=True,
        ).decode()
        assert "docker0" in ns and "172.17.0.1" in ns
        lab_c = userns_pair.engine.containers.get(userns_pair.a.name)
        web.reload()
        pid = web.attrs["State"]["Pid"]  # in the lab's pid namespace, where the exec runs
        group = f"/sys/fs/cgroup/memory$(grep :memory: /proc/{pid}/cgroup | cut -d: -f3)/memory.limit_in_bytes"
        code, out = lab_c.exec_run(["sh", "-c", f"cat {group}"])
        assert code == 0 and out.decode().strip() == str(64 << 20)
        links = lab_c.exec_run(["ip", "-o", "link"]).output.decode()
        assert "veth" in links
        url = userns_pair.a.jupyter_url or ""
        base, token = url.split("/lab?token=")
        import urllib.request

        body = urllib.request.urlopen(f"{base}/proxy/8000/i.html?token={token}", timeout=10).read()  # noqa: S310
        assert body.strip() == b"boundary-ok"
    finally:
        web.remove(force=True)


def test_a_pull_fails_at_once_with_the_course_hint(userns_pair: Pair) -> None:
    """No name lookup leaves the lab: `docker pull` fails within seconds and names the course's images."""
    lab_c = userns_pair.engine.containers.get(userns_pair.a.name)
    start = time.monotonic()
    code, out = lab_c.exec_run(["docker", "pull", "alpine"])
    assert code != 0 and time.monotonic() - start < 5, out
    assert b"no registry here; the course's images are" in out


def test_a_link_planted_in_the_run_folder_is_not_followed(userns_pair: Pair, tmp_path: Path) -> None:
    """The lab plants progress.json -> a host file; host-side progress reads refuse it and writes replace it."""
    victim = tmp_path / "host-file"
    victim.write_text("unchanged")
    lab_c = userns_pair.engine.containers.get(userns_pair.a.name)
    code, out = lab_c.exec_run(["ln", "-sf", str(victim), "/run/course-engine/progress.json"])
    assert code == 0, out
    path = lab_run_dir(userns_pair.a.name) / "progress.json"
    assert path.is_symlink()
    assert progress_record.load(path) == {}
    from grader.checks.result import CheckResult, Part

    result = CheckResult("ch01-ex1", parts=[Part("p", True, 1.0, 1.0, "x", "x")])
    progress_record.record(result, path=path)
    assert victim.read_text() == "unchanged" and not path.is_symlink()


def test_a_lab_behind_docker_host_is_refused(userns_pair: Pair) -> None:
    """`DOCKER_HOST=<a lab's engine> docker-course engine up` refuses in one sentence and starts nothing."""
    env = dict(os.environ, DOCKER_HOST=userns_pair.a.docker_host, DOCKER_COURSE_LAB=f"{PREFIX}-nested")
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "engine", "up", "--no-jupyter"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.strip()
    assert "course lab" in message and message.count(". ") <= 1, message
    inner = docker.DockerClient(base_url=userns_pair.a.docker_host, version="1.41")
    assert not inner.containers.list(all=True, filters={"name": f"{PREFIX}-nested"})


def test_the_fallback_container_lab_warns_and_the_probes_see_its_exposures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today's container lab, forced: a warning naming the risk at start; core_pattern and the userns exposed."""
    monkeypatch.setenv(boundary.BOUNDARY_ENV, "container")
    _, place = boundary.labs_engine()
    assert place.kind == "container" and "core_pattern" in place.warning
    # a workspace of its own: the default one may be served by a learner's lab on this machine
    workspace = tempfile.mkdtemp(prefix=f"{PREFIX}-fallback-ws-")
    env = dict(os.environ, DOCKER_COURSE_LAB=f"{PREFIX}-fallback", DOCKER_COURSE_WORKSPACE=workspace)
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "engine", "up", "--no-jupyter"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Warning:" in done.stdout + done.stderr and "core_pattern" in done.stdout + done.stderr
        host = ensure_host_engine()
        container = lab.find(host, f"{PREFIX}-fallback")
        assert container is not None
        with boundary_check.host_marks() as marks:
            config = boundary_check.probe_config(host, container, marks, [], [])
            verdicts = {
                (v.where, v.probe): v.verdict for v in boundary_check.run_probes(place.url, container.name, config)
            }
        assert verdicts[("root", "core_pattern")] == "exposed"
        assert verdicts[("root", "user_namespace")] == "exposed"
        # its own network and bridge, as on the labs engine: no other lab shares it, the labs' firewall covers it
        networks = container.attrs["NetworkSettings"]["Networks"]
        assert list(networks) == [f"{PREFIX}-fallback-net"], networks
        bridge = host.networks.get(f"{PREFIX}-fallback-net").attrs["Options"]["com.docker.network.bridge.name"]
        assert bridge.startswith(boundary.BRIDGE_PREFIX)
        if os.geteuid() == 0:  # the firewall is set where the course runs as root
            assert verdicts[("root", "host_listener")] == "held", verdicts
    finally:
        # `engine down` as `engine up` came: it also stops the lab's channel to the host
        subprocess.run(
            [sys.executable, "-m", "grader.cli", "engine", "down"], capture_output=True, env=env, timeout=120
        )
        lab.down(ensure_host_engine(), f"{PREFIX}-fallback", keep_data=False)
        shutil.rmtree(workspace, ignore_errors=True)
    assert f"{PREFIX}-fallback-net" not in {n.name for n in ensure_host_engine().networks.list()}
