"""The learner's lab serves the workspace: nothing of the checkout mounted, JupyterLab's root is the workspace,
a second lab on it refuses, and a chapter answered with the shown solutions scores full marks in it.

One learner lab for the module, started the way ``docker-course up`` starts it (services.lab_control.start),
with its own name, port and workspace (outside the checkout), removed at the end.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.chapters import registry
from grader.engine import lab
from grader.engine.install import ensure_host_engine
from grader.engine.settings import Settings, repo_root, state_dir
from grader.services.lab_control import EngineOptions, start, stop
from grader.workspace.cells import grade_id
from grader.workspace.lock import WorkspaceBusy
from grader.workspace.solutions import solution
from tests.support import errors_in, scores

pytestmark = pytest.mark.engine

LAB = f"{os.environ.get('DOCKER_COURSE_TEST_LAB', 'docker-course-test')}-ws"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Any]]:
    workspace = Path(tempfile.mkdtemp(prefix="docker-course-ws-test-"))
    with pytest.MonkeyPatch.context() as mp:
        # environment only: options would be saved in the state folder's config.json
        mp.setenv("DOCKER_COURSE_WORKSPACE", str(workspace))
        mp.setenv("DOCKER_COURSE_LAB", LAB)
        mp.setenv("DOCKER_COURSE_PORT", str(_free_port()))
        mp.delenv("DOCKER_COURSE_MODE", raising=False)
        try:
            started = start(EngineOptions(), jupyter=True, report=print)
            yield {"started": started, "workspace": workspace, "mp": mp}
        finally:
            stop(EngineOptions(), purge=True)
            shutil.rmtree(Settings.load().lab_run_dir(LAB).parent, ignore_errors=True)
            shutil.rmtree(workspace, ignore_errors=True)


def test_the_lab_mounts_the_workspace_and_nothing_of_the_checkout(served: dict[str, Any]) -> None:
    container = lab.find(ensure_host_engine(), LAB)
    assert container is not None
    sources = {m["Source"]: m for m in container.attrs["Mounts"] if m.get("Type") == "bind"}
    checkout = repo_root().resolve()
    inside = [s for s in sources if Path(s) == checkout or checkout in Path(s).parents]
    assert inside == [], f"the lab mounts part of the checkout: {inside}"
    workspace = served["workspace"].resolve()
    # by where the lab sees them: a user-namespaced lab gets its read-write folders through an
    # id-mapped view of the host folder (another source path, the same destination)
    seen = {m["Destination"]: m for m in container.attrs["Mounts"] if m.get("Type") == "bind"}
    assert seen[str(workspace)]["RW"] is True
    env = dict(e.split("=", 1) for e in container.attrs["Config"]["Env"] if "=" in e)
    kit = seen[env["DOCKER_COURSE_ROOT"]]
    assert kit["RW"] is False and Path(kit["Source"]).parent == state_dir() / "kits", "a read-only kit"
    assert env["PYTHONPATH"] == kit["Source"] and (Path(kit["Source"]) / "grader").is_dir()
    assert not list(Path(kit["Source"]).rglob("*.ipynb")), "no notebook (no answer key) in the kit"
    assert served["started"].workspace == str(workspace)
    assert (workspace / "00-start-here" / "00-start-here.ipynb").is_file()


def test_jupyterlab_serves_the_workspace(served: dict[str, Any]) -> None:
    url = served["started"].jupyter_url
    base, token = url.split("/lab?token=")
    with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10) as answer:  # noqa: S310
        names = {item["name"] for item in json.load(answer)["content"]}
    assert {"00-start-here", "01-dockerfile", "06-multistage"} <= names
    assert "grader" not in names and ".docker-course" not in names


def test_a_second_lab_on_the_same_workspace_refuses_and_names_the_first(served: dict[str, Any]) -> None:
    served["mp"].setenv("DOCKER_COURSE_LAB", f"{LAB}-second")
    try:
        with pytest.raises(WorkspaceBusy, match=f"already served by lab {LAB}"):
            start(EngineOptions(), jupyter=False)
        assert lab.find(ensure_host_engine(), f"{LAB}-second") is None
    finally:
        served["mp"].setenv("DOCKER_COURSE_LAB", LAB)
        shutil.rmtree(Settings.load().lab_run_dir(f"{LAB}-second").parent, ignore_errors=True)


def test_chapter_01_with_the_shown_solutions_scores_full_marks_in_the_learners_lab(served: dict[str, Any]) -> None:
    """The student version, answered with what `docker-course solution` shows, run by the lab's own kernel."""
    folder = served["workspace"] / "01-dockerfile"
    notebook = folder / "01-dockerfile.ipynb"
    exercises = {e.id: e.max_score for e in registry().values() if e.chapter == "01"}
    answers = {c.grade_id: c.shown for ex in exercises for c in solution(ex).cells}
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell) or ""]
    notebook.write_text(json.dumps(nb, indent=1))
    container = lab.find(ensure_host_engine(), LAB)
    assert container is not None
    out = folder / "executed.ipynb"
    command = shlex.join(
        ["jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
         "--ExecutePreprocessor.timeout=600", "--output", str(out), str(notebook)]
    )  # fmt: skip
    code, output = container.exec_run(["timeout", "1200", "sh", "-c", command], workdir=str(folder))
    assert code == 0, output.decode(errors="replace")[-2000:]
    ran = nbformat.read(str(out), as_version=4)
    assert not errors_in(ran), errors_in(ran)
    assert scores(ran) == {f"{ex}-check": (points, points) for ex, points in exercises.items()}


