"""Start, stop and reset the course engine (a lab, or the host engine in host mode).

``docker-course up`` / ``engine up|down|reset``, the engine panel's "Reset the lab"
button and the landing page call these. From inside a lab (the widgets run in the
lab's kernel) the lab's own engine is the course engine: :func:`start` has nothing
to start, :func:`stop` refuses (a lab cannot remove itself) and :func:`reset_engine`
empties the lab's engine as it does from the host.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import partial

import docker

from grader.engine import catalogue, host_jupyter, image_cache, lab, later_images, provisioning
from grader.engine.client import course_engine
from grader.engine.install import ensure_host_engine, ensure_host_tools
from grader.engine.progress import Reporter, silent
from grader.engine.reset import ResetReport, reset
from grader.engine.settings import Settings, ensure_writable, in_lab
from grader.errors import GraderError, LabError
from grader.workspace.lock import LockOwner
from grader.workspace.service import release, serve


@dataclass(frozen=True)
class EngineOptions:
    """What a command line may change: mode, JupyterLab port and ``--privileged`` are saved as defaults."""

    mode: str | None = None
    port: int | None = None
    privileged: bool = False
    name: str | None = None
    instructor: bool = False  # serve the course's source (solutions, formgrader), not the learner's workspace


def settings_with(options: EngineOptions | None = None) -> Settings:
    """The settings in force with ``options`` applied; mode, port and privileged are saved for next time.

    Raises:
        ConfigError: the saved settings are broken, or the state folder is not writable.
    """
    options = options or EngineOptions()
    settings = Settings.load()
    changed = False
    if options.mode:
        settings.mode, changed = options.mode, True
    if options.port:
        settings.jupyter_port, changed = options.port, True
    if options.privileged:
        settings.privileged, changed = True, True
    if options.name:
        settings.lab_name = options.name
    if changed:
        settings.save()
    return settings


@dataclass(frozen=True)
class Started:
    """A course engine that runs: where it is and, when asked for, JupyterLab's URL."""

    mode: str
    docker_host: str
    lab: str | None = None
    jupyter_url: str | None = None
    already_in_lab: bool = False
    workspace: str | None = None  # the learner's workspace it serves (None: the course's source)


def start(options: EngineOptions | None = None, jupyter: bool = True, report: Reporter = silent) -> Started:
    """Make the course engine (and JupyterLab unless ``jupyter`` is False) run; reuse what runs.

    Installs what the host lacks where it may (Debian as root), provisions the base
    images, then starts the lab, or JupyterLab beside the host engine in host mode.

    Raises:
        EngineInstallError, LabError, ImageProvisionError: the message says what to do.
    """
    settings = settings_with(options)
    if in_lab():
        return Started("lab", settings.docker_host(), already_in_lab=True)
    host = ensure_host_engine(report)
    ensure_host_tools(report)
    instructor = bool(options and options.instructor)
    if settings.mode == "lab":
        later = later_images.deferred()  # python:3.11 on a fresh machine: built once JupyterLab is ready
        provisioning.provision(host, [i.tag for i in catalogue.ALL_IMAGES if i.tag not in later], report=report)
        bases = [t for t in catalogue.COURSE_BASE_TAGS if t not in later] if later else None
        spec = lab.LabSpec.learner(settings, jupyter=jupyter, base_images=bases)
        if not instructor:
            # the lab's own folder first: a bad state folder is reported as before, before the workspace is touched
            ensure_writable(settings.lab_run_dir(), "lab socket")
            served = serve(f"lab:{settings.lab_name}", partial(_lab_alive, host), report=report)
            spec = lab.LabSpec.learner(
                settings, root=served.kit, jupyter=jupyter, workspace=served.workspace, base_images=bases
            )
        info = lab.up(host, spec, report=report)
        if later:
            later_images.start_background(later, report)
        _open_channel(settings.lab_name, report)
        _come_back(settings, report)
        return Started("lab", info.docker_host, info.name, info.jupyter_url, workspace=info.workspace or None)
    provisioning.provision(host, list(catalogue.COURSE_BASE_TAGS), report=report)
    folder = None
    if not instructor:
        folder = serve(f"host:{settings.jupyter_port}", lambda _: host_jupyter.running() is not None, report=report)
    root = folder.workspace if folder else None
    url = host_jupyter.start(settings, report, root=root) if jupyter else None
    return Started("host", settings.docker_host(), jupyter_url=url, workspace=str(root) if root else None)


