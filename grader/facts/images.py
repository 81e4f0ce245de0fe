"""Facts about an image: config, history, layers, and files read without running it."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import docker

from grader.facts.containers import Mount
from grader.facts.engine_errors import inspecting
from grader.facts.image_contents import EngineImageContents, FileInImage, read_files

# FileInImage, EngineImageContents and read_files live in image_contents; importers keep this path
__all__ = ["EngineImageContents", "FileInImage", "HistoryStep", "ImageContents", "ImageFacts", "read_files"]


@dataclass(frozen=True)
class HistoryStep:
    """One line of ``docker history``."""

    created_by: str
    size: int
    empty_layer: bool

    @property
    def instruction(self) -> str:
        """The Dockerfile instruction (RUN, COPY, LABEL, ...), classic builder or BuildKit."""
        text = self.created_by.strip()
        if "#(nop)" in text:
            words = text.split("#(nop)", 1)[1].split()
            return words[0].upper() if words else ""
        if text.startswith(("/bin/sh -c ", "|")):
            return "RUN"
        return text.split()[0].upper() if text else ""

    def runs_trigger(self, trigger: str) -> bool:
        """True when this step is what the ONBUILD ``trigger`` (e.g. ``COPY . /src``) does in a child.

        The classic builder records ``#(nop) COPY dir:<digest> in /src``, BuildKit ``COPY . /src
        # buildkit``: the instruction and, for COPY and ADD, the destination tell them apart.
        """
        words = trigger.split()
        if not words or self.instruction != words[0].upper():
            return False
        if words[0].upper() not in ("COPY", "ADD"):
            return True
        text = self.created_by.strip().removesuffix("# buildkit").strip()
        destination = text.rsplit(" in ", 1)[-1] if "#(nop)" in text else copy_destination(text)
        return destination.strip().rstrip("/") == copy_destination(trigger).rstrip("/")


def copy_destination(instruction: str) -> str:
    """The destination of a COPY or ADD instruction, shell form or exec (JSON) form.

    Example::

        copy_destination('COPY [".", "/src"]') == copy_destination("COPY --chown=1 . /src") == "/src"
    """
    args = instruction.strip().split(None, 1)[1:] or [""]
    rest = args[0].strip()
    while rest.startswith("--"):  # flags: --chown=..., --from=...
        rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
    if rest.startswith("["):
        try:
            parts = json.loads(rest)
        except ValueError:
            parts = None
        if isinstance(parts, list) and parts:
            return str(parts[-1])
    return (rest.split() or [""])[-1]


SHELLS = (["/bin/sh", "-c"], ["sh", "-c"])


def is_shell_form(argv: list[str] | None) -> bool:
    """True when an ENTRYPOINT or CMD is in shell form (Docker stored it as ``/bin/sh -c ...``)."""
    return bool(argv) and list(argv or [])[:2] in SHELLS


class ImageContents(Protocol):
    """How an image's files are read without running it (the engine, or recorded data in tests)."""

    def read_files(self, paths: list[str]) -> dict[str, FileInImage | None]:
        """The files at ``paths`` (None for an absent path)."""
        ...

    def list_paths(self) -> list[str]:
        """Every path of the image's filesystem."""
        ...

    def new_container_mounts(self) -> list[Mount]:
        """The mounts a container created from the image gets."""
        ...


class ImageFacts:
    """A snapshot of one image's inspect data and history, read once; files are read on first use.

    Example::

        facts = ImageFacts.read(client, "course/hello:1.0")
        facts.labels["maintainer"]
    """

    def __init__(self, ref: str, attrs: Mapping[str, Any], history: list[dict[str, Any]], contents: ImageContents):
        self.ref = ref
        self._attrs = attrs
        self._history = history
        self._contents = contents
        self._files: dict[str, FileInImage | None] = {}
        self._paths: list[str] | None = None
        self._mounts: list[Mount] | None = None
        self._reading = threading.RLock()

    @classmethod
    def read(cls, client: docker.DockerClient, ref: str) -> ImageFacts:
        """Inspect ``ref`` once.

        Raises:
            NotFound: no such image on the course engine.
            EngineUnavailable: the engine did not answer.
        """
        with inspecting(f"The image {ref} does not exist on the course engine.", ref):
            attrs = client.api.inspect_image(ref)
            history = client.api.history(ref)
        return cls(ref, attrs, history, EngineImageContents(client, ref, str(attrs.get("Id") or "")))

    @property
    def _config(self) -> Mapping[str, Any]:
        return self._attrs.get("Config") or {}

    @property
    def id(self) -> str:
        return str(self._attrs.get("Id", ""))

    @property
    def env(self) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self._config.get("Env") or [])
        return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}

    @property
    def user(self) -> str:
        return str(self._config.get("User") or "")

    @property
    def workdir(self) -> str:
        return str(self._config.get("WorkingDir") or "")

    @property
    def exposed_ports(self) -> set[str]:
        return set((self._config.get("ExposedPorts") or {}).keys())

    @property
    def volumes(self) -> set[str]:
        return set((self._config.get("Volumes") or {}).keys())

    @property
    def cmd(self) -> list[str] | None:
        value = self._config.get("Cmd")
        return None if value is None else list(value)

    @property
    def entrypoint(self) -> list[str] | None:
        value = self._config.get("Entrypoint")
        return None if value is None else list(value)

    @property
    def labels(self) -> dict[str, str]:
        return dict(self._config.get("Labels") or {})

    @property
    def onbuild(self) -> list[str]:
        return list(self._config.get("OnBuild") or [])

    @property
    def layers(self) -> list[str]:
        return list((self._attrs.get("RootFS") or {}).get("Layers") or [])

    @property
    def size(self) -> int:
        return int(self._attrs.get("Size") or 0)

    @cached_property
    def history(self) -> list[HistoryStep]:
        """Build steps, oldest first."""
        return [
            HistoryStep(
                created_by=str(h.get("CreatedBy") or ""),
                size=int(h.get("Size") or 0),
                empty_layer=int(h.get("Size") or 0) == 0 and "#(nop)" in str(h.get("CreatedBy") or ""),
            )
            for h in reversed(self._history)
        ]

    def own_history(self, base: ImageFacts | None) -> list[HistoryStep]:
        """The steps this image added on top of ``base`` (all steps when base is None)."""
        skip = len(base.history) if base is not None and self.starts_with(base) else 0
        return self.history[skip:]

    def starts_with(self, base: ImageFacts) -> bool:
        """True when this image's layers begin with all of ``base``'s layers."""
        return bool(base.layers) and self.layers[: len(base.layers)] == base.layers

    @property
    def paths(self) -> list[str]:
        """Every path in the image's filesystem (read once, by exporting a created container)."""
        with self._reading:  # two checks of one run may ask at once: one export
            if self._paths is None:
                self._paths = self._contents.list_paths()
            return self._paths

    def file(self, path: str) -> FileInImage | None:
        """The file at ``path`` in the image (None when absent), read without running it."""
        with self._reading:
            if path not in self._files:
                self._files.update(self._contents.read_files([path]))
            return self._files[path]

    @property
    def new_container_mounts(self) -> list[Mount]:
        """The mounts a container created from this image gets (e.g. VOLUME's anonymous volumes)."""
        with self._reading:
            if self._mounts is None:
                self._mounts = self._contents.new_container_mounts()
            return self._mounts