def test_the_lab_asks_the_host_for_hints_and_solutions_through_its_channel(served: dict[str, Any]) -> None:
    """The kernel's Hint / Show solution go through the run folder's socket; the host records the views."""
    from grader.services import channel_process, progress

    container = lab.find(ensure_host_engine(), LAB)
    assert container is not None and channel_process.running(LAB) is not None
    script = (
        "import json\n"
        "from grader.services import channel\n"
        "from grader.services.answers import next_hint, show_solution\n"
        "out = {'hint': next_hint('ch01-ex2').to_json(), 'solution': show_solution('ch01-ex2').to_json()}\n"
        "try:\n"
        "    channel.request('update', exercise='ch01-ex2')\n"
        "except Exception as e:\n"
        "    out['refused'] = str(e)\n"
        "print(json.dumps(out))\n"
    )
    code, output = container.exec_run(["python3", "-c", script])
    assert code == 0, output.decode(errors="replace")[-2000:]
    seen = json.loads(output.decode().strip().splitlines()[-1])
    assert seen["hint"]["shown"] and seen["solution"]["cells"] and "answers only" in seen["refused"]
    views = progress.views(Settings.load().lab_run_dir(LAB) / "progress.json")
    assert views["ch01-ex2"]["hints"] >= 1 and views["ch01-ex2"]["solution"] is True


def test_coming_back_after_a_stop_starts_the_containers_that_were_running(served: dict[str, Any]) -> None:
    """``./course.sh stop`` then ``start``: what ran runs again, what did not stays as it was; the channel too."""
    from grader.services import channel_process

    client = lab.lab_engine(Settings.load())
    client.containers.run("busybox", ["sleep", "3600"], name="back-running", detach=True)
    client.containers.create("busybox", ["true"], name="back-created")
    stop(EngineOptions())
    assert lab.find(ensure_host_engine(), LAB) is None and channel_process.running(LAB) is None
    said: list[str] = []
    served["started"] = start(EngineOptions(), jupyter=True, report=said.append)
    client = lab.lab_engine(Settings.load())
    try:
        assert client.containers.get("back-running").status == "running"
        assert client.containers.get("back-created").status == "created"
        assert "started again, as they ran before the stop: back-running" in said, said
        assert channel_process.running(LAB) is not None
    finally:
        for name in ("back-running", "back-created"):
            client.containers.get(name).remove(force=True)
