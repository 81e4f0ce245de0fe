"""What a lab must offer, as one value: learner labs and grading labs differ in data only.

A spec says nothing about *how* a lab runs (today a container on the host engine,
see ``lab_container``; another runner may realise the same spec differently). Its
``fingerprint`` decides whether a running lab can be reused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.image_recipe import ImageRecipe
from grader.engine.lab_image import LAB
from grader.engine.settings import Settings, repo_root

LAB_JUPYTER_PORT = 8888  # JupyterLab's port inside the lab
# The only folders of a checkout a lab served without a workspace may write: the source
# notebooks with their assets (the instructor edits them; the host reads them as data and
# runs them only in labs) and the tests' artifacts. The rest (grader/, .venv, course.sh,
# nbgrader_config.py: code the host runs) is read-only.
CHECKOUT_WRITABLE = ("course", "build/test-artifacts")


@dataclass(frozen=True)
class Limits:
    """Caps on everything inside the lab: memory (Docker's notation, e.g. ``6g``), processes, cpus.

    ``log_max_size`` and ``log_max_files`` bound each container's log in the lab's engine
    (its ``--log-opt`` defaults), so a container printing without end cannot fill the disk.
    ``disk`` (e.g. ``20g``; empty: none) caps the lab's engine data (``lab_disk``).
    ``build_context`` caps what one build sends to the lab's engine (``build_context``).
    """

    memory: str
    pids: int
    cpus: float
    log_max_size: str = "10m"
    log_max_files: int = 2
    disk: str = ""
    build_context: str = "512m"


@dataclass(frozen=True)
class LabSpec:
    """One lab: what it runs, what it mounts, what it publishes, how far it may go.

    Args:
        name: the lab's name (unique on the host engine).
        root: a folder offered at the same absolute path inside (the course checkout or a kit).
        root_read_only: offer ``root`` read-only (grading: learner code must not change the kit).
        extra_mounts: more folders, each read-write at its own absolute path (a submission).
        shared_mounts: folders offered read-only at their own absolute paths (a class's released work).
        jupyter: run JupyterLab on ``workspace`` (else ``root/course``), published on 127.0.0.1:``port``.
        port: JupyterLab's host port.
        base_images: base images its engine gets (None: all of them).
        labels: metadata on the lab (a grading run's id, for cleanup); not part of the fingerprint.
        limits: memory, pids and cpu caps.
        privileged: full privileges where the host allows it (else capabilities).
        timeout: seconds to wait for the lab's engine to be ready.
        image: the lab's software (its recipe is part of the fingerprint).
        workspace: the learner's own folder: read-write at its own absolute path, JupyterLab's
            root, ``DOCKER_COURSE_WORKSPACE`` inside (None: JupyterLab serves ``root/course``).
    """

    name: str
    root: Path
    limits: Limits
    root_read_only: bool = False
    extra_mounts: tuple[Path, ...] = ()
    shared_mounts: tuple[Path, ...] = ()
    jupyter: bool = True
    port: int = LAB_JUPYTER_PORT
    base_images: tuple[str, ...] | None = None
    labels: tuple[tuple[str, str], ...] = ()
    privileged: bool = False
    timeout: float = 90
    image: ImageRecipe = field(default=LAB)
    workspace: Path | None = None

    def fingerprint(self) -> str:
        """A digest of everything a running lab must match to be reused as this spec."""
        shape = (
            self.image.tag,
            self.image.recipe(),
            str(self.root),
            self.root_read_only,
            tuple(map(str, self.extra_mounts)),
            *((tuple(map(str, self.shared_mounts)),) if self.shared_mounts else ()),  # older labs keep matching
            self.jupyter,
            self.port if self.jupyter else None,
            self.limits,
            self.privileged,
            str(self.workspace) if self.workspace else None,
        )
        return hashlib.sha256(repr(shape).encode()).hexdigest()[:24]

    @property
    def label_map(self) -> dict[str, str]:
        """The labels as a dict."""
        return dict(self.labels)

    @classmethod
    def learner(
        cls,
        settings: Settings,
        name: str | None = None,
        root: Path | None = None,
        jupyter: bool = True,
        port: int | None = None,
        base_images: list[str] | None = None,
        workspace: Path | None = None,
    ) -> LabSpec:
        """A learner's lab from the settings in force, JupyterLab on.

        With a ``workspace``, ``root`` is the read-only kit (the grader package, no
        notebooks) and JupyterLab serves the workspace: nothing of the checkout is
        mounted. Without one (the instructor's view), the checkout read-only but for
        ``CHECKOUT_WRITABLE``, so a lab never writes code or configuration the host runs.
        """
        root = (root or repo_root()).resolve()
        return cls(
            name=name or settings.lab_name,
            root=root,
            root_read_only=True,
            extra_mounts=() if workspace else tuple(root / folder for folder in CHECKOUT_WRITABLE),
            workspace=workspace.resolve() if workspace else None,
            limits=limits_of(settings),
            jupyter=jupyter,
            port=settings.jupyter_port if port is None else port,
            base_images=None if base_images is None else tuple(base_images),
            privileged=settings.privileged,
        )

    @classmethod
    def grading(
        cls,
        settings: Settings,
        name: str,
        kit: Path,
        submission: Path,
        base_images: list[str],
        labels: dict[str, str],
    ) -> LabSpec:
        """A grading lab: the kit read-only, one submission read-write, no JupyterLab, the course's limits."""
        return cls(
            name=name,
            root=kit.resolve(),
            limits=limits_of(settings),
            root_read_only=True,
            extra_mounts=(submission.resolve(),),
            jupyter=False,
            base_images=tuple(base_images),
            labels=tuple(sorted(labels.items())),
            privileged=settings.privileged,
        )


def limits_of(settings: Settings) -> Limits:
    """The lab limits the settings ask for."""
    return Limits(memory=settings.lab_memory, pids=settings.lab_pids, cpus=settings.lab_cpus)
