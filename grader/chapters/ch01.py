"""Chapter 01: Dockerfile instructions (CURRICULUM "Chapter 01")."""

from __future__ import annotations

from grader.chapters import Exercise
from grader.checks import (
    ImageBasedOn,
    ImageEnv,
    ImageExists,
    ImageFile,
    ImageHistory,
    ImageLabel,
)

BUILD_HINT = "Build it in the chapter folder: docker build -t {tag} ."

EXERCISES: list[Exercise] = [
    Exercise(
        "ch01-ex1",
        "base and metadata",
        [
            ImageExists(
                points=1,
                tag="course/hello:1.0",
                missing_hint=BUILD_HINT.format(tag="course/hello:1.0"),
            ),
            ImageLabel(
                points=1,
                tag="course/hello:1.0",
                key="maintainer",
                base="busybox",
                title="a non-empty label maintainer set by this image",
                hint='Add `LABEL maintainer="you@example.com"` (MAINTAINER is deprecated) and rebuild.',
            ),
            ImageBasedOn(
                points=1,
                tag="course/hello:1.0",
                base="busybox",
                title="built FROM busybox",
                hint="The first instruction must be `FROM busybox`: the image's layers must start with busybox's.",
            ),
        ],
        images=("busybox",),
    ),
    Exercise(
        "ch01-ex2",
        "RUN and layers",
        [
            ImageFile(
                points=2,
                tag="course/motd:1.0",
                path="/etc/motd",
                line="Welcome to the course",
                title="/etc/motd holds the line 'Welcome to the course'",
                hint="Use RUN to write the file, e.g. RUN echo 'Welcome to the course' > /etc/motd "
                "(mind the exact text and that it is a line of its own).",
                missing_hint=BUILD_HINT.format(tag="course/motd:1.0"),
            ),
            ImageHistory(
                points=1,
                tag="course/motd:1.0",
                instruction="RUN",
                makes_layer=True,
                base="busybox",
                title="a RUN step made a layer",
                hint="Create the file with a RUN instruction (a COPY of a prepared file is another "
                "lesson): each RUN adds a filesystem layer.",
            ),
        ],
        images=("busybox",),
    ),
    Exercise(
        "ch01-ex3",
        "ARG vs ENV",
        [
            ImageLabel(
                points=1,
                tag="course/config:2.0",
                key="version",
                value="2.0",
                title="label version is 2.0 (from the build argument)",
                hint="Declare `ARG APP_VERSION=1.0`, use it in `LABEL version=$APP_VERSION`, and "
                "build with --build-arg APP_VERSION=2.0.",
                missing_hint="Build it with: docker build --build-arg APP_VERSION=2.0 -t course/config:2.0 .",
            ),
            ImageHistory(
                points=1,
                tag="course/config:2.0",
                instruction="ARG",
                pattern=r"\bAPP_VERSION\b",
                title="the history holds the ARG APP_VERSION step",
                hint="Declare the build argument with `ARG APP_VERSION=1.0` (a label typed as 2.0 "
                "does not count). ARG values show in `docker history`: never pass secrets this way.",
            ),
            ImageEnv(
                points=1,
                tag="course/config:2.0",
                has={"APP_ENV": "production"},
                lacks=["APP_VERSION"],
                title="containers see APP_ENV=production and no APP_VERSION",
                hint="ENV sets variables for containers; ARG exists only while building. Use "
                "`ENV APP_ENV=production` and do not copy APP_VERSION into an ENV.",
            ),
        ],
        images=("busybox",),
    ),
]
