"""Recorded engine facts for unit tests: a :class:`~grader.facts.interface.Facts` over inspect dicts.

Everything a check may ask is answered from what the test recorded; what was not
recorded is absent (NotFound), not running (NotRunning), or a probe that found
nothing, exactly as a blank engine would answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, TypeVar

from grader.chapters import get
from grader.checks.base import Check
from grader.errors import NotFound, NotRunning, ProbeError
from grader.facts.containers import ContainerFacts, Mount
from grader.facts.images import FileInImage, ImageFacts
from grader.facts.interface import Facts
from grader.facts.journal import Journal
from grader.facts.namespaces import NamespaceInodes
from grader.facts.networks import HttpAnswer, Interface, NetworkFacts
from grader.facts.probe import ProbeResult, ProbeSpec
from grader.facts.topology import Topology
from grader.facts.volumes import VolumeFacts, VolumeFile

C = TypeVar("C", bound=Check)


def declared(exercise_id: str, check_type: type[C], contains: str = "") -> C:
    """The check of ``check_type`` a chapter declares in ``exercise_id`` (the first whose title holds
    ``contains``): tests of the course's own hint texts run the chapter's declaration itself."""
    found = [c for c in get(exercise_id).checks if isinstance(c, check_type) and contains in c.describe()]
    assert found, f"{exercise_id} declares no {check_type.__name__} titled with {contains!r}"
    return found[0]


@dataclass
class RecordedContents:
    """An image's files as a test recorded them: every path not in ``files`` is absent."""

    files: dict[str, FileInImage | None] = field(default_factory=dict)
    paths: list[str] | None = None
    mounts: list[Mount] = field(default_factory=list)

    def read_files(self, paths: list[str]) -> dict[str, FileInImage | None]:
        return {path: self.files.get(path) for path in paths}

    def list_paths(self) -> list[str]:
        return list(self.paths) if self.paths is not None else sorted(p for p, f in self.files.items() if f)

    def new_container_mounts(self) -> list[Mount]:
        return list(self.mounts)


def image(
    ref: str,
    config: dict[str, Any] | None = None,
    layers: list[str] | None = None,
    history: list[str] | None = None,
    files: dict[str, str | bytes | FileInImage | None] | None = None,
    paths: list[str] | None = None,
    size: int = 1000,
    mounts: list[Mount] | None = None,
) -> ImageFacts:
    """An ImageFacts over recorded inspect data (history given oldest first as CreatedBy texts).

    ``files``: path -> text or bytes (a regular file owned by root), a FileInImage, or None (absent);
    ``paths``: the whole filesystem listing (default: the recorded files).
    """
    attrs = {
        "Id": "sha256:" + hashlib.sha256(ref.encode()).hexdigest(),  # one image per ref, as tags of distinct builds
        "RepoTags": [ref],
        "Config": config or {},
        "RootFS": {"Layers": layers or []},
        "Size": size,
    }
    raw_history = [{"CreatedBy": c, "Size": 0 if "#(nop)" in c else 10} for c in reversed(history or [])]
    recorded: dict[str, FileInImage | None] = {}
    for path, value in (files or {}).items():
        if isinstance(value, str | bytes):
            data = value.encode() if isinstance(value, str) else value
            recorded[path] = FileInImage(path, "file", data, 0, 0, 0o644)
        else:
            recorded[path] = value
    return ImageFacts(ref, attrs, raw_history, RecordedContents(recorded, paths, list(mounts or [])))


