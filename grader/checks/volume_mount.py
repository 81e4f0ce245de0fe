"""Check type: a container mounts a named volume, an anonymous volume or a bind mount at a path.

Each wrong shape has its own hint: a bind mount where a volume was asked (or the
reverse), a relative bind path that made a named volume, no mount at all (the
data then lives in the container's writable layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.containers import ContainerFacts, Mount
from grader.facts.volumes import is_anonymous


def show_mount(m: Mount) -> str:
    """``volume course-db-data at /var/lib/kv (rw)``: a mount as a learner reads it."""
    what = m.name[:12] + "... (anonymous)" if m.type == "volume" and is_anonymous(m.name) else m.name
    source = what if m.type == "volume" else m.source
    return f"{m.type} {source} at {m.destination} ({'rw' if m.rw else 'ro'})"


def show_mounts(mounts: list[Mount]) -> str:
    return "; ".join(show_mount(m) for m in mounts) or "no mounts"


def bind_hint(m: Mount, folder: str, destination: str) -> str:
    """The hint for a mount at ``destination`` that is not a bind of ``folder``."""
    flag = f'-v "$PWD/{folder}:{destination}:ro"'
    if m.type == "volume" and not is_anonymous(m.name):
        return (
            f"`-v {m.name}:{destination}` does not mean the folder ./{m.name}: a source without a slash is a "
            f"VOLUME NAME, so Docker created an empty named volume called {m.name} (see `docker volume ls`). "
            f"Use an absolute host path: {flag} (remove the container, then `docker volume rm {m.name}`)."
        )
    if m.type == "volume":
        return f"That is an anonymous volume, not the host folder: bind the chapter's folder with {flag}."
    return f"That binds {m.source}, not the chapter's {folder}/ folder: run it from the chapter folder with {flag}."


def volume_hint(m: Mount, volume: str, destination: str) -> str:
    """The hint for a mount at ``destination`` that is not the named volume ``volume``."""
    flag = f"-v {volume}:{destination}"
    if m.type == "bind":
        return (
            f"That is a bind mount of the host folder {m.source}, not the named volume: a source with a slash "
            f"is a host path. Use the volume's plain name: {flag}."
        )
    if is_anonymous(m.name):
        return f"That is an anonymous volume (Docker made up its name): name the volume, {flag}."
    return f"That is the volume {m.name}, not {volume}: use {flag}."


@dataclass
class VolumeMount(Check):
    """Container ``container`` mounts, at ``destination``, the named volume ``volume``
    (``type="volume"``), an anonymous volume (``anonymous=True``) or a bind mount whose
    source ends with ``source_suffix`` (``type="bind"``).

    ``destination=None`` accepts the volume at any path. ``image``: the container must
    run that image; ``running``: True/None (any state).
    """

    container: str = ""
    destination: str | None = None
    type: str = "volume"
    volume: str = ""
    anonymous: bool = False
    source_suffix: str = ""
    image: str = ""
    running: bool | None = None
    kind: ClassVar[str] = "volume mount"
    REQUIRED = ("container",)
    CHOICES = {"type": ("volume", "bind")}
    OBJECTS = {"container": "container", "volume": "volume", "image": "image"}

    def describe(self) -> str:
        if self.title:
            return self.title
        where = f" at {self.destination}" if self.destination else ""
        what = "an anonymous volume" if self.anonymous else f"{self.type} {self.volume or self.source_suffix}"
        return f"{self.container} mounts {what}{where}"

    def _expected(self) -> str:
        parts = [self.describe()]
        if self.image:
            parts.append(f"from {self.image}")
        if self.running:
            parts.append("running")
        return ", ".join(parts)

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.container)
        expected = self._expected()
        wrong = self._wrong_container(ctx, facts)
        if wrong:
            return Outcome(False, expected, wrong[0], wrong[1])
        found = show_mounts(facts.mounts)
        m = self._find(facts)
        if m is None:
            return Outcome(False, expected, found, self._missing_hint())
        problem = self._wrong_mount(m)
        return Outcome(problem is None, expected, found, problem or "")

    def _wrong_container(self, ctx: Context, facts: ContainerFacts) -> tuple[str, str] | None:
        if self.image and facts.image_ref != self.image and facts.image_id != ctx.facts.image(self.image).id:
            return (
                f"{self.container} runs {facts.image_ref}",
                f"Create {self.container} from {self.image}: docker rm -f {self.container}, then run it again.",
            )
        if self.running and not facts.running:
            return (
                f"{self.container} is {facts.status}",
                f"{self.container} must be running: start it (docker start {self.container}) or run it with -d.",
            )
        return None

    def _find(self, facts: ContainerFacts) -> Mount | None:
        if self.destination:
            return facts.mount_at(self.destination)
        return next((m for m in facts.mounts if m.type == "volume" and m.name == self.volume), None)

    def _missing_hint(self) -> str:
        if not self.destination:
            return f"Mount the same volume in {self.container}: -v {self.volume}:/PATH (or --volumes-from)."
        if self.anonymous:
            return (
                f"Nothing is mounted at {self.destination}: run the image as it is (its VOLUME gives the "
                "container an anonymous volume), without --mount/-v tricks."
            )
        flag = (
            f'-v "$PWD/{PurePosixPath(self.source_suffix).name}:{self.destination}"'
            if self.type == "bind"
            else f"-v {self.volume}:{self.destination}"
        )
        return (
            f"Nothing is mounted at {self.destination}, so what {self.container} writes there stays in its own "
            f"writable layer and is gone with the container. Create it with {flag}."
        )

    def _wrong_mount(self, m: Mount) -> str | None:
        destination = self.destination or m.destination
        if self.anonymous:
            if m.type == "volume" and is_anonymous(m.name):
                return None
            return (
                f"{self.container} has {show_mount(m)}, which the image's VOLUME did not make: run the image "
                "without -v/--mount so that Docker creates an anonymous volume."
            )
        if self.type == "bind":
            source = m.source.rstrip("/")
            if m.type == "bind" and (source == self.source_suffix or source.endswith("/" + self.source_suffix)):
                return None
            return bind_hint(m, PurePosixPath(self.source_suffix).name, destination)
        if m.type == "volume" and m.name == self.volume:
            return None
        return volume_hint(m, self.volume, destination)
