"""The exceptions that mean "the engine did not answer" (SDK errors and transport errors)."""

from docker.errors import DockerException
from requests.exceptions import RequestException

ENGINE_ERRORS: tuple[type[BaseException], ...] = (DockerException, RequestException, OSError)
