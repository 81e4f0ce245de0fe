"""Facts about an image: config, history, layers, and files read without running it."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import docker
from docker.errors import APIError, ImageNotFound
from docker.errors import NotFound as DockerNotFound

from grader.errors import EngineUnavailable, NotFound
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.image_tree import list_paths
from grader.facts.probe import created_container


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


@dataclass(frozen=True)
class FileInImage:
    """A file copied out of an image: its bytes and ownership."""

    path: str
    kind: str  # file | dir | symlink | other
    content: bytes
    uid: int
    gid: int
    mode: int
    link_target: str = ""

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


class ImageFacts:
    """A snapshot of one image's inspect data and history.

    Example::

        facts = ImageFacts.read(client, "course/hello:1.0")
        facts.labels["maintainer"]
    """

    def __init__(self, client: docker.DockerClient, ref: str, attrs: dict[str, Any], history: list[dict[str, Any]]):
        self.client = client
        self.ref = ref
        self.attrs = attrs
        self._history = history
        self._files: dict[str, FileInImage | None] = {}
        self._mounts: list[dict[str, Any]] | None = None

    @classmethod
    def read(cls, client: docker.DockerClient, ref: str) -> ImageFacts:
        """Inspect ``ref`` once.

        Raises:
            NotFound: no such image on the course engine.
        """
        try:
            attrs = client.api.inspect_image(ref)
            history = client.api.history(ref)
        except ImageNotFound as e:
            raise NotFound(f"The image {ref} does not exist on the course engine.") from e
        except ENGINE_ERRORS as e:
            raise EngineUnavailable(f"The course engine did not answer about {ref} ({e}).") from e
        return cls(client, ref, attrs, history)

    def reload(self) -> ImageFacts:
        return ImageFacts.read(self.client, self.ref)

    @property
    def id(self) -> str:
        return str(self.attrs.get("Id", ""))

    @property
    def tags(self) -> list[str]:
        return list(self.attrs.get("RepoTags") or [])

    @property
    def config(self) -> dict[str, Any]:
        return self.attrs.get("Config") or {}

    @property
    def env(self) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self.config.get("Env") or [])
        return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}

    @property
    def user(self) -> str:
        return str(self.config.get("User") or "")

    @property
    def workdir(self) -> str:
        return str(self.config.get("WorkingDir") or "")

    @property
    def exposed_ports(self) -> set[str]:
        return set((self.config.get("ExposedPorts") or {}).keys())

    @property
    def volumes(self) -> set[str]:
        return set((self.config.get("Volumes") or {}).keys())

    @property
    def cmd(self) -> list[str] | None:
        return self.config.get("Cmd")

    @property
    def entrypoint(self) -> list[str] | None:
        return self.config.get("Entrypoint")

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.config.get("Labels") or {})

    @property
    def onbuild(self) -> list[str]:
        return list(self.config.get("OnBuild") or [])

    @property
    def layers(self) -> list[str]:
        return list((self.attrs.get("RootFS") or {}).get("Layers") or [])

    @property
    def size(self) -> int:
        return int(self.attrs.get("Size") or 0)

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

    @cached_property
    def paths(self) -> list[str]:
        """Every path in the image's filesystem (read once, by exporting a created container)."""
        return list_paths(self.client, self.ref)

    def file(self, path: str) -> FileInImage | None:
        """The file at ``path`` in the image (None when absent), read without running it."""
        if path not in self._files:
            self._files.update(read_files(self.client, self.ref, [path]))
        return self._files[path]

    def new_container_mounts(self) -> list[dict[str, Any]]:
        """The ``Mounts`` a container created from this image gets (e.g. VOLUME's anonymous volumes)."""
        if self._mounts is None:
            with created_container(self.client, self.ref, "inspecting a new container of") as container:
                self._mounts = list(container.attrs.get("Mounts") or [])
        return self._mounts


def read_files(client: docker.DockerClient, ref: str, paths: list[str]) -> dict[str, FileInImage | None]:
    """Copy ``paths`` out of a created (never started) container of ``ref``."""
    with created_container(client, ref, "reading files from") as container:
        return {path: _copy_out(container, path) for path in paths}


def _copy_out(container: Any, path: str) -> FileInImage | None:
    try:
        stream, _ = container.get_archive(path)
    except DockerNotFound:
        return None
    except APIError as e:
        if e.response is not None and e.response.status_code == 404:
            return None
        # a path below a file (/data/x when /data is a file): the engine answers 500 "not a directory"
        if "not a directory" in str(e.explanation or ""):
            return None
        raise
    data = b"".join(stream)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        if not members:
            return None
        top = members[0]
        content = b""
        if top.isfile():
            handle = tar.extractfile(top)
            content = handle.read() if handle else b""
        kind = "file" if top.isfile() else "dir" if top.isdir() else "symlink" if top.issym() else "other"
        return FileInImage(path, kind, content, top.uid, top.gid, top.mode, top.linkname)
