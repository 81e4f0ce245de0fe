"""Commands run inside a learner's running container (``docker exec``): what it sees from inside.

The command is passed as a list (never pasted into a shell string by the caller);
nothing is created on the engine, so there is nothing to clean up.
"""

from __future__ import annotations

import docker
from docker.errors import APIError
from docker.errors import NotFound as DockerNotFound

from grader.errors import EngineUnavailable, NotFound, ProbeError
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.probe import ProbeResult, refuse_if_inspect_only


def exec_in(client: docker.DockerClient, container: str, command: list[str], user: str = "0") -> ProbeResult:
    """Run ``command`` in the running ``container`` as ``user`` and return its output.

    Raises:
        NotFound: no such container.
        ProbeError: the engine refused the exec (e.g. the container is not running).
        EngineUnavailable: the engine stopped answering.
        ProbeRefused: inside an inspect-only run.
    """
    refuse_if_inspect_only()
    try:
        exec_id = client.api.exec_create(container, command, user=user, stdout=True, stderr=True)["Id"]
        out, err = client.api.exec_start(exec_id, demux=True)
        code = client.api.exec_inspect(exec_id).get("ExitCode")
    except DockerNotFound as e:
        raise NotFound(f"There is no container named {container} on the course engine.") from e
    except APIError as e:
        raise ProbeError(f"Could not run a command inside {container}: {e.explanation}") from e
    except ENGINE_ERRORS as e:
        raise EngineUnavailable(f"The course engine stopped answering during a check ({e}).") from e
    return ProbeResult(
        -1 if code is None else int(code),
        (out or b"")[:64_000].decode(errors="replace"),
        (err or b"")[:4000].decode(errors="replace"),
    )
