"""Returning the course engine to "base images and course-provided images only"."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, NotFound

from grader.engine import names
from grader.engine.images import COURSE_BASE_TAGS, present, resolve
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


def reset(client: docker.DockerClient, whole_engine: bool, report: Reporter = silent) -> ResetReport:
    """Remove learner objects from the course engine.

    Args:
        whole_engine: True for a lab (the engine belongs to the course: remove every
            container, network but the defaults, volume and learner image); False in
            host mode (only course-labelled objects and the curriculum's names).
    """
    done = ResetReport()
    for c in client.containers.list(all=True):
        if (c.labels or {}).get(COURSE_LABEL) == "lab":
            continue  # a lab is engine infrastructure, not a learner object
        if whole_engine or _course_owned(c.labels) or c.name in names.CONTAINERS:
            _quietly(lambda c=c: c.remove(force=True, v=True))
            done.containers.append(c.name or c.short_id)
    for n in client.networks.list():
        if n.name in DEFAULT_NETWORKS:
            continue
        if whole_engine or _course_owned(n.attrs.get("Labels")) or n.name in names.NETWORKS:
            _quietly(n.remove)
            done.networks.append(n.name or n.short_id)
    for v in client.volumes.list():
        if whole_engine or _course_owned(v.attrs.get("Labels")) or v.name in names.VOLUMES:
            _quietly(lambda v=v: v.remove(force=True))
            done.volumes.append(v.name or "")
    for image in client.images.list():
        tags = image.tags
        if _keep_image(client, tags, image.labels):
            continue
        ours = any(t.startswith(names.IMAGE_REPOSITORY_PREFIX) for t in tags)
        if whole_engine or ours:
            for tag in tags or [image.id]:
                if whole_engine or tag.startswith(names.IMAGE_REPOSITORY_PREFIX):
                    _quietly(lambda tag=tag: client.images.remove(tag, force=True, noprune=False))
                    done.images.append(tag)
    if whole_engine:
        _quietly(client.images.prune)  # dangling layers only: base images stay
        _quietly(client.api.prune_builds)
    report(
        f"removed {len(done.containers)} container(s), {len(done.networks)} network(s), "
        f"{len(done.volumes)} volume(s), {len(done.images)} image tag(s)"
    )
    return done


def _quietly(action: object, **kwargs: object) -> None:
    with contextlib.suppress(NotFound, APIError):
        action(**kwargs)  # type: ignore[operator]
