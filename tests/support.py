"""Helpers for tests: the test lab, builds from Dockerfile text, commands inside the lab,
notebooks executed inside the lab (where `localhost` and `docker` mean the lab's)."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import nbformat

from grader import curriculum
from grader.chapters.runner import run_exercise
from grader.checks.result import CheckResult
from grader.engine import catalogue, image_cache, lab, provisioning
from grader.engine.install import ensure_host_engine
from grader.engine.provided import PROVIDED, chapter_key
from grader.engine.reset import reset
from grader.engine.settings import Settings, repo_root

REPO = repo_root()
ARTIFACTS = REPO / "build" / "test-artifacts"
# ch05-ex1 done as its reference does (note-1 writes and is removed, note-2 cannot read the note), as the
# timeline lists it: (container, action, exit code); the unit and the lab tests of the timeline expect it
NOTES_TIMELINE = [
    ("note-1", "create", None),
    ("note-1", "start", None),
    ("note-1", "die", 0),
    ("note-1", "destroy", None),
    ("note-2", "create", None),
    ("note-2", "start", None),
    ("note-2", "die", 1),
]


def host_inventory() -> dict[str, set[str]]:
    """Names of containers, networks and volumes on the host engine and on the course's labs engine.

    Labs (and their networks and data volumes) live on the labs engine where the machine offers
    it: a leftover there is a leftover on the host all the same.
    """
    from grader.engine.boundary import running_labs_engine

    found: dict[str, set[str]] = {"containers": set(), "networks": set(), "volumes": set()}
    for engine in (ensure_host_engine(), running_labs_engine()):
        if engine is None:
            continue
        # the raw list: containers.list() inspects each one, and other labs' probes vanish meanwhile (404)
        found["containers"] |= {(c.get("Names") or [c["Id"]])[0].lstrip("/") for c in engine.api.containers(all=True)}
        found["networks"] |= {n.name or n.id for n in engine.networks.list()}
        found["volumes"] |= {v.name or "" for v in engine.volumes.list()}
    return found


@dataclass
class Ran:
    """What a command inside the lab printed."""

    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass
class EngineSession:
    """The test lab: its container on the host engine and a client on its own engine."""

    name: str
    host: docker.DockerClient
    client: docker.DockerClient
    container: Any

    @classmethod
    def start(cls, name: str) -> EngineSession:
        host = ensure_host_engine()
        provisioning.provision(host)
        settings = Settings.load()
        lab.up(host, lab.LabSpec.learner(settings, name=name, jupyter=False))
        return cls(name, host, lab.lab_engine(settings, name), lab.find(host, name))

    def stop(self) -> None:
        lab.down(self.host, self.name, keep_data=False)

    def reset(self) -> None:
        reset(self.client, whole_engine=True)
        image_cache.load_into(self.client)

    def remove_provided_images(self) -> None:
        """Remove the course-provided images (course/web:1.0, ...); `prepare` rebuilds them."""
        for tag in PROVIDED:
            with contextlib.suppress(docker.errors.ImageNotFound):
                self.client.images.remove(tag, force=True)

    def keep_only_chapter_images(self, chapter: str) -> set[str]:
        """Remove every image that ``docker-course prepare CHAPTER`` does not provide (other chapters'
        base and course-provided images, untagged leftovers): the notebook then finds only its own.

        The next reset loads the base images again. Returns the tags kept.
        """
        plan = curriculum.chapter(chapter_key(chapter))
        kept = {i.tag for i in catalogue.resolve(list(plan.base_images))} | set(plan.provided_images)
        for image in self.client.images.list(all=True):
            if not kept & set(image.tags):
                with contextlib.suppress(docker.errors.ImageNotFound, docker.errors.APIError):
                    self.client.images.remove(image.id, force=True)
        return {t for image in self.client.images.list() for t in image.tags}

    def assert_clean(self) -> None:
        """Nothing but base (and course-provided) images is left in the lab's engine."""
        left = {
            "containers": [c.name for c in self.client.containers.list(all=True)],
            "volumes": [v.name for v in self.client.volumes.list()],
            "networks": [n.name for n in self.client.networks.list() if n.name not in ("bridge", "host", "none")],
        }
        assert not any(left.values()), f"left in the lab's engine: {left}"

    def sh(self, command: str, workdir: str | None = None, timeout: int = 300) -> Ran:
        """Run a shell command inside the lab (its `docker` talks to the lab's engine)."""
        code, output = self.container.exec_run(
            ["timeout", str(timeout), "sh", "-c", command], workdir=workdir, environment={"HOME": "/root"}
        )
        return Ran(int(code), output.decode(errors="replace"))

    def build(
        self,
        dockerfile: str,
        tag: str,
        files: dict[str, str | bytes] | None = None,
        buildargs: dict[str, str] | None = None,
        target: str | None = None,
        builder: str | None = None,
    ) -> None:
        """Build ``dockerfile`` (text) with extra context ``files`` into ``tag`` on the lab engine
        (``target``: stop at that stage, like ``docker build --target``).

        ``builder``: ``sdk`` (docker-py, always the classic builder, as the course's own builds),
        ``buildkit`` (the lab's ``docker build``, as a learner's) or ``classic`` (the lab's
        ``docker build`` with ``DOCKER_BUILDKIT=0``); default ``DOCKER_COURSE_TEST_BUILDER`` or ``sdk``.
        """
        builder = builder or os.environ.get("DOCKER_COURSE_TEST_BUILDER", "sdk")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # under the checkout, which the test lab mounts at the same path: its `docker build` sees it
        with tempfile.TemporaryDirectory(dir=ARTIFACTS, prefix="context-") as tmp:
            ctx = Path(tmp)
            (ctx / "Dockerfile").write_text(dockerfile)
            for rel, content in (files or {}).items():
                path = ctx / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content)
            if builder == "sdk":
                self.client.images.build(
                    path=str(ctx), tag=tag, rm=True, forcerm=True, buildargs=buildargs, target=target
                )
                return
            assert builder in ("buildkit", "classic"), f"unknown builder {builder!r}"
            args = ["docker", "build", "-q", "-t", tag]
            for key, value in (buildargs or {}).items():
                args += ["--build-arg", f"{key}={value}"]
            args += ["--target", target] if target else []
            env = "DOCKER_BUILDKIT=1" if builder == "buildkit" else "DOCKER_BUILDKIT=0"
            ran = self.sh(f"{env} {shlex.join([*args, str(ctx)])} 2>&1")
            assert ran.ok, f"docker build ({builder}) of {tag} failed: {ran.output[-2000:]}"

    def check(self, exercise_id: str, **answers: Any) -> CheckResult:
        """Run an exercise's checks against the test lab."""
        return run_exercise(exercise_id, answers, client=self.client)

    def execute_notebook(
        self, notebook: Path, timeout: int = 900, cell_timeout: int = 600, output: Path | None = None
    ) -> nbformat.NotebookNode:
        """Execute a notebook top to bottom inside the lab (cwd: its folder); return the result.

        Errors in cells do not stop the run (``--allow-errors``): callers inspect outputs.
        The executed copy is kept at ``output`` (default: a new file in build/test-artifacts/),
        which must be under a folder the lab mounts.
        """
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = output or ARTIFACTS / f"{notebook.stem}-{uuid.uuid4().hex[:6]}.ipynb"
        command = " ".join(
            shlex.quote(a)
            for a in [
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--allow-errors",
                f"--ExecutePreprocessor.timeout={cell_timeout}",
                "--output",
                str(out),
                str(notebook),
            ]
        )
        ran = self.sh(command, workdir=str(notebook.parent), timeout=timeout)
        assert ran.ok, f"nbconvert failed for {notebook}: {ran.output[-2000:]}"
        return nbformat.read(str(out), as_version=4)


