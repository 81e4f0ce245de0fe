"""A class on one hub: three learners made through the REST API, each server in its own lab and engine.

The hub runs from a state folder of its own (``DOCKER_COURSE_STATE``), its labs named after
``DOCKER_COURSE_TEST_LAB``, with one base image per lab to keep it short. A notebook cell runs
``docker run`` through one learner's kernel (the kernel WebSocket behind the hub's proxy): the
container is in that learner's engine and in no other; chapter 01's first exercise run there
(:mod:`grader.hub.kernel_client`) passes its check with the reference answer, fails without it.
``hub down`` leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from grader.checks.result import RESULT_MIME
from grader.engine import boundary, lab
from grader.engine.lab_network import LAB_NETWORK
from grader.hub import kernel_client, server, state
from grader.nbgrader_glue import exchange_layout as layout
from grader.services.hub_labs import HUB_LABEL, lab_address
from grader.workspace.solutions import reference_run
from tests.classroom.class_support import FIXTURES, ClassRoom

pytestmark = pytest.mark.engine

PREFIX = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-hub"
LEARNERS = ("ann", "ben", "cat")
ASSIGNMENT = "01-mini"
READY_TIMEOUT = 280.0  # a busy 2-core machine: labs start one after another


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hub() -> Iterator[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="docker-course-hub-test-"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCKER_COURSE_STATE", str(folder / "state"))
        for name in ("DOCKER_COURSE_MODE", "DOCKER_COURSE_WORKSPACE", "DOCKER_COURSE_LAB"):
            mp.delenv(name, raising=False)
        try:
            started = time.monotonic()
            record = server.up(port=_free_port(), prefix=PREFIX, bases=["busybox:latest"], report=print)
            print(f"hub ready in {time.monotonic() - started:.1f} s")
            room = ClassRoom(FIXTURES)  # the instructor releases a small assignment to the class
            room.release(ASSIGNMENT)
            room.course.nbgrader("release_assignment", ASSIGNMENT)
            yield {"record": record, "folder": folder}
        finally:
            server.down(purge=True, report=print)
            shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(record: state.HubRecord, names: tuple[str, ...], started: float) -> dict[str, float]:
    """Seconds from the first start request (``started``) to a ready server, per learner."""
    ready: dict[str, float] = {}
    while len(ready) < len(names) and time.monotonic() - started < READY_TIMEOUT:
        for name in names:
            user = server.api(record, f"users/{name}")
            if name not in ready and (user.get("servers") or {}).get("", {}).get("ready"):
                ready[name] = time.monotonic() - started
        time.sleep(2)
    return ready


async def _run_cell(record: state.HubRecord, user: str, token: str, code: str) -> str:
    """Execute ``code`` in a new kernel of ``user``'s server, through the hub's proxy; its output and errors."""
    async with kernel_client.kernel(f"{record.url}user/{user}/", token, username=user) as kernel:
        out = await kernel.run(code, timeout=120)
    return out.text + out.traceback


async def _do_exercise(record: state.HubRecord, user: str, token: str, answered: bool) -> dict[str, Any]:
    """ch01-ex1 in ``user``'s chapter 01 folder: its setup, the reference answer (if ``answered``), its check."""
    run = reference_run("ch01-ex1")
    async with kernel_client.kernel(f"{record.url}user/{user}/", token, "01-dockerfile", user) as kernel:
        for code in (*run.setup, *(run.answers if answered else [])):
            done = await kernel.run(code, timeout=120)
            assert not done.error, f"{code[:60]!r}: {done.error}\n{done.traceback}"
        checked = await kernel.run(run.checks[0], timeout=120)
    results = checked.mime(RESULT_MIME)
    assert results, checked.text + checked.traceback
    return dict(results[-1])


def _post(url: str, token: str, body: Any) -> str:
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return str(response.read().decode())


