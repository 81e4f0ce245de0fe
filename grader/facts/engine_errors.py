"""The exceptions that mean "the engine did not answer" (SDK errors and transport errors),
and the one translation of an inspect call's failures into the course's errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from docker.errors import DockerException
from docker.errors import NotFound as DockerNotFound
from requests.exceptions import RequestException

from grader.errors import EngineUnavailable, NotFound

ENGINE_ERRORS: tuple[type[BaseException], ...] = (DockerException, RequestException, OSError)


@contextlib.contextmanager
def inspecting(absent: str, subject: str) -> Iterator[None]:
    """Inside this block, the engine's 404 becomes NotFound(``absent``) and any other engine or
    transport failure EngineUnavailable about ``subject``.

    Example::

        with inspecting(f"There is no volume named {name} on the course engine.", f"volume {name}"):
            attrs = client.api.inspect_volume(name)
    """
    try:
        yield
    except DockerNotFound as e:  # also the SDK's ImageNotFound
        raise NotFound(absent) from e
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine did not answer about {subject} ({e}).") from e