def errors_in(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs of an executed notebook, as 'cell N: ename: evalue'."""
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {i}: {output.get('ename')}: {output.get('evalue')}")
    return found


def stream_text(nb: nbformat.NotebookNode, cell_id: str) -> str:
    """The printed text (stdout and stderr streams) of one cell of an executed notebook, by cell id."""
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def html_outputs(nb: nbformat.NotebookNode) -> str:
    """Every text/html output of an executed notebook, joined (pictures, check results)."""
    return "".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )


def engine_inventory(client: docker.DockerClient) -> dict[str, set[str]]:
    """Names of containers, volumes and non-default networks, and image tags, on ``client``'s engine."""
    return {
        # summaries, not inspects: a container that vanishes meanwhile cannot fail the listing
        "containers": {n.lstrip("/") for c in client.api.containers(all=True) for n in c.get("Names") or []},
        "volumes": {v.name for v in client.volumes.list() if v.name},
        "networks": {n.name for n in client.networks.list() if n.name not in ("bridge", "host", "none")},
        "tags": {t for image in client.images.list() for t in image.tags},
    }


def dump(result: CheckResult) -> str:
    return json.dumps(result.to_json(), indent=1)


def release(assignment: str) -> Path:
    """Generate the student version of ``course/<assignment>`` with the real nbgrader CLI.

    Returns the released assignment folder (under ``build/``, which the test lab mounts).
    """
    import subprocess
    import sys

    root = ARTIFACTS / f"nbgrader-{uuid.uuid4().hex[:6]}"
    root.mkdir(parents=True)
    # nbgrader runs `alembic` from PATH when it creates a gradebook: the venv's bin first
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    env = dict(os.environ, DOCKER_COURSE_NBGRADER_ROOT=str(root), PATH=path)
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"nbgrader generate_assignment {assignment} failed:\n{done.stdout}\n{done.stderr}"
    return root / "release" / assignment


def scores(nb: nbformat.NotebookNode) -> dict[str, tuple[float, float]]:
    """grade_id -> (score, max) of each graded cell, by nbgrader's own rule (determine_grade)."""
    from nbgrader import utils

    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            score, max_score = utils.determine_grade(cell)
            out[meta["grade_id"]] = (float(score or 0), float(max_score or 0))
    return out


def engine_now(client: docker.DockerClient) -> str:
    """The engine's own clock, as the events API's ``seconds.nanoseconds``: a mark to read events from.

    Every event the engine reported before this call has a ``timeNano`` at or below the mark, so
    ``containers_created(client, since=mark, until=engine_now(client))`` needs no sleep to step
    past the one-second resolution of whole-second marks.
    """
    stamp = str(client.info()["SystemTime"])  # RFC 3339 with nanoseconds, e.g. 2026-12-01T08:45:01.123456789Z
    return events_time(stamp)


def events_time(stamp: str) -> str:
    """RFC 3339 (nanoseconds, ``Z`` or an offset) -> the events API's ``seconds.nanoseconds``."""
    import datetime
    import re

    found = re.fullmatch(r"(.+?T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", stamp)
    if not found:
        raise ValueError(f"not an RFC 3339 time: {stamp!r}")
    whole, fraction, zone = found.groups()
    moment = datetime.datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    return f"{int(moment.timestamp())}.{(fraction or '0').ljust(9, '0')}"


def containers_created(client: docker.DockerClient, since: str, until: str) -> list[str]:
    """Names of containers the engine created after the mark ``since`` and up to ``until`` (engine_now)."""
    seconds, _, nanos = since.partition(".")
    floor = int(seconds) * 10**9 + int(nanos.ljust(9, "0")[:9])
    events = client.events(since=since, until=until, filters={"type": "container", "event": "create"}, decode=True)
    return [
        e.get("Actor", {}).get("Attributes", {}).get("name", "?") for e in events if int(e.get("timeNano", 0)) > floor
    ]