def _open_channel(lab_name: str, report: Reporter) -> None:
    """The lab's channel to the host (hints, solutions, grading); without it the CLI still offers them."""
    from grader.services import channel_process

    try:
        channel_process.start(lab_name, report=report)
    except GraderError as e:
        report(str(e))


def _come_back(settings: Settings, report: Reporter) -> None:
    """The containers that ran when the lab stopped run again (a failure is said, never fatal)."""
    from grader.services import coming_back

    try:
        coming_back.start_again(lab.lab_engine(settings), settings.lab_name, report)
    except (GraderError, docker.errors.DockerException) as e:
        report(f"could not start the containers of before the stop again: {e}")


def _remember_running(settings: Settings) -> None:
    """Before the lab stops: which of the learner's containers run (started again by the next up)."""
    from grader.services import coming_back

    with contextlib.suppress(GraderError, docker.errors.DockerException, OSError):
        coming_back.remember_running(lab.lab_engine(settings), settings.lab_name)


def _release(owner: str) -> None:
    """Give the workspace up; a workspace setting that is broken now must not stop ``down`` from working."""
    with contextlib.suppress(GraderError, OSError):
        release(owner)


def _lab_alive(host: docker.DockerClient, owner: LockOwner) -> bool:
    """A lab owner of a workspace lock is alive while its container runs on this host engine."""
    kind, _, name = owner.owner.partition(":")
    if kind != "lab":
        return kind != "host" or host_jupyter.running() is not None
    container = lab.find(host, name)
    return container is not None and container.status == "running"


@dataclass(frozen=True)
class Stopped:
    """What :func:`stop` did: in host mode only JupyterLab stops; a lab is removed (``was_running``)."""

    mode: str
    lab: str | None = None
    was_running: bool = False


def stop(options: EngineOptions | None = None, purge: bool = False) -> Stopped:
    """Stop the lab (its engine data is kept unless ``purge``), or host mode's JupyterLab.

    Raises:
        LabError: called from inside a lab, or the lab could not be removed.
    """
    settings = settings_with(options)
    if in_lab():
        raise LabError("This is the inside of the lab: stop it from the host with `docker-course engine down`.")
    if settings.mode == "host":
        host_jupyter.stop()
        _release(f"host:{settings.jupyter_port}")
        return Stopped("host")
    from grader.services import channel_process

    channel_process.stop(settings.lab_name)
    _remember_running(settings)
    removed = lab.down(ensure_host_engine(), settings.lab_name, keep_data=not purge)
    _release(f"lab:{settings.lab_name}")
    return Stopped("lab", settings.lab_name, was_running=removed)


@dataclass(frozen=True)
class ResetOutcome:
    """What a reset removed, and whether it emptied the whole engine (a lab) or course objects only (host)."""

    whole_engine: bool
    removed: ResetReport

    def counts(self) -> str:
        """``2 containers, 1 networks, 0 volumes, 3 images``, as the CLI and the engine panel say it."""
        done = self.removed
        return (
            f"{len(done.containers)} containers, {len(done.networks)} networks, "
            f"{len(done.volumes)} volumes, {len(done.images)} images"
        )


def reset_engine(
    options: EngineOptions | None = None, client: docker.DockerClient | None = None, report: Reporter = silent
) -> ResetOutcome:
    """Back to base images and course-provided images only.

    A lab's engine belongs to the course: everything the learner made goes and the
    base images are loaded again from the cache. In host mode only course-labelled
    objects and the curriculum's names are removed. Notebooks and files are never touched.

    Args:
        client: the course engine (default: connect to it now).

    Raises:
        EngineUnavailable: the course engine does not answer.
    """
    settings = settings_with(options)
    client = client or course_engine()
    whole = settings.mode == "lab"
    done = reset(client, whole_engine=whole, report=report)
    if whole:  # an image still built in the background comes with `prepare` of its chapter
        cached = [t for t in catalogue.COURSE_BASE_TAGS if not later_images.being_built(catalogue.BY_TAG[t])]
        image_cache.load_into(client, cached, report=report)
    return ResetOutcome(whole, done)
