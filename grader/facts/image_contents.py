"""An image's files read from the engine without running it: a created (never started) container.

What is read is remembered by the image id that inspecting the tag found
(:mod:`grader.facts.image_memo`), and the container is created from that id.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import APIError
from docker.errors import NotFound as DockerNotFound

from grader.facts import image_memo
from grader.facts.containers import Mount, parse_mounts
from grader.facts.image_tree import list_paths
from grader.facts.probe import created_container, refuse_if_inspect_only


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


@dataclass(frozen=True)
class EngineImageContents:
    """An image's files read from the engine through a created (never started) container.

    ``image_id`` is the id that inspecting ``ref`` found: containers are created from it,
    and what they read is remembered by it for the process (:mod:`grader.facts.image_memo`).
    """

    client: docker.DockerClient
    ref: str
    image_id: str = ""

    # each refuses inside an inspect-only run even when the answer is remembered: a live check
    # shows "not checked live" for every part that needs a container, remembered or not

    def read_files(self, paths: list[str]) -> dict[str, FileInImage | None]:
        refuse_if_inspect_only()
        known = {p: image_memo.known(self.client, self.image_id, ("file", p)) for p in paths}
        missing = [p for p, found in known.items() if found is image_memo.UNKNOWN]
        if not missing:
            return known
        read = read_files(self.client, self.ref, missing, self.image_id)
        for path, found in read.items():
            image_memo.keep(self.client, self.image_id, ("file", path), found)
        return {**known, **read}

    def list_paths(self) -> list[str]:
        refuse_if_inspect_only()
        paths = image_memo.remembered(
            self.client, self.image_id, ("paths",), lambda: tuple(list_paths(self.client, self.ref, self.image_id))
        )
        return list(paths)

    def new_container_mounts(self) -> list[Mount]:
        refuse_if_inspect_only()

        def read() -> tuple[Mount, ...]:
            with created_container(self.client, self.ref, "inspecting a new container of", self.image_id) as container:
                return tuple(parse_mounts(container.attrs.get("Mounts")))

        return list(image_memo.remembered(self.client, self.image_id, ("mounts",), read))


def read_files(
    client: docker.DockerClient, ref: str, paths: list[str], image_id: str = ""
) -> dict[str, FileInImage | None]:
    """Copy ``paths`` out of a created (never started) container of ``ref`` (of ``image_id`` when given)."""
    with created_container(client, ref, "reading files from", image_id) as container:
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
