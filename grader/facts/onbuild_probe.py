"""What an image's ONBUILD triggers do: a child built FROM it by the course, its files read, then removed.

A trigger is judged by its effect, not its text (``COPY . /src`` and ``COPY [".", "/src"]``
are one trigger): the course builds ``FROM <image id>`` with a small context of its own
(the classic builder, as docker-py always builds), reads the paths asked for out of the
child without running it, and removes the child.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
import uuid

import docker
from docker.errors import APIError, DockerException

from grader.engine.settings import PROBE_LABEL
from grader.errors import EngineUnavailable, ProbeError
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.images import FileInImage, read_files
from grader.facts.probe import refuse_if_inspect_only

BUILD_TIMEOUT = 120


def context_tar(dockerfile: str, files: dict[str, bytes]) -> io.BytesIO:
    """A build context (Dockerfile and ``files``) as an in-memory tar."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name, content in {"Dockerfile": dockerfile.encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), 0o644
            tar.addfile(info, io.BytesIO(content))
    data.seek(0)
    return data


def child_files(
    client: docker.DockerClient, base_id: str, context: dict[str, bytes], paths: list[str]
) -> dict[str, FileInImage | None]:
    """The files at ``paths`` in a child built FROM ``base_id`` with ``context`` (its triggers run).

    Raises:
        ProbeError: the child's build failed (a trigger failed: the message is the builder's).
        EngineUnavailable: the engine stopped answering.
        ProbeRefused: inside an inspect-only run.
    """
    refuse_if_inspect_only()
    tag = f"course-probe/onbuild-child:{uuid.uuid4().hex[:10]}"
    try:
        lines = client.api.build(
            fileobj=context_tar(f"FROM {base_id}\n", context),
            custom_context=True,
            tag=tag,
            rm=True,
            forcerm=True,
            decode=True,
            labels={PROBE_LABEL: "true"},
            timeout=BUILD_TIMEOUT,
        )
        errors = [str(line.get("error") or "").strip() for line in lines if line.get("error")]
        if errors:
            raise ProbeError(f"a child built FROM it failed: {errors[-1][:300]}")
        return read_files(client, tag, paths)
    except APIError as e:
        raise ProbeError(f"a child built FROM it failed: {e.explanation}") from e
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine stopped answering while building a child of it ({e}).") from e
    finally:
        with contextlib.suppress(DockerException):
            client.images.remove(tag, force=True, noprune=False)
