"""Where the course keeps its state and cache, and which engine mode is in force.

Settings come from environment variables first, then ``STATE/config.json``
(written by ``docker-course engine up --mode ...``), then defaults.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader.errors import ConfigError

LAB_SOCKET_IN_LAB = "/run/course-engine/docker.sock"
CHANNEL_SOCKET = "course-channel.sock"  # beside it: the lab's channel to the course on the host
IN_LAB_ENV = "DOCKER_COURSE_IN_LAB"
COURSE_LABEL = "org.docker-course.managed"
COURSE_BUILT_LABEL = "org.docker-course.course-built"
PROBE_LABEL = "org.docker-course.probe"
MODES = ("lab", "host")


def repo_root() -> Path:
    """The course checkout: the folder holding ``grader/`` and ``course/``."""
    return Path(os.environ.get("DOCKER_COURSE_ROOT") or Path(__file__).resolve().parents[2])


def course_dir() -> Path:
    """The folder of the chapter notebooks."""
    return repo_root() / "course"


def state_dir() -> Path:
    """Per-user state: config, lab socket folders."""
    default = Path.home() / ".local" / "state" / "docker-course"
    return Path(os.environ.get("DOCKER_COURSE_STATE") or default)


def cache_dir() -> Path:
    """Per-user cache: root filesystems, image tarballs, the lab's wheelhouse."""
    default = Path.home() / ".cache" / "docker-course"
    return Path(os.environ.get("DOCKER_COURSE_CACHE") or default)


def lab_run_dir(name: str) -> Path:
    """Host folder bind-mounted into lab ``name``; holds its engine socket and lab-init's reports."""
    return state_dir() / "labs" / name / "run"


def in_lab() -> bool:
    """True when this process runs inside a lab container."""
    return os.environ.get(IN_LAB_ENV) == "1"


def ensure_writable(folder: Path, what: str) -> Path:
    """Create ``folder`` and prove it is writable, or raise a ConfigError that says so."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a probe file of our own: parallel course processes (grading workers, a test run
        # beside a learner's lab) prove the same folder at the same moment
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as e:
        raise ConfigError(
            f"The {what} folder {folder} is not writable ({e.strerror or e}). "
            f"Make it writable or point the course elsewhere "
            f"(DOCKER_COURSE_STATE / DOCKER_COURSE_CACHE)."
        ) from e
    return folder


@dataclass
class Settings:
    """The engine settings in force."""

    mode: str = "lab"
    lab_name: str = "docker-course-lab"
    jupyter_port: int = 8888
    lab_memory: str = "6g"
    lab_pids: int = 4096
    lab_cpus: float = 2.0
    privileged: bool = False

    @classmethod
    def load(cls) -> Settings:
        """Read settings: environment, then config.json, then defaults."""
        data: dict[str, Any] = {}
        path = state_dir() / "config.json"
        if path.exists():
            try:
                data = json.loads(path.read_text())
            except ValueError as e:
                raise ConfigError(f"{path} is not valid JSON ({e}); fix or delete it.") from e
        settings = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        env = os.environ
        settings.mode = env.get("DOCKER_COURSE_MODE", settings.mode)
        settings.lab_name = env.get("DOCKER_COURSE_LAB", settings.lab_name)
        if env.get("DOCKER_COURSE_PORT"):
            settings.jupyter_port = int(env["DOCKER_COURSE_PORT"])
        if in_lab():
            settings.mode = "lab"
        if settings.mode not in MODES:
            raise ConfigError(f"Unknown engine mode {settings.mode!r}: use one of {', '.join(MODES)}.")
        return settings

    def save(self) -> None:
        """Persist these settings to config.json."""
        folder = ensure_writable(state_dir(), "state")
        (folder / "config.json").write_text(json.dumps(asdict(self), indent=2) + "\n")

    def lab_run_dir(self, name: str | None = None) -> Path:
        """Host folder bind-mounted into a lab; holds its engine socket."""
        return lab_run_dir(name or self.lab_name)

    def docker_host(self) -> str:
        """URL from which host-side tools (and this process) reach the course engine."""
        if in_lab():
            return "unix://" + LAB_SOCKET_IN_LAB
        if self.mode == "host":
            return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        return "unix://" + str(self.lab_run_dir() / "docker.sock")
