"""The one exception hierarchy of the course.

Every message says what happened and what to do next; callers show ``str(error)``
to a user, never a traceback.
"""


class GraderError(Exception):
    """Base of every error the course raises on purpose."""


class EngineUnavailable(GraderError):
    """The course engine cannot be reached (not started, stopped, or died)."""


class EngineInstallError(GraderError):
    """No engine exists and the course could not install or start one."""


class ImageProvisionError(GraderError):
    """A base image could not be built, loaded or found."""


class LabError(GraderError):
    """The lab container could not be started, reached or removed."""


class NotFound(GraderError):
    """An object the check needs (image, container, network, volume) does not exist."""


class ProbeError(GraderError):
    """A probe container could not run or did not finish in time."""


class ProbeRefused(GraderError):
    """A check needed a probe container during an inspect-only run (live checking)."""


class UnknownExercise(GraderError):
    """The exercise id is not in the curriculum."""


class ConfigError(GraderError):
    """A setting is invalid or a folder the course needs is not writable."""


class NotRunning(GraderError):
    """A container the check needs exists but is not running (so its namespaces cannot be entered).

    Attributes:
        container: the container's name.
        status: its state as the engine reports it (``exited``, ``created``, ...).
    """

    def __init__(self, container: str, status: str):
        super().__init__(f"The container {container} is not running (status {status}).")
        self.container = container
        self.status = status


class DeclarationError(GraderError):
    """An exercise or check declaration is invalid (found when the chapter is imported, not when checked)."""
