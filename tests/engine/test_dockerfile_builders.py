"""Every Dockerfile exercise's reference answer passes whichever builder made the image.

A learner's `docker build` in the lab is BuildKit; `DOCKER_BUILDKIT=0` (and the
course's own SDK builds) is the classic builder. Their images differ where checks
look (history `created_by` and comments, no `Parent`, WORKDIR layers), so each
reference is built both ways with the lab's own CLI and checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.engine.test_ch01 import BASE, CHILD, EX4, EX5, assets
from tests.engine.test_ch01_core import DOCKERFILE_EX3
from tests.engine.test_ch06 import FILES as CH06_FILES
from tests.engine.test_ch06 import REFERENCES as CH06_REFERENCES
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

BUILDERS = ("buildkit", "classic")


@dataclass(frozen=True)
class Build:
    """One image of a reference answer."""

    tag: str
    dockerfile: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    buildargs: dict[str, str] | None = None
    target: str | None = None


CH01: dict[str, list[Build]] = {
    "ch01-ex1": [Build("course/hello:1.0", 'FROM busybox\nLABEL maintainer="learner@example.com"\n')],
    "ch01-ex2": [Build("course/motd:1.0", "FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd\n")],
    "ch01-ex3": [Build("course/config:2.0", DOCKERFILE_EX3, buildargs={"APP_VERSION": "2.0"})],
    "ch01-ex4": [Build("course/app-user:1.0", EX4)],
    "ch01-ex5": [Build("course/files:1.0", EX5, assets())],
    "ch01-ex6": [Build("course/volume-port:1.0", "FROM busybox\nVOLUME /data\nEXPOSE 8080\n")],
    "ch01-ex7": [Build("course/echo:1.0", 'FROM busybox\nENTRYPOINT ["echo"]\nCMD ["hello"]\n')],
    "ch01-ex8": [
        Build("course/onbuild-base:1.0", BASE),
        Build("course/onbuild-child:1.0", CHILD, {"app.txt": "my app\n"}),
    ],
}
CH06_BUILDS = [Build(tag, text, CH06_FILES, target=target) for tag, (text, target) in CH06_REFERENCES.items()]


def build_all(engine: EngineSession, builds: list[Build], builder: str) -> None:
    for b in builds:
        engine.build(b.dockerfile, b.tag, files=b.files, buildargs=b.buildargs, target=b.target, builder=builder)


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("exercise", sorted(CH01))
def test_ch01_reference_passes_with_either_builder(engine: EngineSession, exercise: str, builder: str) -> None:
    """ch01's references (labels, RUN, ARG, USER/WORKDIR, COPY/ADD, VOLUME, ENTRYPOINT, ONBUILD)."""
    build_all(engine, CH01[exercise], builder)
    result = engine.check(exercise)
    assert result.passed, dump(result)


@pytest.mark.parametrize("builder", BUILDERS)
def test_ch06_references_pass_with_either_builder(engine: EngineSession, builder: str) -> None:
    """ch06's multi-stage references: sizes, layers, files and the static binary, built once per builder."""
    build_all(engine, CH06_BUILDS, builder)
    for exercise in ("ch06-ex1", "ch06-ex2", "ch06-ex3", "ch06-ex4"):
        result = engine.check(exercise)
        assert result.passed, f"{builder}: {dump(result)}"


def test_ch01_ex4_buildkit_workdir_belongs_to_the_user(engine: EngineSession) -> None:
    """What the classic builder gets wrong (a root-owned WORKDIR after USER), BuildKit gets right."""
    engine.build(
        "FROM busybox\nRUN adduser -D -u 1000 app\nUSER app\nWORKDIR /app\n", "course/app-user:1.0", builder="buildkit"
    )
    result = engine.check("ch01-ex4")
    assert result.passed, dump(result)
