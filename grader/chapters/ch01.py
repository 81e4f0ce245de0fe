"""Chapter 01: Dockerfile instructions (CURRICULUM "Chapter 01")."""

from __future__ import annotations

from grader.chapters.exercise import Exercise
from grader.checks.image_asset import ImageAsset
from grader.checks.image_base import ImageBasedOn
from grader.checks.image_config import ImageConfig
from grader.checks.image_entrypoint import ImageArgsRun
from grader.checks.image_env import ImageEnv
from grader.checks.image_exists import ImageExists
from grader.checks.image_file import ImageFile
from grader.checks.image_history import ImageHistory
from grader.checks.image_label import ImageLabel
from grader.checks.image_onbuild import ImageOnbuild
from grader.checks.image_run import ImageRun
from grader.checks.image_user import ImageUser
from grader.checks.image_volume import ImageAnonymousVolume

BUILD_HINT = "Build it from the chapter folder: docker build -t {tag} {context}"


def _build(tag: str, context: str) -> str:
    return BUILD_HINT.format(tag=tag, context=context)


APP_USER = "course/app-user:1.0"
FILES = "course/files:1.0"
VOLUME_PORT = "course/volume-port:1.0"
ECHO = "course/echo:1.0"
ONBUILD_BASE = "course/onbuild-base:1.0"
ONBUILD_CHILD = "course/onbuild-child:1.0"

