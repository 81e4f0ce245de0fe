"""What a lab on the user-namespaced engine needs beyond today's container lab.

Each step is small and separate so the lab's runner (``lab_container``) calls
them in order: the lab image present on the labs' engine, the lab's own network,
the folders it writes owned by its mapped root, a resolver that answers only
course names, and, once started, its cgroup subtree delegated before lab-init
goes on (lab-init waits for the ``delegated`` marker in its run folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound, NotFound
from docker.models.containers import Container
from docker.models.images import Image

from grader.engine import boundary_files, boundary_mounts, catalogue, image_cache
from grader.engine.boundary import BOUNDARY_ENV, BRIDGE_PREFIX, Boundary
from grader.engine.boundary_cgroups import delegate
from grader.engine.image_recipe import RECIPE_LABEL
from grader.engine.progress import Reporter, silent
from grader.engine.settings import COURSE_LABEL
from grader.errors import LabError

FALLBACK_POOL = "10.215.0.0/16"  # container labs on the host engine: one /24 each, beside its own pools
DELEGATED_MARKER = "delegated"  # in the lab's run folder: its cgroups are its own now
DELEGATION_ENV = "COURSE_DELEGATED_CGROUPS"  # lab-init waits for the marker when "1"
# The lab resolves nothing but what /etc/hosts holds (its own name, localhost): a lookup
# of a registry fails at once (nothing answers on the lab's own 127.0.0.1:53) instead of
# leaving the machine through the engine's embedded DNS and hanging until a time-out.
RESOLV_CONF = (
    "# docker-course: no resolver; names come from /etc/hosts only\n"
    "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n"
)


def _nothing(container: Container) -> None:
    del container


@dataclass(frozen=True)
class LabExtras:
    """What a boundary adds to a lab container: its network, binds, environment, a step right after start."""

    network: str | None = None  # None: the runner's default network
    binds: dict[str, dict[str, str]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    after_start: Callable[[Container], None] = _nothing
    data_owner: tuple[int, int] | None = None  # who owns a capped lab's engine data (its mapped root)


def prepare(
    engine: docker.DockerClient, boundary: Boundary, lab: str, run_dir: Path, writable: list[Path]
) -> LabExtras:
    """Everything lab ``lab`` needs from its boundary before it starts.

    Both runners: a resolv.conf that resolves no name off the machine (read-only, from a
    host folder the lab cannot write). The user-namespaced runner also: the lab's own
    network, ``run_dir`` owned by the lab's root, each ``writable`` folder offered through
    an id-mapped view (the lab writes it as today, no owner on the host changes), and,
    right after start, the lab's cgroups delegated to that root (lab-init waits for it).
    """
    resolv = write_resolv_conf(run_dir.parent / "etc")
    binds = {str(resolv): {"bind": "/etc/resolv.conf", "mode": "ro"}}
    if not boundary.isolated:
        # its own network here too (a /24 the course picks: the host engine's pools are few and wide)
        return LabExtras(network=ensure_network(engine, lab, pool=FALLBACK_POOL), binds=binds)
    boundary_files.remove(run_dir, DELEGATED_MARKER)
    own_folders(boundary, [run_dir])
    offset = boundary.uid or 0
    for folder in writable:
        try:
            view = boundary_mounts.idmapped(lab, folder, offset)
        except OSError as e:
            raise LabError(
                f"Could not offer {folder} to lab {lab} through an id-mapped mount ({e}); the kernel or the "
                f"folder's filesystem refuses them. Use today's container lab with {BOUNDARY_ENV}=container."
            ) from e
        binds[str(view)] = {"bind": str(folder), "mode": "rw"}
    return LabExtras(
        network=ensure_network(engine, lab),
        binds=binds,
        env={DELEGATION_ENV: "1"},
        after_start=lambda container: after_start(container, boundary, run_dir),
        data_owner=(boundary.uid, boundary.gid) if boundary.uid is not None and boundary.gid is not None else None,
    )


def network_name(lab: str) -> str:
    """The lab's own network on the labs' engine."""
    return f"{lab}-net"


def bridge_name(lab: str) -> str:
    """A bridge name under 15 characters, unique per lab, that the host firewall matches (``dcl+``)."""
    return BRIDGE_PREFIX + hashlib.sha256(lab.encode()).hexdigest()[:10]


def ensure_network(engine: docker.DockerClient, lab: str, pool: str | None = None) -> str:
    """Create the lab's own bridge network unless it exists; returns its name.

    Args:
        pool: where its /24 comes from (None: the engine's own default pool, as the labs' engine has).

    Raises:
        LabError: the engine refused to create it.
    """
    name = network_name(lab)
    try:
        engine.networks.get(name)
        return name
    except NotFound:
        pass
    tries = [None] if pool is None else free_subnets(engine, pool)[:8]  # a parallel start may take one first
    for subnet in tries:
        ipam = None if subnet is None else docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
        try:
            engine.networks.create(
                name,
                driver="bridge",
                ipam=ipam,
                labels={COURSE_LABEL: "lab-network"},
                options={"com.docker.network.bridge.name": bridge_name(lab)},
            )
            return name
        except APIError as e:
            if "already exists" in str(e):
                return name
            if subnet is None or "overlap" not in str(e):
                raise LabError(f"Could not create lab {lab}'s network: {e.explanation}") from e
    raise LabError(f"Could not create lab {lab}'s network: no free /24 left in {pool}.")


def free_subnets(engine: docker.DockerClient, pool: str) -> list[str]:
    """The /24s of ``pool`` that no network of ``engine`` uses, lowest first."""
    taken = []
    for network in engine.networks.list():
        for config in (network.attrs.get("IPAM") or {}).get("Config") or []:
            with contextlib.suppress(ValueError, TypeError):
                taken.append(ipaddress.ip_network(config.get("Subnet") or "", strict=False))
    return [str(n) for n in ipaddress.ip_network(pool).subnets(new_prefix=24) if not any(n.overlaps(t) for t in taken)]


def remove_network(engine: docker.DockerClient, lab: str) -> None:
    """Remove the lab's network (after the lab); a missing one is fine."""
    with contextlib.suppress(NotFound, APIError):
        engine.networks.get(network_name(lab)).remove()


