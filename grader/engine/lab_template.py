"""Engine templates: a lab's engine data with its base images already loaded, cloned per lab.

Loading the base images into a new lab's engine takes most of a fresh lab's start
(python:3.11 alone is seconds of `docker load`). A template is that engine's data root
after the load, made once by a lab of its own (the *builder*) and kept read-only in
the snapshot pool (``lab_snapshot``); a new lab's data root is a private copy-on-write
snapshot of it, so its dockerd starts with the images present.

A template is keyed by everything its content depends on: the lab image's id (which
pins the lab's dockerd and its version), the storage driver (overlay2, checked on the
builder's engine), the owner of the lab's root on the host (user-namespaced labs
write as uid 400000), and the base images with their tarballs' sha256. Another key
is another template; the last ``KEEP_TEMPLATES`` are kept. A template counts only
with its marker (``KEY.json``), written after the read-only snapshot is complete:
an interrupted build leaves no marker and is rebuilt, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docker
from docker.errors import DockerException, NotFound

from grader.engine import lab_snapshot as pool
from grader.engine.build_context import parse_size
from grader.engine.catalogue import base_images
from grader.engine.client import connect
from grader.engine.image_cache import tarball
from grader.engine.lab_container import data_volume
from grader.engine.lab_spec import LabSpec
from grader.engine.progress import Reporter, silent
from grader.engine.settings import COURSE_LABEL, lab_run_dir
from grader.errors import GraderError

TEMPLATES_ENV = "DOCKER_COURSE_ENGINE_TEMPLATES"  # "0": fresh labs load their base images as before
STORAGE_DRIVER = "overlay2"  # what the builder's engine must use (a clone's engine finds it again)
KEEP_TEMPLATES = 10  # a lab image has one per distinct chapter base-image set (six chapters, all four)
BUILDER_PREFIX = "docker-course-template-"
FORMAT = 1  # of a template's layout; part of the key
# files a clone must not share with its template or its siblings: each engine makes its own
PER_ENGINE = ("engine-id",)
StartLab = Callable[[docker.DockerClient, LabSpec, Reporter], object]
StopLab = Callable[[docker.DockerClient, str, bool], object]


def wanted(spec: LabSpec) -> list[str]:
    """The base-image tags ``spec``'s engine gets, sorted (the template's content)."""
    names = list(spec.base_images) if spec.base_images is not None else None
    return sorted(image.tag for image in base_images(names))


def tarball_digest(path: Path) -> str:
    """The sha256 of a cached tarball, remembered per (size, mtime) so it is read once."""
    memo_file = pool.pool_dir() / "digests.json"
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    stat = path.stat()
    stamp = [stat.st_size, stat.st_mtime_ns]
    if memo.get(str(path), [None])[:2] == stamp:
        return str(memo[str(path)][2])
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    memo[str(path)] = [*stamp, digest.hexdigest()]
    partial = memo_file.with_suffix(f".{os.getpid()}")
    partial.write_text(json.dumps(memo, indent=1))
    partial.replace(memo_file)
    return digest.hexdigest()


def key_of(lab_image_id: str, tags: list[str], owner: tuple[int, int]) -> str:
    """The template key of these inputs (see the module's docstring)."""
    images = [(i.tag, tarball_digest(tarball(i))) for i in base_images(tags)]
    shape = (FORMAT, lab_image_id, STORAGE_DRIVER, tuple(owner), images)
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:20]


def usable(key: str) -> Path | None:
    """The complete template of ``key``, or None (missing, partial, or not read-only)."""
    path = pool.mount_point() / "templates" / key
    try:
        marker = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None
    complete = (path / "image" / STORAGE_DRIVER / "repositories.json").is_file()
    if marker.get("key") != key or not complete or not pool.is_subvolume(path) or not pool.read_only(path):
        return None
    return path


def ensure(
    host: docker.DockerClient,
    engine: docker.DockerClient,
    spec: LabSpec,
    owner: tuple[int, int],
    start: StartLab,
    stop: StopLab,
    report: Reporter = silent,
) -> Path | None:
    """The template for ``spec``'s engine data, built first when there is none; None: load as before.

    None when templates are off (``TEMPLATES_ENV=0``), the machine cannot keep snapshots,
    a tarball is not cached yet, or this key's build failed before (its ``.failed`` note
    says why); never raises: the lab then loads its base images itself.
    """
    tags = wanted(spec)
    if os.environ.get(TEMPLATES_ENV) == "0" or not tags or pool.why_not():
        return None
    if not all(tarball(image).exists() for image in base_images(tags)):
        return None
    try:
        mount = pool.ensure_pool()
        key = key_of(engine.images.get(spec.image.tag).id, tags, owner)
        found = usable(key)
        if found is not None or (mount / "templates" / f"{key}.failed").exists():
            return found
        with pool.locked("build"):
            found = usable(key)
            if found is not None:
                return found
            report(f"building the engine template of {', '.join(tags)} (once per lab image and base images)")
            return _build(host, engine, key, replace(spec, base_images=tuple(tags)), owner, (start, stop))
    except (OSError, GraderError, DockerException) as e:
        report(f"no engine template ({str(e)[:200]}); loading the base images instead")
        return None


