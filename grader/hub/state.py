"""The hub's state under the course's state folder: its record, secrets, logins and workspaces.

Every file is written without following links (``O_NOFOLLOW``, a fresh temporary file
renamed into place), readable by its owner only: the record holds the admin token.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.engine.settings import state_dir
from grader.errors import ConfigError

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")  # a learner name is part of a lab's name
PREFIX_ENV = "DOCKER_COURSE_HUB_PREFIX"  # set by `hub up` for the hub's process: labs are PREFIX-NAME
BASES_ENV = "DOCKER_COURSE_HUB_BASES"  # JSON list of base images for each lab (unset: all)


def lab_name(prefix: str, user: str) -> str:
    """The lab of learner ``user`` on the hub whose labs are called ``prefix-*``."""
    return f"{prefix}-{user}"


def hub_dir() -> Path:
    """``STATE/hub``: the hub's database, secrets, record and the learners' workspaces."""
    return state_dir() / "hub"


def workspaces_dir() -> Path:
    """``STATE/hub/workspaces``: one folder per learner, kept when their lab stops."""
    return hub_dir() / "workspaces"


@dataclass
class HubRecord:
    """What ``hub up`` started: where it listens, its process, the admin token, the class."""

    pid: int
    port: int
    hub_ip: str
    hub_port: int
    proxy_api_port: int
    api_token: str
    admin: str
    lab_prefix: str
    learners: list[str] = field(default_factory=list)
    base_images: list[str] | None = None

    @property
    def url(self) -> str:
        """The hub's public address (its proxy) on this machine."""
        return f"http://127.0.0.1:{self.port}/"


def record_path() -> Path:
    """``STATE/hub/hub.json``."""
    return hub_dir() / "hub.json"


def ensure_hub_dir() -> Path:
    """Make ``STATE/hub`` (owner only), refusing a link in its place.

    Raises:
        ConfigError: it is a link or not a folder.
    """
    folder = hub_dir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    if folder.is_symlink() or not folder.is_dir():
        raise ConfigError(f"{folder} is a link or not a folder: remove it, then run `docker-course hub up` again.")
    return folder


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) through a new file renamed into place: no link is followed."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)  # replaces a link itself, never its target


def read_private(path: Path) -> str | None:
    """The text of ``path``, opened without following a link; None when it is missing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f"{path} cannot be read ({e.strerror}): is it a link? Remove it.") from e
    with os.fdopen(fd) as f:
        return f.read()


def save_record(record: HubRecord) -> None:
    """Write the hub's record."""
    write_private(record_path(), json.dumps(asdict(record), indent=1) + "\n")


def load_record() -> HubRecord | None:
    """The recorded hub, or None when no record is there.

    Raises:
        ConfigError: the record is not readable JSON.
    """
    text = read_private(record_path())
    if text is None:
        return None
    try:
        data: dict[str, Any] = json.loads(text)
        return HubRecord(**{k: v for k, v in data.items() if k in HubRecord.__dataclass_fields__})
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{record_path()} is broken ({e}): run `docker-course hub down`.") from e


def forget_record() -> None:
    """Delete the hub's record."""
    record_path().unlink(missing_ok=True)


def read_users_file(path: Path) -> list[str]:
    """Learner names from a user list file: one a line; blank lines and ``#`` comments skipped.

    Raises:
        ConfigError: the file is missing, or a name is not a valid learner name (the line says which).
    """
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise ConfigError(f"The user list {path} cannot be read ({e.strerror}).") from e
    names: list[str] = []
    for number, line in enumerate(lines, 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        check_name(name, f"{path} line {number}")
        if name not in names:
            names.append(name)
    return names


def check_name(name: str, where: str = "") -> str:
    """``name`` when it is a valid learner name (lower-case letters, digits, ``_.-``; 32 at most).

    Raises:
        ConfigError: it is not.
    """
    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"{name!r}{' (' + where + ')' if where else ''} is not a learner name: use lower-case letters, "
            "digits, '_', '.' and '-' (at most 32, starting with a letter or digit)."
        )
    return name


def logins(names: list[str]) -> dict[str, str]:
    """A password for each name (kept across ``hub up`` runs in ``STATE/hub/logins.json``, mode 0600)."""
    path = hub_dir() / "logins.json"
    known: dict[str, str] = json.loads(read_private(path) or "{}")
    for name in names:
        known.setdefault(name, secrets.token_urlsafe(9))
    write_private(path, json.dumps(known, indent=1) + "\n")
    return {name: known[name] for name in names}
