"""A PostgreSQL server of the course's own for a large class's gradebook (``docker-course gradebook``).

Debian's ``postgresql`` (system-packages.txt, stage ``postgres``; installed when missing
on Debian as root) runs a cluster of the course's own, not Debian's ``main`` one: its data
folder (``/var/lib/docker-course/postgres`` as root, else ``STATE/postgres``), owned by the
``postgres`` user when run as root (PostgreSQL refuses root), listening on a unix socket
only, in a folder only that user (and root) may enter. nbgrader reaches it through
``DOCKER_COURSE_GRADEBOOK`` (:func:`db_url`); no TCP port is opened, so no lab reaches it.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from grader.engine.install import install_stage
from grader.engine.progress import Reporter, silent
from grader.engine.settings import state_dir
from grader.errors import ConfigError, EngineUnavailable

DATABASE = "gradebook"
START_TIMEOUT = 60.0
PACKAGES_STAGE = "postgres"


@dataclass(frozen=True)
class Server:
    """A running PostgreSQL of the course: its postmaster's pid, data and socket folders."""

    pid: int
    data: Path
    socket_dir: Path

    @property
    def url(self) -> str:
        """The gradebook's SQLAlchemy URL (``DOCKER_COURSE_GRADEBOOK``)."""
        return db_url(self.socket_dir)


def db_url(socket_dir: Path, database: str = DATABASE) -> str:
    """The SQLAlchemy URL of ``database`` on the server whose socket is in ``socket_dir``."""
    return f"postgresql+psycopg2://postgres@/{database}?host={socket_dir}"


def default_data_dir() -> Path:
    """``/var/lib/docker-course/postgres`` as root (the postgres user cannot enter root's home), else STATE."""
    return Path("/var/lib/docker-course/postgres") if os.geteuid() == 0 else state_dir() / "postgres"


def bin_dir(report: Reporter = silent) -> Path:
    """Debian's PostgreSQL programs (``/usr/lib/postgresql/N/bin``), the packages installed if missing.

    Raises:
        ConfigError: PostgreSQL is not installed and cannot be installed here.
    """
    for attempt in range(2):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if found:
            return found[-1].parent
        if attempt == 0:
            install_stage(PACKAGES_STAGE, report)
    raise ConfigError(
        "PostgreSQL is not installed: install Debian's `postgresql` (as root, `./course.sh gradebook` does), "
        "or keep the SQLite gradebook."
    )


def _owner() -> tuple[int, int] | None:
    """The postgres user's (uid, gid) when running as root (PostgreSQL refuses to run as root), else None."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as e:
        raise ConfigError("No `postgres` user on this machine: install Debian's `postgresql` package.") from e
    return entry.pw_uid, entry.pw_gid


def _identity(owner: tuple[int, int] | None) -> tuple[int | None, int | None, list[int] | None]:
    """``user``, ``group`` and ``extra_groups`` for subprocess: the postgres user's, or ours (None)."""
    return (owner[0], owner[1], []) if owner else (None, None, None)


def _run(args: list[str], owner: tuple[int, int] | None) -> None:
    user, group, groups = _identity(owner)
    done = subprocess.run(  # noqa: S603 - fixed programs
        args, capture_output=True, text=True, cwd="/", user=user, group=group, extra_groups=groups
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-2:]
        raise EngineUnavailable(f"`{Path(args[0]).name}` failed: {' / '.join(tail)[:300]}")


def _own_folder(path: Path, owner: tuple[int, int] | None) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.is_symlink():
        raise ConfigError(f"{path} is a link: remove it, then start the gradebook's server again.")
    os.chmod(path, 0o700)
    if owner:
        os.chown(path, *owner)


def up(data: Path | None = None, report: Reporter = silent) -> Server:
    """Start (making it on first use) the course's PostgreSQL cluster and its ``gradebook`` database.

    Raises:
        ConfigError: PostgreSQL is missing and cannot be installed, or a folder is a link.
        EngineUnavailable: it did not start (its log is named).
    """
    data = data or default_data_dir()
    found = running(data)
    if found is not None:
        return found
    programs, owner = bin_dir(report), _owner()
    cluster, sockets = data / "cluster", data / "run"
    for folder in (data, sockets):
        _own_folder(folder, owner)
    if not (cluster / "PG_VERSION").exists():
        report(f"making the gradebook's PostgreSQL cluster in {cluster}")
        _run([str(programs / "initdb"), "-D", str(cluster), "-U", "postgres", "--auth=trust", "-E", "UTF8"], owner)
    log = data / "postgres.log"
    with open(log, "ab") as out:
        if owner:
            os.fchown(out.fileno(), *owner)
        user, group, groups = _identity(owner)
        command = [str(programs / "postgres"), "-D", str(cluster), "-k", str(sockets), "-c", "listen_addresses="]
        proc = subprocess.Popen(  # noqa: S603 - fixed programs
            command, stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True, cwd="/",
            user=user, group=group, extra_groups=groups,
        )  # fmt: skip
    server = Server(proc.pid, data, sockets)
    _wait(server, proc, log)
    _ensure_database(programs, server, owner)
    report(f"PostgreSQL is running (pid {proc.pid}); gradebook: {server.url}")
    return server


def _wait(server: Server, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if list(server.socket_dir.glob(".s.PGSQL.*")) and (server.data / "cluster" / "postmaster.pid").exists():
            return
        time.sleep(0.3)
    tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
    raise EngineUnavailable(f"PostgreSQL did not start; its log {log} ends: {' | '.join(tail)[-400:]}")


def _ensure_database(programs: Path, server: Server, owner: tuple[int, int] | None) -> None:
    psql = [str(programs / "psql"), "-h", str(server.socket_dir), "-U", "postgres", "-tA"]
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
    done = subprocess.run([*psql, "-c", query], capture_output=True, text=True)  # noqa: S603
    if done.stdout.strip() != "1":
        _run([str(programs / "createdb"), "-h", str(server.socket_dir), "-U", "postgres", DATABASE], owner)


def running(data: Path | None = None) -> Server | None:
    """The course's PostgreSQL on ``data`` while its postmaster lives, else None."""
    data = data or default_data_dir()
    try:
        pid = int((data / "cluster" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return Server(pid, data, data / "run")


def down(data: Path | None = None, timeout: float = 30) -> bool:
    """Stop the course's PostgreSQL by its postmaster's pid (a fast shutdown); False when none ran."""
    found = running(data)
    if found is None:
        return False
    os.kill(found.pid, signal.SIGINT)  # PostgreSQL's fast shutdown: sessions ended, data written
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(found.pid):
        time.sleep(0.2)
    return True


def _alive(pid: int) -> bool:
    """True while ``pid`` lives (our own exited child is reaped, not taken for alive)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