def ensure_lab_image(
    engine: docker.DockerClient, host: docker.DockerClient, tag: str, report: Reporter = silent
) -> None:
    """Copy the lab image from the host engine into the labs' engine when it is missing or differs.

    Raises:
        LabError: the host engine has no such image or the copy failed.
    """
    try:
        source = host.images.get(tag)
    except ImageNotFound as e:
        raise LabError(f"The lab image {tag} is not on the host engine; run `docker-course images`.") from e
    try:
        if engine.images.get(tag).id == source.id:
            return
    except ImageNotFound:
        pass
    report(f"copying {tag} into the user-namespaced labs' engine (once per lab image)")
    cached = _cached_tarball(tag, source)
    try:
        if cached is not None:  # the provisioning's own save of it: no second `docker save` of ~900 MB
            with open(cached, "rb") as stream:
                engine.images.load(stream)
        else:
            engine.images.load(source.save(named=True))
    except (APIError, OSError) as e:
        raise LabError(f"Could not copy {tag} into the labs' engine: {e}") from e


def _cached_tarball(tag: str, source: Image) -> Path | None:
    """The course cache's tarball of the host's image ``tag`` when it holds that very recipe (else None)."""
    recipe = catalogue.BY_TAG.get(tag)
    if recipe is None or (source.labels or {}).get(RECIPE_LABEL) != recipe.recipe():
        return None
    path = image_cache.tarball(recipe)
    return path if path.exists() else None


def own_folders(boundary: Boundary, folders: list[Path]) -> None:
    """Make the lab's read-write folders its root's (the folder itself and, recursively, what is in it).

    Host-made files would otherwise be "nobody" in the lab and not writable. Links are
    changed themselves, never followed (``lchown``).
    """
    if boundary.uid is None or boundary.gid is None:
        return
    for folder in folders:
        os.chown(folder, boundary.uid, boundary.gid, follow_symlinks=False)
        for parent, dirs, files in os.walk(folder, followlinks=False):
            for name in dirs + files:
                os.chown(os.path.join(parent, name), boundary.uid, boundary.gid, follow_symlinks=False)


def write_resolv_conf(folder: Path) -> Path:
    """The lab's resolv.conf, in a host folder the lab cannot write (mounted read-only)."""
    folder.mkdir(parents=True, exist_ok=True)
    boundary_files.write_text(folder, "resolv.conf", RESOLV_CONF)
    return folder / "resolv.conf"


def after_start(container: Container, boundary: Boundary, run_dir: Path) -> None:
    """Delegate the started lab's cgroups to its root, then tell lab-init to go on.

    Raises:
        LabError: the lab's groups could not be delegated (its engine could not run containers).
    """
    container.reload()
    pid = int(container.attrs.get("State", {}).get("Pid") or 0)
    if not pid:
        raise LabError(f"Lab {container.name} stopped before its cgroups could be delegated.")
    if boundary.uid is not None and boundary.gid is not None:
        try:
            delegate(pid, boundary.uid, boundary.gid)
        except OSError as e:
            raise LabError(f"Could not delegate lab {container.name}'s cgroups to its root: {e}") from e
    boundary_files.write_text(run_dir, DELEGATED_MARKER, "1\n")
