"""Returning the course engine to "base images and course-provided images only"."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import docker
from docker.errors import APIError, NotFound

from grader import curriculum
from grader.engine.catalogue import COURSE_BASE_TAGS, resolve
from grader.engine.image_cache import present
from grader.engine.journal import journal_folder, mark_reset
from grader.engine.progress import Reporter, silent
from grader.engine.provided import is_provided
from grader.engine.settings import COURSE_LABEL, PROBE_LABEL

DEFAULT_NETWORKS = frozenset({"bridge", "host", "none"})


@dataclass
class ResetReport:
    """What a reset removed."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def _course_owned(labels: dict[str, str] | None) -> bool:
    """Probes and course-made objects; never a lab or the labs' network (engine infrastructure)."""
    labels = labels or {}
    infrastructure = labels.get(COURSE_LABEL) in ("lab", "lab-network")
    return labels.get(PROBE_LABEL) == "true" or (COURSE_LABEL in labels and not infrastructure)


def _keep_image(client: docker.DockerClient, tags: list[str], labels: dict[str, str]) -> bool:
    if is_provided(tags, labels):
        return True
    return any(t in COURSE_BASE_TAGS and present(client, resolve([t])[0]) for t in tags)


def _curriculum_names() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    names = curriculum.all_names()
    tags = frozenset(t if ":" in t.rsplit("/", 1)[-1] else f"{t}:latest" for t in names.images)
    return frozenset(names.containers), frozenset(names.networks), frozenset(names.volumes), tags


def _learner_tag(tag: str, image_tags: frozenset[str]) -> bool:
    return tag.startswith(curriculum.IMAGE_PREFIX) or tag in image_tags


def reset(client: docker.DockerClient, whole_engine: bool, report: Reporter = silent) -> ResetReport:
    """Remove learner objects from the course engine; the report lists only what was removed.

    Args:
        whole_engine: True for a lab (the engine belongs to the course: remove every
            container, network but the defaults, volume and learner image); False in
            host mode (only course-labelled objects and the curriculum's names).
        report: progress lines; an object that could not be removed is named there.
    """
    containers, networks, volumes, image_tags = _curriculum_names()
    done = ResetReport()
    remover = _Remover(report)
    for c in client.containers.list(all=True):
        if (c.labels or {}).get(COURSE_LABEL) == "lab":
            continue  # a lab is engine infrastructure, not a learner object
        if whole_engine or _course_owned(c.labels) or c.name in containers:
            remover.remove(done.containers, c.name or c.short_id, partial(c.remove, force=True, v=True))
    for n in client.networks.list():
        if n.name in DEFAULT_NETWORKS:
            continue
        if whole_engine or _course_owned(n.attrs.get("Labels")) or n.name in networks:
            remover.remove(done.networks, n.name or n.short_id, n.remove)
    for v in client.volumes.list():
        if whole_engine or _course_owned(v.attrs.get("Labels")) or v.name in volumes:
            remover.remove(done.volumes, v.name or "", partial(v.remove, force=True))
    for image in client.images.list():
        tags = image.tags
        if _keep_image(client, tags, image.labels):
            continue
        for tag in tags or [image.id]:
            if whole_engine or _learner_tag(tag, image_tags):
                remover.remove(done.images, tag, partial(client.images.remove, tag, force=True, noprune=False))
    if whole_engine:
        remover.quietly(client.images.prune)  # dangling layers only: base images stay
        remover.quietly(client.api.prune_builds)
    mark_reset(journal_folder(client))  # what the journal holds from before is another history
    report(
        f"removed {len(done.containers)} container(s), {len(done.networks)} network(s), "
        f"{len(done.volumes)} volume(s), {len(done.images)} image tag(s)"
    )
    return done


def remove_names(client: docker.DockerClient, names: curriculum.Names, report: Reporter = silent) -> ResetReport:
    """Remove the named containers (with their anonymous volumes), networks, volumes and image tags.

    For starting one exercise over: only what ``names`` lists goes, never a lab;
    missing objects are skipped. Containers go first (they hold networks, volumes, images).
    """
    done = ResetReport()
    remover = _Remover(report)
    for name in names.containers:
        with contextlib.suppress(NotFound):
            container = client.containers.get(name)
            if (container.labels or {}).get(COURSE_LABEL) != "lab":
                remover.remove(done.containers, name, partial(container.remove, force=True, v=True))
    for name in names.networks:
        with contextlib.suppress(NotFound):
            remover.remove(done.networks, name, client.networks.get(name).remove)
    for name in names.volumes:
        with contextlib.suppress(NotFound):
            remover.remove(done.volumes, name, partial(client.volumes.get(name).remove, force=True))
    for tag in names.images:
        if tag in COURSE_BASE_TAGS:
            continue  # a base image is never an exercise's to remove
        remover.remove(done.images, tag, partial(client.images.remove, tag, force=True, noprune=False))
    return done


class _Remover:
    """Removes objects one by one; records a name only when its removal succeeded."""

    def __init__(self, report: Reporter) -> None:
        self.report = report

    def remove(self, removed: list[str], name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except NotFound:
            return  # gone meanwhile (removed with its container, or by someone else): not ours to report
        except APIError as e:
            self.report(f"could not remove {name}: {e.explanation or e}")
            return
        removed.append(name)

    def quietly(self, action: Callable[[], object]) -> None:
        with contextlib.suppress(NotFound, APIError):
            action()