class FakeFacts(Facts):
    """Every fact a check may read, over recorded objects.

    ``containers``: name -> inspect dict; ``logs``: name -> output; ``runs``: (image,
    *entrypoint, *command) -> probe result; ``execs``: (container, *command) -> result;
    ``answers``: (address, port) -> HTTP answer (from the engine host) and
    (address, port, inside) from a container; ``ns``: label -> inodes (``host`` too).
    """

    def __init__(
        self,
        images: dict[str, ImageFacts] | None = None,
        containers: dict[str, dict[str, Any]] | None = None,
        runs: dict[tuple[str, ...], ProbeResult] | None = None,
        **recorded: Any,
    ):
        self.images = images or {}
        self.containers = containers or {}
        self.runs = runs or {}
        self.logs: dict[str, str] = recorded.pop("logs", {})
        self.networks: dict[str, dict[str, Any]] = recorded.pop("networks", {})
        self.volumes: dict[str, str] = recorded.pop("volumes", {})  # name -> driver
        self.volume_files: dict[tuple[str, str], VolumeFile] = recorded.pop("volume_files", {})
        self.execs: dict[tuple[str, ...], ProbeResult] = recorded.pop("execs", {})
        self.answers: dict[tuple[Any, ...], HttpAnswer] = recorded.pop("answers", {})
        self.ns: dict[str, NamespaceInodes] = recorded.pop("ns", {})
        self.links: dict[str, list[Interface]] = recorded.pop("links", {})
        self.veths: dict[str, str | None] = recorded.pop("veths", {})
        self.recorded_topology: Topology = recorded.pop("topology", Topology((), (), ()))
        self.gateways: dict[str, str] = recorded.pop("gateways", {})
        self.recorded_journal: Journal = recorded.pop("journal", Journal("recorded"))
        # image -> the files a child built FROM it holds (or the build's error message)
        self.children: dict[str, dict[str, FileInImage | None] | str] = recorded.pop("children", {})
        if recorded:
            raise TypeError(f"FakeFacts records no {', '.join(recorded)}")
        self.asked: list[tuple[str, int]] = []

    def image(self, ref: str) -> ImageFacts:
        for key in (ref, ref if ":" in ref else f"{ref}:latest"):
            if key in self.images:
                return self.images[key]
        raise NotFound(f"The image {ref} does not exist on the course engine.")

    def container(self, name: str) -> ContainerFacts:
        if name not in self.containers:
            raise NotFound(f"There is no container named {name} on the course engine.")
        return ContainerFacts(self.containers[name], recorded_logs=self.logs.get(name, ""))

    def _running(self, name: str) -> ContainerFacts:
        facts = self.container(name)
        if not facts.running:
            raise NotRunning(name, facts.status)
        return facts

    def network(self, name: str) -> NetworkFacts:
        if name not in self.networks:
            raise NotFound(f"There is no network named {name} on the course engine.")
        return NetworkFacts(self.networks[name])

    def volume(self, name: str) -> VolumeFacts:
        if name not in self.volumes:
            raise NotFound(f"There is no volume named {name} on the course engine.")
        return VolumeFacts(name, self.volumes[name])

    def gateway(self, network: str) -> str:
        net = self.network(network)
        return self.gateways.get(network) or (net.gateways or [""])[0]

    def volume_file(self, volume: str, path: str) -> VolumeFile:
        self.volume(volume)
        return self.volume_files.get((volume, path), VolumeFile(volume, path, False))

    def namespaces(self, containers: tuple[str, ...]) -> dict[str, NamespaceInodes]:
        for name in containers:
            self._running(name)
        return {"host": self.ns["host"], **{n: self.ns[n] for n in containers}}

    def http(self, host: str, port: int, path: str = "/", inside: str | None = None) -> HttpAnswer:
        if inside is not None:
            self._running(inside)
        self.asked.append((host, port))
        key: tuple[Any, ...] = (host, port) if inside is None else (host, port, inside)
        url = f"http://{host}:{port}{path}"
        return self.answers.get(key, HttpAnswer(url, None, "", "Connection refused"))

    def interfaces(self, container: str) -> list[Interface]:
        self._running(container)
        return list(self.links.get(container, []))

    def topology(self) -> Topology:
        return self.recorded_topology

    def journal(self) -> Journal:
        return self.recorded_journal

    def onbuild_child(self, image: str, context: dict[str, bytes], paths: list[str]) -> dict[str, FileInImage | None]:
        self.image(image)
        made = self.children.get(image, {})
        if isinstance(made, str):
            raise ProbeError(made)
        return {p: made.get(p) for p in paths}

    def image_tags(self) -> list[str]:
        return sorted(self.images)

    def veth_peer(self, container: str) -> str | None:
        self._running(container)
        return self.veths.get(container)

    def exec(self, container: str, command: list[str]) -> ProbeResult:
        self._running(container)
        return self.execs.get((container, *command), ProbeResult(1, "", "No such file or directory"))

    def run(self, spec: ProbeSpec) -> ProbeResult:
        key = (spec.image, *(spec.entrypoint or []), *(spec.command or []))
        return self.runs.get(key, ProbeResult(127, "", "exec: not found"))
