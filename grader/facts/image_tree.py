"""Every path in an image's filesystem, read without running it.

``docker export`` of a created (never started) container streams the merged
filesystem as a tar; only the headers are read, so the whole of python:3.11
(~9000 paths) takes about a second. Works for images without a shell.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Iterator
from typing import Any

import docker

from grader.errors import EngineUnavailable
from grader.facts.probe import created_container


class _ChunkStream(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (tarfile's streaming mode needs read())."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def list_paths(client: docker.DockerClient, ref: str) -> list[str]:
    """Absolute paths of every file, directory and link in ``ref``.

    Raises:
        NotFound: no such image.
        EngineUnavailable: the engine failed while exporting.
        ProbeRefused: inside an inspect-only run.
    """
    with created_container(client, ref, "listing the files of") as container:
        paths = []
        try:
            stream = io.BufferedReader(_ChunkStream(container.export(chunk_size=1 << 20)))
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    name = member.name.strip("/").removeprefix("./")
                    if name and name != ".":
                        paths.append("/" + name)
        except tarfile.TarError as e:
            raise EngineUnavailable(f"The course engine sent a broken export of {ref} ({e}).") from e
        return paths