def _build(
    host: docker.DockerClient,
    engine: docker.DockerClient,
    key: str,
    spec: LabSpec,
    owner: tuple[int, int],
    lab_ops: tuple[StartLab, StopLab],
) -> Path | None:
    """Build template ``key`` in a builder lab; publish it read-only, then its marker.

    Raises:
        OSError, GraderError, DockerException: a step failed (nothing is published).
    """
    start, stop = lab_ops
    began = time.monotonic()
    templates, building = pool.mount_point() / "templates", pool.mount_point() / "building"
    for left in building.iterdir():  # an interrupted build's: never finished, never used
        pool.delete(left)
    pool.delete(templates / key)
    work = building / key
    pool.create(work, owner)
    name = BUILDER_PREFIX + key[:12]
    stop(host, name, False)  # a builder left by an interrupted build
    builder = replace(spec, name=name, jupyter=False, extra_mounts=(), shared_mounts=(), workspace=None, labels=())
    builder = replace(builder, limits=replace(spec.limits, disk=""))
    _bind_volume(engine, data_volume(name), work)
    try:
        start(host, builder, silent)
        engine_info = _stop_engine(engine, name)
    finally:
        stop(host, name, False)
        shutil.rmtree(lab_run_dir(name).parent, ignore_errors=True)  # its state folder: no lab of that name stays
    for own in PER_ENGINE:
        (work / own).unlink(missing_ok=True)
    if engine_info.get("Driver") != STORAGE_DRIVER:
        (templates / f"{key}.failed").write_text(f"the lab's engine chose {engine_info.get('Driver')}\n")
        pool.delete(work)
        return None
    pool.snapshot(work, templates / key, read_only=True)
    pool.delete(work)
    marker = {
        "key": key,
        "base_images": list(spec.base_images or ()),
        "lab_image": spec.image.tag,
        "engine_version": engine_info.get("ServerVersion"),
        "storage_driver": engine_info.get("Driver"),
        "owner": list(owner),
        "build_seconds": round(time.monotonic() - began, 1),
    }
    partial = templates / f"{key}.json.partial"
    partial.write_text(json.dumps(marker, indent=1) + "\n")
    os.replace(partial, templates / f"{key}.json")
    _prune(templates, key)
    return templates / key


def _bind_volume(engine: docker.DockerClient, volume: str, folder: Path) -> None:
    """A lab's data ``volume`` as a bind of ``folder`` (its engine data root)."""
    engine.volumes.create(
        volume,
        driver="local",
        driver_opts={"type": "none", "o": "bind", "device": str(folder)},
        labels={COURSE_LABEL: "lab-data"},
    )


def _stop_engine(engine: docker.DockerClient, name: str) -> dict[str, str]:
    """The builder engine's driver and version, then that engine stopped cleanly (its databases closed).

    Raises:
        GraderError: its dockerd or containerd did not stop within 20 s each.
    """
    info = connect("unix://" + str(lab_run_dir(name) / "docker.sock"), what="template builder").info()
    # dockerd, then the containerd lab-init started for it; each gone, or a zombie (lab-init
    # became `sleep`, which never reaps them)
    script = (
        "stop() { kill $1 && i=0 && "
        "while [ -e /proc/$1 ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status; do "
        "i=$((i+1)); [ $i -gt 200 ] && return 1; sleep 0.1; done; } && "
        "stop $(cat /var/run/docker.pid) && { [ ! -f /run/course-containerd/containerd.pid ] || "
        "stop $(cat /run/course-containerd/containerd.pid); }"
    )
    if engine.containers.get(name).exec_run(["sh", "-c", script]).exit_code != 0:
        raise GraderError(f"the template builder {name}'s engine did not stop within 20 s")
    return {"Driver": str(info.get("Driver")), "ServerVersion": str(info.get("ServerVersion"))}


def _prune(templates: Path, keep: str) -> None:
    """Keep the newest KEEP_TEMPLATES templates (and ``keep``); drop the rest and markerless ones."""
    markers = sorted(templates.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    kept = {keep, *(m.stem for m in markers[:KEEP_TEMPLATES])}
    for path in templates.iterdir():
        key = path.name.split(".")[0]
        if key not in kept:
            pool.delete(path) if path.is_dir() else path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the quota groups of deleted labs' snapshots
        pool.run("btrfs", "qgroup", "clear-stale", str(pool.mount_point()))


def clone(engine: docker.DockerClient, template: Path, spec: LabSpec, volume: str) -> None:
    """Give lab ``spec.name`` a private snapshot of ``template`` as its data ``volume`` (capped to its disk).

    Raises:
        OSError, DockerException: the snapshot, its cap or the volume failed (nothing is left).
    """
    target = pool.mount_point() / "labs" / spec.name
    pool.delete(target)  # the copy of a lab of that name that was removed without its data
    pool.snapshot(template, target)
    try:
        (target.parent / f"{spec.name}.from").write_text(template.name + "\n")
        if spec.limits.disk:
            pool.limit(target, parse_size(spec.limits.disk))
        _bind_volume(engine, volume, target)
    except (OSError, DockerException):
        pool.delete(target)
        raise


def release(name: str) -> None:
    """Delete lab ``name``'s snapshot (after its volume); nothing when it has none. Never raises."""
    if os.path.ismount(pool.mount_point()):
        pool.delete(pool.mount_point() / "labs" / name)
        (pool.mount_point() / "labs" / f"{name}.from").unlink(missing_ok=True)


def quota_use(name: str) -> tuple[int, int] | None:
    """(bytes held, cap) of lab ``name``'s cloned engine data; None when it is not a capped clone."""
    if not os.path.ismount(pool.mount_point()):
        return None
    return pool.quota_use(pool.mount_point() / "labs" / name)


def origin(name: str) -> str:
    """The key of the template lab ``name``'s engine data was cloned from ('' when it was not)."""
    try:
        return (pool.mount_point() / "labs" / f"{name}.from").read_text().strip()
    except OSError:
        return ""


def has_data(engine: docker.DockerClient, volume: str) -> bool:
    """True when ``volume`` exists on ``engine`` (a lab's kept engine data)."""
    try:
        engine.volumes.get(volume)
        return True
    except NotFound:
        return False
