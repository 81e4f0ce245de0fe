"""The curriculum as data: chapters, the images they need, and the objects each exercise creates.

A leaf module (it imports nothing from ``grader``): the engine (prepare, host-mode
reset), the widgets, the landing page and grading read it; the exercises' checks
stay declared in ``grader/chapters/chNN.py`` and a unit test ties the two
together. Every name here is a public contract (CURRICULUM "Names are part of the
specification"): learners are told them, checks look for them.

Example::

    >>> from grader import curriculum
    >>> curriculum.chapter("2").folder
    '02-ports'
    >>> curriculum.names_of("ch03-ex6").containers
    ('sidecar',)
    >>> curriculum.dependents_of("ch03-ex3")
    ('ch03-ex6',)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Image tags of the curriculum start with this: host-mode reset removes every such tag.
IMAGE_PREFIX = "course/"


@dataclass(frozen=True)
class Names:
    """Engine objects by kind: container, network and volume names, image tags."""

    containers: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    images: tuple[str, ...] = ()

    def __or__(self, other: Names) -> Names:
        def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(sorted(set(a) | set(b)))

        return Names(
            union(self.containers, other.containers),
            union(self.networks, other.networks),
            union(self.volumes, other.volumes),
            union(self.images, other.images),
        )

    def all(self) -> tuple[str, ...]:
        """Every name, whatever its kind."""
        return (*self.containers, *self.networks, *self.volumes, *self.images)


@dataclass(frozen=True)
class ExercisePlan:
    """What one exercise leaves on the engine, and which earlier exercises' objects its check reads.

    ``depends_on``: re-creating those exercises' objects can break this one
    (``sidecar`` joins ``api``'s namespace: re-running ``api`` breaks ``sidecar``).
    """

    id: str
    creates: Names
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProvidedImage:
    """An image the course builds for a chapter from the sources in ``grader/images/provided/SOURCE``."""

    tag: str
    source: str
    bases: tuple[str, ...]


@dataclass(frozen=True)
class Chapter:
    """One chapter: an nbgrader assignment graded alone, in a fresh lab.

    ``demos``: objects the chapter's notebook creates outside the exercises (its
    demonstrations), so that a reset or a "start over" finds them too.
    """

    number: str
    folder: str
    title: str
    summary: str
    base_images: tuple[str, ...]
    provided_images: tuple[str, ...]
    exercises: tuple[ExercisePlan, ...]
    demos: Names = field(default_factory=Names)

    def names(self) -> Names:
        """Every object of the chapter: its exercises' and its demonstrations'."""
        out = self.demos
        for exercise in self.exercises:
            out = out | exercise.creates
        return out


def _ex(
    exercise_id: str,
    containers: tuple[str, ...] = (),
    networks: tuple[str, ...] = (),
    volumes: tuple[str, ...] = (),
    images: tuple[str, ...] = (),
    depends_on: tuple[str, ...] = (),
) -> ExercisePlan:
    return ExercisePlan(exercise_id, Names(containers, networks, volumes, images), depends_on)


# A table: one line per exercise reads better than the formatter's one line per name.
# fmt: off
PROVIDED: tuple[ProvidedImage, ...] = (
    ProvidedImage("course/web:1.0", "web", ("busybox",)),
    ProvidedImage("course/kv:1.0", "kv", ("busybox",)),
    ProvidedImage("course/volume-port:1.0", "volume-port", ("busybox",)),
)

CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "01", "01-dockerfile", "Dockerfile",
        "instructions, layers, build context, cache",
        ("busybox",), (),
        (
            _ex("ch01-ex1", images=("course/hello:1.0",)),
            _ex("ch01-ex2", images=("course/motd:1.0",)),
            _ex("ch01-ex3", images=("course/config:2.0",)),
            _ex("ch01-ex4", images=("course/app-user:1.0",)),
            _ex("ch01-ex5", images=("course/files:1.0",)),
            _ex("ch01-ex6", images=("course/volume-port:1.0",)),
            _ex("ch01-ex7", images=("course/echo:1.0",)),
            _ex("ch01-ex8", images=("course/onbuild-base:1.0", "course/onbuild-child:1.0")),
        ),
        demos=Names(
            containers=("demo-once", "demo-ticker", "demo-volume"),
            images=("demo/another-name:1.0", "demo/arg", "demo/cache", "demo/cmd", "demo/context",
                "demo/context-classic", "demo/copy", "demo/exec", "demo/from", "demo/layers", "demo/layers-classic",
                "demo/maintainer", "demo/onbuild-base", "demo/onbuild-child", "demo/remote", "demo/secret", "demo/url",
                "demo/volume", "demo/workdir", "demo/workdir-classic"),
        ),
    ),
    Chapter(
        "02", "02-ports", "Port mapping",
        "EXPOSE vs publishing, -p and -P, conflicts",
        ("busybox",), ("course/web:1.0",),
        (
            _ex("ch02-ex1", containers=("web-all",)),
            _ex("ch02-ex2", containers=("web-random",)),
            _ex("ch02-ex3", containers=("web-fixed",)),
            _ex("ch02-ex4", containers=("web-ip-random",)),
            _ex("ch02-ex5", containers=("web-ip-fixed",)),
            _ex("ch02-ex6", containers=("web-second",), depends_on=("ch02-ex3",)),
        ),
        demos=Names(
            containers=("demo-all", "demo-clash", "demo-fixed", "demo-ip", "demo-ip-fixed", "demo-loopback",
                "demo-one", "demo-unpublished"),
        ),
    ),
    Chapter(
        "03", "03-networks", "Network modes",
        "bridge, veth pairs, user-defined networks, host, none",
        ("busybox",), ("course/web:1.0",),
        (
            _ex("ch03-ex1"),
            _ex("ch03-ex2", containers=("probe-a",)),
            _ex("ch03-ex3", containers=("api", "client"), networks=("course-net",)),
            _ex("ch03-ex4", containers=("host-web",)),
            _ex("ch03-ex5", containers=("isolated",)),
            _ex("ch03-ex6", containers=("sidecar",), depends_on=("ch03-ex3",)),
        ),
        demos=Names(
            containers=("demo-a", "demo-b", "demo-c", "demo-d", "demo-e", "demo-web"),
            networks=("demo-net", "demo-net2"),
        ),
    ),
    Chapter(
        "04", "04-namespaces", "Namespaces",
        "pid, net, ipc, uts, mnt, user; nsenter",
        ("busybox", "debian:bookworm-slim"), (),
        (
            _ex("ch04-ex1", containers=("ns-demo",)),
            _ex("ch04-ex2", containers=("named",)),
            _ex("ch04-ex3", containers=("pid-host",)),
            _ex("ch04-ex4", containers=("ipc-a", "ipc-b")),
            _ex("ch04-ex5", containers=("nsenter-demo",)),
            _ex("ch04-ex6", containers=("userns-demo",)),
        ),
        demos=Names(
            containers=("demo-a", "demo-b", "demo-host", "demo-ipc", "demo-ns", "demo-priv", "demo-sig",
                "demo-sig-init", "demo-target"),
        ),
    ),
    Chapter(
        "05", "05-volumes", "Volumes and bind mounts",
        "named volumes, bind mounts, read-only, sharing",
        ("busybox",), ("course/kv:1.0", "course/volume-port:1.0"),
        (
            _ex("ch05-ex1", containers=("note-1", "note-2")),
            _ex("ch05-ex2", containers=("db-1", "db-2"), volumes=("course-db-data",)),
            _ex("ch05-ex3", containers=("reader",)),
            _ex("ch05-ex4", containers=("producer", "consumer"), volumes=("shared-data",)),
            _ex("ch05-ex5", containers=("anon-vol",)),
        ),
        demos=Names(
            containers=("demo-anon", "demo-clock", "demo-kv", "demo-layer", "demo-tmpfs", "demo-watch",
                "demo-writer"),
            # "config": the lesson's accident, `-v config:/config` makes a named volume
            volumes=("config", "demo-backup-restored", "demo-backup-src", "demo-data", "demo-etc", "demo-keep",
                "demo-kv-data", "demo-mount", "demo-owned", "demo-owned-2", "demo-shared"),
            images=("course/owned-demo", "demo/volume-gotcha"),
        ),
    ),
    Chapter(
        "06", "06-multistage", "Multi-stage builds",
        "builder and runtime stages, image size",
        ("busybox", "python:3.11", "python:3.11-slim"), (),
        (
            _ex("ch06-ex1", images=("course/app:fat",)),
            _ex("ch06-ex2", images=("course/app:slim",), depends_on=("ch06-ex1",)),
            _ex("ch06-ex3", images=("course/app:builder",)),
            _ex("ch06-ex4", images=("course/hello-static:1.0",)),
        ),
        demos=Names(
            containers=("demo-no-shell", "demo-scratch", "demo-waiter-build"),
            images=(
                "demo/cache-mount", "demo/copy-link", "demo/copy-plain", "demo/maker", "demo/no-gcc", "demo/no-shell",
                "demo/scratch", "demo/stages",
            ),
        ),
    ),
)
# fmt: on

_BY_NUMBER = {c.number: c for c in CHAPTERS}
_EXERCISES = {e.id: e for c in CHAPTERS for e in c.exercises}
_PROVIDED = {p.tag: p for p in PROVIDED}


class UnknownName(KeyError):
    """Not a chapter, exercise or provided image of the curriculum (callers turn it into their own error)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown"


