"""Facts about a named volume: its inspect data, and what it holds (read by a probe that mounts it read-only).

Also the pure helpers the volume checks share: Docker/stat timestamps and
anonymous volume names.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import docker

from grader.errors import ProbeError
from grader.facts.engine_errors import inspecting
from grader.facts.probe import ProbeSpec, run_probe

MOUNT_POINT = "/course-volume"
_ANONYMOUS = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d)?$")
# prints the file's mtime (stat %y keeps the nanoseconds) then its content, or what the volume holds
_READ = 'if [ -f "$1" ]; then echo FILE; stat -c %y "$1"; cat "$1"; else echo MISSING; ls -1A "$2"; fi'


def is_anonymous(volume_name: str) -> bool:
    """True for a name Docker made up (64 hex digits): an anonymous volume."""
    return bool(_ANONYMOUS.match(volume_name))


def parse_time(text: str) -> float:
    """Seconds since the epoch from Docker's ``Created`` or busybox ``stat -c %y``.

    Example::

        parse_time("2024-05-01T10:00:00.5Z") == parse_time("2024-05-01 10:00:00.500000000 +0000")

    Raises:
        ValueError: not a timestamp of either form.
    """
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"not a timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    fraction = int((m.group(7) or "0").ljust(9, "0")) / 1e9
    zone = (m.group(8) or "Z").replace(":", "")
    offset = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
    return seconds - offset + fraction


@dataclass(frozen=True)
class VolumeFacts:
    """A named volume as ``docker volume inspect`` shows it."""

    name: str
    driver: str

    @classmethod
    def read(cls, client: docker.DockerClient, name: str) -> VolumeFacts:
        """Inspect the volume ``name`` once.

        Raises:
            NotFound: no such volume.
            EngineUnavailable: the engine did not answer.
        """
        with inspecting(f"There is no volume named {name} on the course engine.", f"volume {name}"):
            attrs = client.api.inspect_volume(name)
        return cls(name=str(attrs.get("Name") or name), driver=str(attrs.get("Driver", "")))


@dataclass(frozen=True)
class VolumeFile:
    """A file in a volume: whether it exists, its text and mtime, else what the volume holds."""

    volume: str
    path: str
    exists: bool
    text: str = ""
    mtime: float = 0.0
    listing: tuple[str, ...] = ()


def parse_volume_file(volume: str, path: str, stdout: str) -> VolumeFile:
    """The probe's output (see ``_READ``) as a VolumeFile.

    Raises:
        ProbeError: output of another shape.
    """
    head, _, rest = stdout.partition("\n")
    if head == "MISSING":
        return VolumeFile(volume, path, False, listing=tuple(line for line in rest.splitlines() if line))
    if head != "FILE":
        raise ProbeError(f"Could not read {path} in volume {volume}: unexpected output {stdout[:120]!r}")
    stamp, _, text = rest.partition("\n")
    try:
        mtime = parse_time(stamp)
    except ValueError as e:
        raise ProbeError(f"Could not read the time of {path} in volume {volume}: {e}") from e
    return VolumeFile(volume, path, True, text, mtime)


def read_volume_file(client: docker.DockerClient, volume: str, path: str) -> VolumeFile:
    """Read ``path`` (relative to the volume's root) from the named ``volume``.

    The caller makes sure the volume exists: mounting an absent name would create it.
    The probe mounts it read-only and is removed afterwards (the named volume stays).

    Raises:
        ProbeError: the probe failed.
    """
    inside = f"{MOUNT_POINT}/{path.lstrip('/')}"
    spec = ProbeSpec(command=["sh", "-c", _READ, "sh", inside, MOUNT_POINT], volumes={volume: MOUNT_POINT})
    result = run_probe(client, spec)
    if not result.ok:
        raise ProbeError(f"Could not read volume {volume}: {(result.stderr or result.stdout).strip()[:200]}")
    return parse_volume_file(volume, path, result.stdout)
