"""What the learner did for one exercise, from the course's event journal: a timeline.

The exercise's objects come from :mod:`grader.curriculum`; their events (containers
created, started, exited, renamed, removed; images tagged, loaded, untagged, deleted;
volumes and networks created and removed) from :mod:`grader.facts.journal`. The timeline
states the period the journal covers, and says so when there is no journal: it never
claims that something did not happen outside that period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import docker

from grader import curriculum
from grader.facts.journal import Journal, JournalEvent, clock, read_journal


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to one of the exercise's objects."""

    t: float
    kind: str  # container, image, volume, network
    name: str
    action: str  # the engine's word: create, start, die, destroy, tag, ...
    text: str  # the same, said to the learner
    exit: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"t": self.t, "clock": clock(self.t), "kind": self.kind, "name": self.name}
        data.update(action=self.action, text=self.text)
        if self.exit is not None:
            data["exit"] = self.exit
        return data


@dataclass(frozen=True)
class Timeline:
    """An exercise's entries, oldest first, and what the journal covers (``coverage``, said in words)."""

    exercise: str
    available: bool
    coverage: str
    entries: tuple[TimelineEntry, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "journal": self.available,
            "coverage": self.coverage,
            "entries": [e.to_json() for e in self.entries],
        }

    def to_text(self) -> str:
        lines = [f"What you did for {self.exercise}: {self.coverage}."]
        if self.available and not self.entries:
            lines.append("  nothing of this exercise's objects in that period")
        lines += [f"  {clock(e.t)}  {e.kind} {e.name}: {e.text}" for e in self.entries]
        return "\n".join(lines)


def coverage_of(journal: Journal) -> str:
    """The period the journal vouches for, in words (or why there is none)."""
    if journal.since is None:
        return journal.gap_before(0.0)
    if not journal.live and journal.until is not None:
        return (
            f"the course's event journal covers {clock(journal.since)} to {clock(journal.until)} "
            "(its recorder is not running)"
        )
    return f"the course's event journal covers this engine from {clock(journal.since)}"


def timeline_of(exercise_id: str, journal: Journal) -> Timeline:
    """The timeline of ``exercise_id``'s objects in ``journal``.

    Raises:
        curriculum.UnknownName: not an exercise of the course.
    """
    names = curriculum.names_of(exercise_id)
    picked: dict[int, JournalEvent] = {}
    for name in names.containers:
        picked.update((id(e), e) for e in journal.of_container(name))
    picked.update((id(e), e) for e in _image_events(journal, names.images))
    for kind, wanted in (("volume", names.volumes), ("network", names.networks)):
        picked.update((id(e), e) for e in journal.events if e.type == kind and (e.name in wanted or e.id in wanted))
    events = sorted(picked.values(), key=lambda e: e.t)
    entries = tuple(_entry(e) for e in events)
    return Timeline(exercise_id, journal.available, coverage_of(journal), entries)


def exercise_timeline(exercise_id: str, client: docker.DockerClient | None = None) -> Timeline:
    """The timeline of ``exercise_id`` from the journal of ``client``'s engine (default: the course engine).

    Raises:
        curriculum.UnknownName: not an exercise of the course (checked before the engine is asked).
        EngineUnavailable: the course engine does not answer.
    """
    from grader.engine.client import course_engine
    from grader.engine.journal import journal_folder

    curriculum.exercise(exercise_id)
    client = client or course_engine()
    return timeline_of(exercise_id, read_journal(journal_folder(client)))


def _image_events(journal: Journal, wanted: tuple[str, ...]) -> list[JournalEvent]:
    """Events of the images once tagged with one of ``wanted`` (an untagged name means ``:latest``).

    Untag and delete events name the image by id only: they are followed through the ids
    the wanted tags were given.
    """
    refs = {w if ":" in w.rsplit("/", 1)[-1] else f"{w}:latest" for w in wanted}
    ids = {e.id for e in journal.events if e.type == "image" and e.name in refs}
    return [e for e in journal.events if e.type == "image" and (e.name in refs or e.id in ids)]


def _entry(e: JournalEvent) -> TimelineEntry:
    # untag and delete name an image by its id only: shown short, as `docker images` does
    by_id = e.type == "image" and (e.name in ("", e.id) or e.name.startswith("sha256:"))
    return TimelineEntry(e.t, e.type, _short(e.id) if by_id else e.name, e.action, _say(e), e.exit)


def _say(e: JournalEvent) -> str:
    """The event in the learner's words."""
    if e.type == "container":
        if e.action == "die":
            return f"exited with code {e.exit}" if e.exit is not None else "stopped (no exit code kept)"
        said = {
            "create": f"created from {e.image or 'an image'}",
            "start": "started",
            "destroy": "removed",
            "oom": "killed: out of memory",
            "rename": f"renamed from {e.old_name} to {e.name}",
        }
        return said.get(e.action, e.action)
    if e.type == "image":
        said = {
            "tag": "tagged (by a build or docker tag)",
            "load": "loaded",
            "import": "imported",
            "pull": "pulled",
            "untag": "one of its tags removed",
            "delete": "image deleted",
        }
        return said.get(e.action, e.action)
    return {"create": "created", "destroy": "removed"}.get(e.action, e.action)


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12] or "an image"
