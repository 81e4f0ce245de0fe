"""Run an exercise's reference and mutants in a lab, and judge each by its check's verdict.

For every mutant: the engine reset, the chapter's course-provided images present (an
image the answer builds itself removed first), the answer's files written in a fresh
copy of the chapter folder, its commands run there inside the lab as a learner would,
its answer variables computed, then ``run_exercise``. A must-fail mutant counts only
if its setup succeeded and the engine state (or the answers) differ from the
reference's; it is *killed* when the check withholds a point, *survives* otherwise.
A must-pass rewrite is *kept* when it gets full marks, *rejected* otherwise.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

from grader.engine.provided import prepare
from tests.mutation import commands as cmd
from tests.mutation.accepted import ACCEPTED
from tests.mutation.answers import Answer, Spec, Value
from tests.mutation.operators import OPERATORS, wrong_values
from tests.support import ARTIFACTS, REPO, EngineSession


@dataclass
class Outcome:
    """One mutant's fate."""

    name: str
    operator: str
    expect: str  # fail | pass
    status: str  # killed | survived | kept | rejected | setup-failed | same-state
    score: float = 0.0
    max_score: float = 0.0
    reason: str = ""  # why a survivor or a rejection is accepted
    failed_parts: list[str] = field(default_factory=list)
    setup: str = ""

    @property
    def counted(self) -> bool:
        return self.status in ("killed", "survived", "kept", "rejected")


@dataclass
class ExerciseRun:
    """An exercise's reference verdict and its mutants' outcomes."""

    exercise: str
    reference_score: float = 0.0
    max_score: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    not_applying: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def score(self) -> float | None:
        """Killed / (killed + survived): the mutation score of the must-fail mutants."""
        counted = self.count("killed") + self.count("survived")
        return round(self.count("killed") / counted, 3) if counted else None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExerciseRun:
        """An exercise's run back from the score file."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "outcomes"}
        run = cls(**fields)
        known = Outcome.__dataclass_fields__
        run.outcomes = [Outcome(**{k: v for k, v in o.items() if k in known}) for o in data.get("outcomes", [])]
        return run

    def unexplained(self) -> list[Outcome]:
        """Survivors and rejections with no accepted reason: what a test fails on."""
        return [o for o in self.outcomes if o.status in ("survived", "rejected") and not o.reason]


def mutants(spec: Spec) -> tuple[list[tuple[str, str, str, Answer]], list[str]]:
    """(name, operator, expect, answer) of every operator's mutants, and the operators that do not apply."""
    out: list[tuple[str, str, str, Answer]] = []
    not_applying = []
    for op in OPERATORS:
        made = op.apply(spec.reference)
        if not made:
            not_applying.append(op.name)
        for detail, answer in made:
            expect = next(
                (spec.expect[k] for k in (f"{op.name}:{detail}", detail, op.name) if k in spec.expect), op.expect
            )
            out.append((f"{op.name}: {detail}", op.name, expect, answer))
    out += [(name, name.split(":")[0], expect, answer) for name, expect, answer in spec.extra]
    return out, not_applying


@dataclass
class Setup:
    ok: bool
    log: str
    answers: dict[str, Any]


def apply(engine: EngineSession, spec: Spec, answer: Answer, work: Path) -> Setup:
    """Reset the engine and run ``answer`` in ``work``, a fresh copy of the chapter folder, inside the lab.

    ``work`` outlives the check: a bind mount of it must still show its files.
    """
    engine.reset()
    built = {v for c in spec.reference.commands if (p := cmd.parse(c)) for v in p.values("-t", "--tag")}
    for tag in built:  # a course-provided image of the same tag would answer for the learner's
        with contextlib.suppress(docker.errors.ImageNotFound):
            engine.client.images.remove(tag, force=True)
    shutil.copytree(REPO / "course" / spec.folder, work, ignore=shutil.ignore_patterns("*.ipynb"))
    for rel, text in {**spec.before_files, **answer.files}.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    log = []
    for command in (*spec.before, *answer.commands):
        ran = engine.sh(command, workdir=str(work), timeout=300)
        log.append(f"$ {command}\n{ran.output[-400:]}")
        allowed = any(t in command for t in answer.may_fail)
        if not ran.ok and not allowed:
            return Setup(False, "\n".join(log), {})
    values = {}
    for name, value in answer.answers.items():
        values[name] = value.typed if not value.command else value.parse(engine.sh(value.command, str(work)).output)
    return Setup(True, "\n".join(log), values)


@contextlib.contextmanager
def chapter_copy(spec: Spec) -> Iterator[Path]:
    """A folder under the checkout (the lab mounts it at the same path) for one answer's copy of the chapter."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ARTIFACTS, prefix="mutant-") as tmp:
        yield Path(tmp) / spec.folder


def fingerprint(client: docker.DockerClient, answers: dict[str, Any]) -> dict[str, Any]:
    """The engine state a learner's answer leaves (images, containers, networks, volumes) and the answers."""
    api = client.api
    images = {}
    for image in api.images():
        for tag in image.get("RepoTags") or []:
            if tag.startswith("course/"):
                attrs = api.inspect_image(image["Id"])
                config = {k: attrs["Config"].get(k) for k in _IMAGE_KEYS}
                history = [h.get("CreatedBy") for h in api.history(image["Id"])]
                images[tag] = (config, history)
    containers = {}
    for c in api.containers(all=True):
        attrs = api.inspect_container(c["Id"])
        host = {k: attrs["HostConfig"].get(k) for k in _HOST_KEYS}
        mounts = sorted(
            (m["Type"], m.get("Name", "") if len(m.get("Name", "")) != 64 else "<anon>", m["Destination"], m["RW"])
            for m in attrs.get("Mounts", [])
        )
        config = {k: attrs["Config"].get(k) for k in ("Image", "Cmd", "Entrypoint", "Hostname", "Env")}
        containers[attrs["Name"]] = (config, host, mounts, attrs["State"]["Status"], attrs["State"]["ExitCode"])
    networks = {n["Name"]: (n["Driver"], n["IPAM"]["Config"]) for n in api.networks()}
    volumes = sorted(v["Name"] if len(v["Name"]) != 64 else "<anon>" for v in api.volumes().get("Volumes") or [])
    return {"images": images, "containers": containers, "networks": networks, "volumes": volumes, "answers": answers}


_IMAGE_KEYS = ("Labels", "Env", "Entrypoint", "Cmd", "User", "WorkingDir", "Volumes", "ExposedPorts", "OnBuild")
_HOST_KEYS = ("PortBindings", "PublishAllPorts", "NetworkMode", "PidMode", "IpcMode", "CapAdd", "Binds", "Mounts")


def judge(
    engine: EngineSession, spec: Spec, name: str, operator: str, expect: str, answer: Answer, ref: Any
) -> Outcome:
    """Run one mutant and say what became of it."""
    outcome = Outcome(name, operator, expect, "setup-failed")
    with chapter_copy(spec) as work:
        setup = apply(engine, spec, answer, work)
        outcome.setup = setup.log[-600:]
        if not setup.ok:
            return outcome
        if expect == "fail" and fingerprint(engine.client, setup.answers) == ref:
            outcome.status = "same-state"
            return outcome
        result = engine.check(spec.exercise, **setup.answers)
    outcome.score, outcome.max_score = result.score, result.max_score
    outcome.failed_parts = [f"{p.name}: found {p.found[:160]}" for p in result.parts if not p.passed]
    full = result.max_score > 0 and result.score >= result.max_score
    if expect == "fail":
        outcome.status = "survived" if full else "killed"
    else:
        outcome.status = "kept" if full else "rejected"
    explain(spec.exercise, outcome)
    return outcome


def explain(exercise: str, outcome: Outcome) -> None:
    """Give a survivor or a rejected rewrite its accepted reason (tests/mutation/accepted.py), if any."""
    if outcome.status in ("survived", "rejected"):
        accepted = (r for (ex, prefix), r in ACCEPTED.items() if ex == exercise and outcome.name.startswith(prefix))
        outcome.reason = next(accepted, "")


def run_spec(engine: EngineSession, spec: Spec, report: Any = print) -> ExerciseRun:
    """The reference, then every mutant of one exercise."""
    start = time.monotonic()
    run = ExerciseRun(spec.exercise)
    prepare(engine.client, spec.exercise[2:4])
    with chapter_copy(spec) as work:
        setup = apply(engine, spec, spec.reference, work)
        result = engine.check(spec.exercise, **setup.answers) if setup.ok else None
    if result is None or result.score < result.max_score:
        run.error = f"the reference does not get full marks: {result.to_text() if result else setup.log}"
        report(f"{spec.exercise}: {run.error}")
        return run
    run.reference_score, run.max_score = result.score, result.max_score
    ref = fingerprint(engine.client, setup.answers)
    made, run.not_applying = mutants(spec)
    for name, value in setup.answers.items():
        for detail, typed in wrong_values(name, value):
            made.append(
                (
                    f"wrong-value: {detail}",
                    "wrong-value",
                    "fail",
                    spec.reference.with_answer(name, Value("str" if isinstance(typed, str) else "typed", typed=typed)),
                )
            )
    for name, operator, expect, answer in made:
        outcome = judge(engine, spec, name, operator, expect, answer, ref)
        run.outcomes.append(outcome)
        report(f"  {spec.exercise} {outcome.status:12} {name}" + (f" ({outcome.reason})" if outcome.reason else ""))
    run.seconds = round(time.monotonic() - start, 1)
    return run