def chapter_number(text: str) -> str | None:
    """``2``, ``02``, ``ch02``, ``02-ports`` -> ``02``; None when ``text`` names no chapter."""
    m = re.match(r"^(?:ch)?0*(\d+)(?:-.*)?$", text.strip().lower())
    if not m:
        return None
    number = f"{int(m.group(1)):02d}"
    return number if number in _BY_NUMBER else None


def chapter(text: str) -> Chapter:
    """The chapter ``text`` names (any spelling :func:`chapter_number` accepts).

    Raises:
        UnknownName: not a chapter of the course.
    """
    number = chapter_number(text)
    if number is None:
        raise UnknownName(f"{text!r} is not a chapter: use {CHAPTERS[0].number}..{CHAPTERS[-1].number}.")
    return _BY_NUMBER[number]


def exercise_ids() -> tuple[str, ...]:
    """Every exercise id, in course order."""
    return tuple(_EXERCISES)


def exercise(exercise_id: str) -> ExercisePlan:
    """The plan of one exercise.

    Raises:
        UnknownName: not an exercise of the course.
    """
    try:
        return _EXERCISES[exercise_id]
    except KeyError:
        raise UnknownName(f"{exercise_id!r} is not an exercise of the course.") from None


def names_of(exercise_id: str) -> Names:
    """The objects an exercise creates (what its checks may look for)."""
    return exercise(exercise_id).creates


def dependents_of(exercise_id: str) -> tuple[str, ...]:
    """Exercises whose checks read this exercise's objects, directly or through others, in course order."""
    found: set[str] = set()
    frontier = {exercise(exercise_id).id}
    while frontier:
        frontier = {e.id for e in _EXERCISES.values() if set(e.depends_on) & frontier} - found
        found |= frontier
    return tuple(i for i in _EXERCISES if i in found)


def provided(tag: str) -> ProvidedImage:
    """A course-provided image by tag.

    Raises:
        UnknownName: not a course-provided image.
    """
    try:
        return _PROVIDED[tag]
    except KeyError:
        raise UnknownName(f"{tag!r} is not a course-provided image; known: {', '.join(_PROVIDED)}.") from None


def all_names() -> Names:
    """Every object name of the whole course (exercises and demonstrations): what host-mode reset removes."""
    out = Names()
    for c in CHAPTERS:
        out = out | c.names()
    return out


def chapter_of(exercise_id: str) -> Chapter:
    """The chapter an exercise belongs to."""
    plan = exercise(exercise_id)
    return next(c for c in CHAPTERS if plan in c.exercises)
