"""Grading on Kubernetes: one Job per collected submission, staged and rendered here.

``docker-course kubernetes grading-jobs A OUTDIR`` runs in the instructor's pod. Per
submission it stages on the grading volume (``docker-course-grading``, mounted at the
grading folder) what a grading lab gets on one server: ``RUN/NNN/input/`` (the submission,
the assignment's non-notebook files, a gradebook that knows this student only) and one
read-only kit per run (``RUN/kit``); then it writes ``OUTDIR/NNN-STUDENT-ASSIGNMENT.yaml``,
a Job whose pod is a fresh lab (the lab image under the labs' RuntimeClass) running
``docker-course kubernetes grade-submission`` (:mod:`grading_job_entry`), and
``OUTDIR/run.json``, the run's list of Jobs that ``kubernetes merge`` reads
(:mod:`grading_jobs_merge`). Nothing here talks to a cluster: ``kubectl apply -f OUTDIR``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.engine.progress import Reporter, silent
from grader.errors import GraderError
from grader.nbgrader_glue import gradebook_merge as merge
from grader.nbgrader_glue.course_root import CourseRoot
from grader.nbgrader_glue.fresh_lab import KILL_GRACE, LAB_PREFIX, LAB_PYTHON
from grader.nbgrader_glue.workspace import make_kit, stage

NAMESPACE = "docker-course"
LAB_IMAGE = "registry.example.org/docker-course/lab:latest"  # the course's lab image (not built or pushed here)
RUNTIME_CLASS = "docker-course-lab"  # 00-namespace.yaml: the labs' boundary (Sysbox)
GRADING_CLAIM = "docker-course-grading"  # 30-grading.yaml: the grading volume (ReadWriteMany)
GRADING_DIR_ENV = "DOCKER_COURSE_GRADING_DIR"  # where the instructor's pod mounts that volume
DEFAULT_GRADING_DIR = "/grading"
IMAGES = "images"  # on the grading volume: the course's base-image tarballs (`docker-course images`)
RUN_FILE = "run.json"
START_MARGIN = 600  # seconds for the pod to be scheduled, its engine to start and its base images to load
PART_OF = "app.kubernetes.io/part-of"
LABEL = "org.docker-course"
# the lab's limits on one server (Settings: 6 GiB, 2 cpus); requests what a grading run needs to make progress
RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "6Gi"}}
ENGINE_DATA = "20Gi"  # the lab engine's data, capped as a grading lab's on one server (fresh_lab.GRADING_DISK)
POD_SCRIPT = """\
/usr/local/bin/lab-init &
init=$!
until [ -e /run/course-engine/ready ]; do kill -0 "$init" 2>/dev/null || exit 1; sleep 1; done
cd /kit && exec {python} -m grader.cli kubernetes grade-submission --input /input --result /result \\
  --kit /kit --student "$STUDENT" --assignment "$ASSIGNMENT" --timeout "$NOTEBOOK_TIMEOUT"
"""


@dataclass(frozen=True)
class JobEntry:
    """One submission's Job: its name, who and what it grades, its folder on the grading volume."""

    job: str
    student: str
    assignment: str
    folder: str  # RUN/NNN, relative to the grading volume
    manifest: str  # the file in OUTDIR

    def input(self, grading: Path) -> Path:
        """What the renderer staged (read-only in the pod)."""
        return grading / self.folder / "input"

    def result(self, grading: Path) -> Path:
        """The Job's workspace and result (read-write in the pod, read by the merge)."""
        return grading / self.folder / "result"


@dataclass(frozen=True)
class JobsRun:
    """A rendered grading run: its id, the grading folder it was staged in, its Jobs."""

    run_id: str
    grading_dir: Path
    namespace: str
    timeout: float
    jobs: list[JobEntry]

    def write(self, outdir: Path) -> Path:
        data = {**asdict(self), "grading_dir": str(self.grading_dir)}
        path = outdir / RUN_FILE
        path.write_text(json.dumps(data, indent=2) + "\n")
        return path

    @classmethod
    def read(cls, outdir: Path) -> JobsRun:
        """The run rendered into ``outdir``.

        Raises:
            GraderError: ``outdir`` holds no run of ``kubernetes grading-jobs``.
        """
        try:
            data = json.loads((outdir / RUN_FILE).read_text())
            jobs = [JobEntry(**entry) for entry in data["jobs"]]
            return cls(data["run_id"], Path(data["grading_dir"]), data["namespace"], float(data["timeout"]), jobs)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise GraderError(
                f"{outdir} holds no grading run ({RUN_FILE}: {e}): render one with "
                "`docker-course kubernetes grading-jobs ASSIGNMENT OUTDIR`."
            ) from e