def test_three_learners_each_in_their_own_lab(hub: dict[str, Any]) -> None:
    record: state.HubRecord = hub["record"]
    server.api(record, "users", "POST", {"usernames": list(LEARNERS)})
    started = time.monotonic()
    for name in LEARNERS:
        server.api(record, f"users/{name}/server", "POST")  # the hub answers 202 while the lab starts
    ready = _wait_ready(record, LEARNERS, started)
    print("time to a ready lab per learner (s):", {k: round(v, 1) for k, v in ready.items()})
    assert set(ready) == set(LEARNERS), f"not ready within {READY_TIMEOUT:g} s: {set(LEARNERS) - set(ready)}"

    found = server.status()
    assert found["running"] and found["url"] == record.url and found["api_token"] == record.api_token
    users = {u["name"]: u for u in found["users"] if u["name"] in LEARNERS}
    hosts = {users[n]["docker_host"] for n in LEARNERS}
    assert len(hosts) == 3 and all(users[n]["lab"] == f"{PREFIX}-{n}" for n in LEARNERS), users
    engines = {n: docker.DockerClient(base_url=users[n]["docker_host"]) for n in LEARNERS}
    labs = {n: lab.find(docker.from_env(), users[n]["lab"]) for n in LEARNERS}
    memory = {n: c.stats(stream=False)["memory_stats"]["usage"] for n, c in labs.items() if c is not None}
    print("memory per lab (MiB):", {n: m // 2**20 for n, m in memory.items()})

    token = json.loads(_post(f"{record.url}hub/api/users/ann/tokens", record.api_token, {"note": "test"}))["token"]
    code = (
        "import subprocess\n"
        "r = subprocess.run(['docker', 'run', '--name', 'hub-proof', 'busybox:latest', 'echo', 'hello-from-ann'],"
        " capture_output=True, text=True)\n"
        "print(r.stdout, r.stderr)\n"
    )
    out = asyncio.run(_run_cell(record, "ann", token, code))
    assert "hello-from-ann" in out, out
    assert engines["ann"].containers.get("hub-proof").status == "exited"
    for other in ("ben", "cat"):
        names = [c.name for c in engines[other].containers.list(all=True)]
        assert "hub-proof" not in names, f"{other}'s engine sees ann's container"
    # the workspace is the learner's own folder under the hub's state, kept for the next start
    assert (state.workspaces_dir() / "ann" / "00-start-here").is_dir()
    _ann_cannot_reach_ben(record, token, labs["ben"], users["ben"]["docker_host"])
    _hints_yes_solutions_by_the_switch(record, token)


def test_a_learner_s_check_passes_with_the_reference_answer_only(hub: dict[str, Any]) -> None:
    """Through their kernels: ben runs ch01-ex1's reference answer and its check passes; cat runs the
    check without the answer and it fails (each in their own engine)."""
    record: state.HubRecord = hub["record"]
    tokens = {
        n: json.loads(_post(f"{record.url}hub/api/users/{n}/tokens", record.api_token, {"note": "ex"}))["token"]
        for n in ("ben", "cat")
    }
    started = time.monotonic()
    answered = asyncio.run(_do_exercise(record, "ben", tokens["ben"], answered=True))
    print(f"ch01-ex1 and its check through ben's kernel: {time.monotonic() - started:.1f} s")
    assert answered["passed"] and answered["score"] == answered["max_score"] == 3, answered
    blank = asyncio.run(_do_exercise(record, "cat", tokens["cat"], answered=False))
    assert not blank["passed"] and blank["score"] == 0, blank


def _hints_yes_solutions_by_the_switch(record: state.HubRecord, token: str) -> None:
    """From ann's kernel, through her lab's channel: a hint; the solution only once the instructor turns it on."""
    from grader.services.class_switch import set_solutions

    code = (
        "from grader.services.answers import next_hint, show_solution\n"
        "print('hints', next_hint('ch01-ex2').total)\n"
        "try:\n    print('shown', show_solution('ch01-ex2').exercise)\n"
        "except Exception as e:\n    print('refused', e)\n"
    )
    out = asyncio.run(_run_cell(record, "ann", token, code))
    assert "hints 2" in out and "refused Your instructor has not turned solutions on" in out, out
    set_solutions(True)
    out = asyncio.run(_run_cell(record, "ann", token, code))
    assert "shown ch01-ex2" in out, out


def _ann_cannot_reach_ben(record: state.HubRecord, token: str, ben: Any, ben_engine: str) -> None:
    """From ann's kernel: ben's workspace and engine socket are not there; on the user-namespaced
    engine (a network per lab, the labs' firewall) ben's server does not answer either."""
    ben_ip = lab_address(ben)
    shared = LAB_NETWORK in (ben.attrs["NetworkSettings"].get("Networks") or {})
    code = (
        "import os, socket\n"
        "s = socket.socket(); s.settimeout(3)\n"
        f"try:\n    s.connect(({ben_ip!r}, 8888)); print('reached-ben')\n"
        "except OSError:\n    print('no-route-to-ben')\n"
        f"print('ben-ws', os.path.exists({str(state.workspaces_dir() / 'ben')!r}))\n"
        f"print('ben-sock', os.path.exists({ben_engine.removeprefix('unix://')!r}))\n"
    )
    out = asyncio.run(_run_cell(record, "ann", token, code))
    assert "ben-ws False" in out and "ben-sock False" in out, out
    if not shared:
        assert "no-route-to-ben" in out, out


def _assignments(record: state.HubRecord, user: str, token: str, action: str = "") -> Any:
    """What JupyterLab's assignment list asks the learner's server (nbgrader's assignment_list extension)."""
    import urllib.request

    base = f"{record.url}user/{user}/assignments"
    if not action:
        request = urllib.request.Request(f"{base}?course_id={layout.COURSE_ID}")
    else:
        body = json.dumps({"course_id": layout.COURSE_ID, "assignment_id": ASSIGNMENT}).encode()
        request = urllib.request.Request(f"{base}/{action}", data=body, method="POST")
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def test_assignment_list_fetches_and_submits_into_the_learner_s_own_exchange(hub: dict[str, Any]) -> None:
    """ann fetches and submits from the assignment list; her lab sees neither ben's submissions nor
    his feedback, and the released assignments are read-only to her."""
    record: state.HubRecord = hub["record"]
    token = json.loads(_post(f"{record.url}hub/api/users/ann/tokens", record.api_token, {"note": "x"}))["token"]
    listed = _assignments(record, "ann", token)
    assert listed["success"] and [a["status"] for a in listed["value"]] == ["released"], listed
    fetched = _assignments(record, "ann", token, "fetch")
    assert [a["status"] for a in fetched["value"]] == ["fetched"], fetched
    assert (state.workspaces_dir() / "ann" / layout.CLASS_FOLDER / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    submitted = _assignments(record, "ann", token, "submit")
    assert submitted.get("success", True), submitted
    inbound = layout.learner_inbound("ann")
    assert [p.name.split("+")[:2] for p in inbound.iterdir()] == [["ann", ASSIGNMENT]]
    assert layout.learner_inbound("ben").is_dir() and not list(layout.learner_inbound("ben").iterdir())
    code = (
        "import os\n"
        f"print('ben-exchange', os.path.exists({str(layout.learner_root('ben'))!r}))\n"
        f"print('ben-feedback', os.path.exists({str(layout.learner_feedback('ben'))!r}))\n"
        f"print('ann-feedback', os.path.isdir({str(layout.learner_feedback('ann'))!r}))\n"
        f"try:\n    open({str(layout.outbound() / 'planted')!r}, 'w'); print('outbound-writable')\n"
        "except OSError as e:\n    print('outbound-refused', e.errno)\n"
    )
    out = asyncio.run(_run_cell(record, "ann", token, code))
    assert "ben-exchange False" in out and "ben-feedback False" in out and "ann-feedback True" in out, out
    assert "outbound-refused" in out, out


def test_hub_down_leaves_nothing(hub: dict[str, Any]) -> None:
    record: state.HubRecord = hub["record"]
    server.down(purge=True, report=print)
    labs_engine = boundary.running_labs_engine()
    for engine in (docker.from_env(), *([labs_engine] if labs_engine else [])):
        assert not engine.containers.list(all=True, filters={"label": f"{HUB_LABEL}={PREFIX}"})
        assert not [v.name for v in engine.volumes.list() if (v.name or "").startswith(f"{PREFIX}-")]
        assert not [n.name for n in engine.networks.list() if (n.name or "").startswith(PREFIX)]
    assert server.running() is None and not _alive(record.pid)
    assert (state.workspaces_dir() / "ann").is_dir(), "hub down must keep the learners' workspaces"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