EXERCISES: list[Exercise] = [
    Exercise(
        "ch01-ex1",
        "base and metadata",
        [
            ImageExists(
                points=1,
                tag="course/hello:1.0",
                missing_hint=_build("course/hello:1.0", "ex1"),
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
        version=2,
        changes={
            2: (
                "a label inherited from an intermediate image of the learner's (FROM busybox, carrying "
                "maintainer) fails: it passed before"
            )
        },
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
                missing_hint=_build("course/motd:1.0", "ex2"),
            ),
            ImageHistory(
                points=1,
                tag="course/motd:1.0",
                instruction="RUN",
                makes_layer=True,
                base="busybox",
                on_base=True,
                title="a RUN step made a layer",
                hints={
                    "missing": "Create the file with a RUN instruction (a COPY of a prepared file is another "
                    "lesson): each RUN adds a filesystem layer.",
                    "other_base": "Start the Dockerfile with `FROM busybox`, as the exercise asks, and rebuild.",
                },
            ),
        ],
        version=2,
        changes={2: "the image must be built FROM busybox, as the exercise says (another base passed before)"},
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
                from_arg="APP_VERSION",
                title="label version is 2.0 (from the build argument)",
                hints={
                    "other_value": "Declare `ARG APP_VERSION=1.0`, use it in `LABEL version=$APP_VERSION`, and "
                    "build with --build-arg APP_VERSION=2.0."
                },
                missing_hint="Build it with: docker build --build-arg APP_VERSION=2.0 -t course/config:2.0 ex3",
            ),
            ImageHistory(
                points=1,
                tag="course/config:2.0",
                instruction="ARG",
                pattern=r"\bAPP_VERSION=1\.0(\s|$)",
                close=r"\bAPP_VERSION\b",
                title="the history holds the ARG APP_VERSION step",
                hints={
                    "missing": "Declare the build argument with `ARG APP_VERSION=1.0` (a label typed as 2.0 "
                    "does not count). ARG values show in `docker history`: never pass secrets this way.",
                    "close": "The ARG APP_VERSION step has no default 1.0: declare it as `ARG APP_VERSION=1.0`, "
                    "the value a build without --build-arg gets.",
                },
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
        version=2,
        changes={
            2: "the ARG step must carry its default (ARG APP_VERSION=1.0), as the exercise asks: "
            "an ARG without it passed before"
        },
    ),
    Exercise(
        "ch01-ex4",
        "USER and WORKDIR",
        [
            ImageUser(
                points=2,
                tag=APP_USER,
                uid=1000,
                name="app",
                create="RUN adduser -D -u 1000 app",
                hints={"no_id": "build it FROM busybox with `RUN adduser -D -u 1000 app` and `USER app`."},
                title="the process runs as app (id -u 1000, id -un app)",
                missing_hint=_build(APP_USER, "ex4"),
            ),
            ImageRun(
                points=1,
                tag=APP_USER,
                entrypoint=["pwd"],
                command=[],
                output="/app",
                title="the working directory is /app (pwd)",
                hint="Set it with `WORKDIR /app`: a `RUN cd /app` only lasts for that one RUN.",
                missing_hint=_build(APP_USER, "ex4"),
            ),
            ImageRun(
                points=1,
                tag=APP_USER,
                entrypoint=["stat"],
                command=["-c", "%u", "/app"],
                output="1000",
                title="/app is owned by uid 1000 (stat -c %u /app)",
                hint="The classic builder creates a WORKDIR owned by root (BuildKit: by the current USER). "
                "Make the folder yours while still root, before `USER app`: "
                "`RUN mkdir /app && chown app:app /app`.",
                missing_hint=_build(APP_USER, "ex4"),
            ),
        ],
    ),
    Exercise(
        "ch01-ex5",
        "COPY and ADD",
        [
            ImageAsset(
                points=1,
                tag=FILES,
                asset="01-dockerfile/assets/hello.txt",
                path="/data/hello.txt",
                title="/data/hello.txt holds assets/hello.txt",
                missing_hint="Build it with the chapter folder as context: "
                "docker build -t course/files:1.0 -f ex5/Dockerfile .",
            ),
            ImageAsset(
                points=2,
                tag=FILES,
                asset="01-dockerfile/assets/site.tar",
                path="/srv/site",
                extract=True,
                title="assets/site.tar extracted into /srv/site/ (index.html, no site.tar)",
                missing_hint="Build it with the chapter folder as context: "
                "docker build -t course/files:1.0 -f ex5/Dockerfile .",
            ),
        ],
    ),
    Exercise(
        "ch01-ex6",
        "VOLUME and EXPOSE",
        [
            ImageConfig(
                points=1,
                tag=VOLUME_PORT,
                field_name="volumes",
                includes=["/data"],
                title="the image declares the volume /data",
                hint="Add `VOLUME /data` (a RUN mkdir /data makes only a folder, not a volume).",
                missing_hint=_build(VOLUME_PORT, "ex6"),
            ),
            ImageConfig(
                points=1,
                tag=VOLUME_PORT,
                field_name="exposed_ports",
                includes=["8080/tcp"],
                title="the image exposes 8080/tcp",
                hint="Add `EXPOSE 8080` (tcp is the default; EXPOSE documents the port, it publishes nothing).",
                missing_hint=_build(VOLUME_PORT, "ex6"),
            ),
            ImageAnonymousVolume(
                points=1,
                tag=VOLUME_PORT,
                destination="/data",
                title="a container created from it gets an anonymous volume at /data",
                missing_hint=_build(VOLUME_PORT, "ex6"),
            ),
        ],
    ),
    Exercise(
        "ch01-ex7",
        "CMD and ENTRYPOINT",
        [
            ImageArgsRun(
                points=1,
                tag=ECHO,
                output="hello",
                program="echo",
                default_arg="hello",
                other_arg="bye",
                title="docker run course/echo:1.0 prints hello",
                missing_hint=_build(ECHO, "ex7"),
            ),
            ImageArgsRun(
                points=1,
                tag=ECHO,
                command=["bye"],
                output="bye",
                program="echo",
                default_arg="hello",
                other_arg="bye",
                title="docker run course/echo:1.0 bye prints bye",
                missing_hint=_build(ECHO, "ex7"),
            ),
            ImageConfig(
                points=1,
                tag=ECHO,
                field_name="entrypoint",
                exec_form=True,
                title="ENTRYPOINT is in exec form",
                hint='Write the ENTRYPOINT as a JSON array, ENTRYPOINT ["echo"]: the shell form runs '
                "`/bin/sh -c '...'`, which swallows CMD and the arguments of `docker run`.",
                missing_hint=_build(ECHO, "ex7"),
            ),
        ],
    ),
    Exercise(
        "ch01-ex8",
        "ONBUILD",
        [
            ImageOnbuild(
                points=2,
                tag=ONBUILD_BASE,
                pattern=r"^(COPY|ADD)\s+(--\S+\s+)*\./?\s+/src/?$",
                example="COPY . /src",
                not_yet="/src/app.txt",
                copies_to="/src",
                base="busybox",
                title="the base has the trigger ONBUILD COPY . /src and no /src/app.txt",
                missing_hint=_build(ONBUILD_BASE, "ex8/base"),
            ),
            ImageBasedOn(
                points=1,
                tag=ONBUILD_CHILD,
                base=ONBUILD_BASE,
                history=True,
                title="the child is built FROM course/onbuild-base:1.0",
                hint="The child's Dockerfile starts with `FROM course/onbuild-base:1.0`; rebuild the child "
                "after every rebuild of the base.",
                missing_hint=_build(ONBUILD_CHILD, "ex8/child") + " (after building the base)",
            ),
            ImageFile(
                points=1,
                tag=ONBUILD_CHILD,
                path="/src/app.txt",
                file_kind="file",
                title="the child has /src/app.txt (copied by the trigger)",
                hint="Build the child with a context that holds app.txt (ex8/child): the base's trigger copies "
                "that context to /src.",
                missing_hint=_build(ONBUILD_CHILD, "ex8/child") + " (after building the base)",
            ),
        ],
        version=2,
        changes={
            2: "the trigger is judged by what it does (a child the course builds FROM the base holds the context "
            'at /src): the exec form ONBUILD COPY [".", "/src"] failed before; a trigger copying only some files '
            "of the context fails"
        },
    ),
]