def label_value(text: str) -> str:
    """``text`` as a Kubernetes label value (63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:63].strip("_.-") or "x"


def grading_dir_default() -> Path:
    """The grading volume's folder: ``DOCKER_COURSE_GRADING_DIR``, else ``/grading`` (the instructor's pod)."""
    return Path(os.environ.get(GRADING_DIR_ENV) or DEFAULT_GRADING_DIR)


def render_jobs(
    assignment: str,
    outdir: Path,
    student: str | None = None,
    course: CourseRoot | None = None,
    grading_dir: Path | None = None,
    timeout: float = 1800,
    image: str = LAB_IMAGE,
    namespace: str = NAMESPACE,
    report: Reporter = silent,
) -> JobsRun:
    """Stage every submission of ``assignment`` (or ``all``) on the grading volume and write its Job.

    Raises:
        GraderError: nothing to grade, the gradebook lacks the assignment, or ``outdir`` holds a run.
    """
    course = course or CourseRoot.from_env()
    grading = (grading_dir or grading_dir_default()).resolve()
    pairs = course.submissions(assignment, student)
    if not pairs:
        raise GraderError(f"No submissions for {assignment!r} under {course.root / 'submitted'}: collect them first.")
    if (outdir / RUN_FILE).exists():
        raise GraderError(f"{outdir} already holds a grading run: merge it, or render into a new folder.")
    for name in sorted({a for _, a in pairs}):
        merge.require_assignment(course.db_url, name)
    run_id = secrets.token_hex(3)
    outdir.mkdir(parents=True, exist_ok=True)
    make_kit(grading / run_id / "kit", course.source)
    jobs = []
    for index, (who, what) in enumerate(pairs):
        folder = f"{run_id}/{index:03d}"
        entry = JobEntry(f"{LAB_PREFIX}{run_id}-{index:03d}", who, what, folder, "")
        stage(course, entry.input(grading), who, what, pristine=False)
        entry.result(grading).mkdir(parents=True, exist_ok=True)
        manifest = f"{index:03d}-{label_value(who)}-{label_value(what)}.yaml"[:200]
        entry = JobEntry(entry.job, who, what, folder, manifest)
        text = manifest_yaml(job_manifest(entry, run_id, namespace, image, timeout))
        (outdir / manifest).write_text(f"# {who} {what}: grading run {run_id}\n{text}")
        jobs.append(entry)
        report(f"[{index + 1}/{len(pairs)}] {who} {what}: {entry.job}")
    run = JobsRun(run_id, grading, namespace, timeout, jobs)
    run.write(outdir)
    return run


class _Dumper(yaml.SafeDumper):
    """YAML as a person writes it: no anchors, the pod's script as a literal block."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _text)


def manifest_yaml(document: dict[str, Any]) -> str:
    """``document`` as YAML (key order kept)."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False)


def job_manifest(entry: JobEntry, run_id: str, namespace: str, image: str, timeout: float) -> dict[str, Any]:
    """The Job that grades ``entry`` in a fresh lab pod (nothing privileged; the runtime is the boundary)."""
    labels = {
        PART_OF: "docker-course",
        "app.kubernetes.io/component": "grading",
        f"{LABEL}/grading-run": label_value(run_id),
        f"{LABEL}/student": label_value(entry.student),
        f"{LABEL}/assignment": label_value(entry.assignment),
    }
    env = {
        "STUDENT": entry.student,
        "ASSIGNMENT": entry.assignment,
        "NOTEBOOK_TIMEOUT": str(int(timeout)),
        "COURSE_JUPYTER": "0",
        "DOCKER_COURSE_IN_LAB": "1",
        "PYTHONPATH": "/kit",
        "DOCKER_COURSE_CACHE": "/cache",
        **({"DOCKER_COURSE_CELL_TIMEOUT": v} if (v := os.environ.get("DOCKER_COURSE_CELL_TIMEOUT")) else {}),
    }
    mounts = [
        {"name": "grading", "mountPath": "/kit", "subPath": f"{run_id}/kit", "readOnly": True},
        {"name": "grading", "mountPath": "/input", "subPath": f"{entry.folder}/input", "readOnly": True},
        {"name": "grading", "mountPath": "/result", "subPath": f"{entry.folder}/result"},
        {"name": "grading", "mountPath": "/cache/images", "subPath": IMAGES, "readOnly": True},
        {"name": "engine", "mountPath": "/var/lib/docker"},
    ]
    container = {
        "name": "lab",
        "image": image,
        "command": ["/bin/sh", "-c"],
        "args": [POD_SCRIPT.format(python=LAB_PYTHON)],
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "resources": RESOURCES,
        "volumeMounts": mounts,
    }
    pod = {
        "runtimeClassName": RUNTIME_CLASS,
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "containers": [container],
        "volumes": [
            {"name": "grading", "persistentVolumeClaim": {"claimName": GRADING_CLAIM}},
            {"name": "engine", "emptyDir": {"sizeLimit": ENGINE_DATA}},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": entry.job,
            "namespace": namespace,
            "labels": labels,
            "annotations": {f"{LABEL}/student": entry.student, f"{LABEL}/assignment": entry.assignment},
        },
        "spec": {
            "backoffLimit": 1,  # one more pod (a fresh lab) after an infrastructure error, as on one server
            "activeDeadlineSeconds": int(timeout) + KILL_GRACE + START_MARGIN,
            "ttlSecondsAfterFinished": 86400,  # the Job object goes after a day; its result stays on the volume
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }
