"""ch01-ex1..ex3 against the real engine: the reference answer passes, wrong answers fail
with the hint that names the mistake, partial answers get partial points."""

from __future__ import annotations

import pytest

from tests.checks_support import hints, passed_parts
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine


def test_ex1_reference_passes(engine: EngineSession) -> None:
    """FROM busybox with a maintainer label of its own: all three points."""
    engine.build('FROM busybox\nLABEL maintainer="learner@example.com"\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.passed and result.score == 3, dump(result)


def test_ex1_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    """No image: zero points, no run error, the hint is the build command."""
    result = engine.check("ch01-ex1")
    assert result.score == 0 and not result.error
    assert "docker build -t course/hello:1.0" in hints(result)


def test_ex1_no_label_fails_on_label_only(engine: EngineSession) -> None:
    """Without the label only the label point is lost, and the hint names LABEL maintainer."""
    engine.build("FROM busybox\nRUN true\n", "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.score == 2, dump(result)
    assert "LABEL maintainer" in hints(result)


def test_ex1_wrong_base_fails_on_base(engine: EngineSession) -> None:
    """Another base image loses only the FROM point, with a FROM busybox hint."""
    engine.build('FROM debian:bookworm-slim\nLABEL maintainer="me"\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.score == 2, dump(result)
    assert "FROM busybox" in hints(result)


@pytest.mark.parametrize("builder", ["sdk", "buildkit"])
def test_ex1_label_inherited_from_an_intermediate_image_fails(engine: EngineSession, builder: str) -> None:
    """course/hello:1.0 FROM an image of the learner's that carries the label (itself FROM busybox): the label
    point is lost, naming that image; setting the label again in course/hello:1.0's own Dockerfile passes."""
    engine.build('FROM busybox\nLABEL maintainer="me"\n', "mine/base:1", builder=builder)
    engine.build('FROM mine/base:1\nCMD ["sh"]\n', "course/hello:1.0", builder=builder)
    result = engine.check("ch01-ex1")
    assert result.score == 2 and "inherited from mine/base:1" in hints(result), dump(result)
    engine.build('FROM mine/base:1\nLABEL maintainer="me"\nCMD ["sh"]\n', "course/hello:1.0", builder=builder)
    assert engine.check("ch01-ex1").passed


def test_ex1_empty_label_fails(engine: EngineSession) -> None:
    """An empty maintainer label does not count."""
    engine.build('FROM busybox\nLABEL maintainer=""\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert not result.passed and result.score == 2, dump(result)


def test_ex2_reference_passes(engine: EngineSession) -> None:
    """A RUN that writes the exact line to /etc/motd: full points."""
    engine.build("FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert result.passed, dump(result)


def test_ex2_copied_file_gets_no_run_credit(engine: EngineSession) -> None:
    """The same file COPYed in: the content counts, the RUN point does not."""
    engine.build("FROM busybox\nCOPY motd /etc/motd\n", "course/motd:1.0", files={"motd": "Welcome to the course\n"})
    result = engine.check("ch01-ex2")
    assert result.score == 2, dump(result)
    assert "RUN" in hints(result)


def test_ex2_wrong_text_fails_on_content(engine: EngineSession) -> None:
    """A line with other text fails on content, with the exact-text hint."""
    engine.build("FROM busybox\nRUN echo 'Welcome to the course!' > /etc/motd\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert result.score == 1, dump(result)
    assert "exact text" in hints(result)


def test_ex2_file_elsewhere_fails(engine: EngineSession) -> None:
    """The line in another file does not satisfy /etc/motd."""
    engine.build("FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd.txt\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert not passed_parts(result)["/etc/motd holds the line 'Welcome to the course'"], dump(result)


DOCKERFILE_EX3 = "FROM busybox\nARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV=production\n"


def test_ex3_reference_passes(engine: EngineSession) -> None:
    """ARG used in a label, ENV for containers, built with --build-arg APP_VERSION=2.0: full points."""
    engine.build(DOCKERFILE_EX3, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    result = engine.check("ch01-ex3")
    assert result.passed, dump(result)


def test_ex3_accepts_env_with_space_form(engine: EngineSession) -> None:
    """The legacy `ENV KEY value` form counts the same."""
    dockerfile = "FROM busybox\nARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV production\n"
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    assert engine.check("ch01-ex3").passed


def test_ex3_built_without_build_arg_fails_on_version(engine: EngineSession) -> None:
    """Built without --build-arg the label is the default 1.0: that point is lost with the build hint."""
    engine.build(DOCKERFILE_EX3, "course/config:2.0")
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "--build-arg APP_VERSION=2.0" in hints(result), dump(result)


def test_ex3_typed_label_without_arg_fails_on_history(engine: EngineSession) -> None:
    """A label typed as 2.0 without an ARG loses the history point."""
    engine.build("FROM busybox\nLABEL version=2.0\nENV APP_ENV=production\n", "course/config:2.0")
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "ARG APP_VERSION" in hints(result), dump(result)


def test_ex3_arg_copied_into_env_fails_on_environment(engine: EngineSession) -> None:
    """An ARG copied into ENV leaks into containers: the environment point is lost."""
    dockerfile = DOCKERFILE_EX3 + "ENV APP_VERSION=$APP_VERSION\n"
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "ARG exists only while building" in hints(result), dump(result)


@pytest.mark.parametrize("builder", ["sdk", "buildkit"])
def test_ex3_arg_without_default_fails_on_history_with_the_default_hint(engine: EngineSession, builder: str) -> None:
    """`ARG APP_VERSION` without `=1.0` builds the same 2.0 label, but CURRICULUM asks for the default: the
    history point is lost and the hint names the default (both builders record it in the ARG step)."""
    dockerfile = DOCKERFILE_EX3.replace("ARG APP_VERSION=1.0", "ARG APP_VERSION")
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"}, builder=builder)
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "has no default" in hints(result), dump(result)
    assert "ARG APP_VERSION=1.0" in hints(result), dump(result)


@pytest.mark.parametrize("builder", ["sdk", "buildkit"])
def test_ex3_arg_only_before_from_gets_declare_it_after_from(engine: EngineSession, builder: str) -> None:
    """An ARG declared only before FROM serves FROM lines alone: the label comes out empty, and the hint says
    to declare it after FROM (not to declare what was declared)."""
    dockerfile = "ARG APP_VERSION=1.0\n" + DOCKERFILE_EX3.replace("ARG APP_VERSION=1.0\n", "")
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"}, builder=builder)
    result = engine.check("ch01-ex3")
    assert result.score == 1 and "declare it after FROM" in hints(result), dump(result)
    assert "version=''" in hints(result), dump(result)
