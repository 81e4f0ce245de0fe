"""ch01-ex1..ex3 against the real engine: the reference answer passes, wrong answers fail
with the hint that names the mistake, partial answers get partial points."""

from __future__ import annotations

import pytest

from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine


def parts(result):  # name -> passed
    return {p.name: p.passed for p in result.parts}


def failed_hints(result) -> str:
    return " | ".join(p.hint + " " + p.found for p in result.parts if not p.passed)


def test_ex1_reference_passes(engine: EngineSession) -> None:
    engine.build('FROM busybox\nLABEL maintainer="learner@example.com"\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.passed and result.score == 3, dump(result)


def test_ex1_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    result = engine.check("ch01-ex1")
    assert result.score == 0 and not result.error
    assert "docker build -t course/hello:1.0" in failed_hints(result)


def test_ex1_no_label_fails_on_label_only(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN true\n", "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.score == 2, dump(result)
    assert "LABEL maintainer" in failed_hints(result)


def test_ex1_wrong_base_fails_on_base(engine: EngineSession) -> None:
    engine.build('FROM debian:bookworm-slim\nLABEL maintainer="me"\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert result.score == 2, dump(result)
    assert "FROM busybox" in failed_hints(result)


def test_ex1_empty_label_fails(engine: EngineSession) -> None:
    engine.build('FROM busybox\nLABEL maintainer=""\n', "course/hello:1.0")
    result = engine.check("ch01-ex1")
    assert not result.passed and result.score == 2, dump(result)


def test_ex2_reference_passes(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert result.passed, dump(result)


def test_ex2_copied_file_gets_no_run_credit(engine: EngineSession) -> None:
    engine.build("FROM busybox\nCOPY motd /etc/motd\n", "course/motd:1.0", files={"motd": "Welcome to the course\n"})
    result = engine.check("ch01-ex2")
    assert result.score == 2, dump(result)
    assert "RUN" in failed_hints(result)


def test_ex2_wrong_text_fails_on_content(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN echo 'Welcome to the course!' > /etc/motd\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert result.score == 1, dump(result)
    assert "exact text" in failed_hints(result)


def test_ex2_file_elsewhere_fails(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd.txt\n", "course/motd:1.0")
    result = engine.check("ch01-ex2")
    assert not parts(result)["/etc/motd holds the line 'Welcome to the course'"], dump(result)


DOCKERFILE_EX3 = "FROM busybox\nARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV=production\n"


def test_ex3_reference_passes(engine: EngineSession) -> None:
    engine.build(DOCKERFILE_EX3, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    result = engine.check("ch01-ex3")
    assert result.passed, dump(result)


def test_ex3_accepts_env_with_space_form(engine: EngineSession) -> None:
    dockerfile = "FROM busybox\nARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV production\n"
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    assert engine.check("ch01-ex3").passed


def test_ex3_built_without_build_arg_fails_on_version(engine: EngineSession) -> None:
    engine.build(DOCKERFILE_EX3, "course/config:2.0")
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "--build-arg APP_VERSION=2.0" in failed_hints(result), dump(result)


def test_ex3_typed_label_without_arg_fails_on_history(engine: EngineSession) -> None:
    engine.build("FROM busybox\nLABEL version=2.0\nENV APP_ENV=production\n", "course/config:2.0")
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "ARG APP_VERSION" in failed_hints(result), dump(result)


def test_ex3_arg_copied_into_env_fails_on_environment(engine: EngineSession) -> None:
    dockerfile = DOCKERFILE_EX3 + "ENV APP_VERSION=$APP_VERSION\n"
    engine.build(dockerfile, "course/config:2.0", buildargs={"APP_VERSION": "2.0"})
    result = engine.check("ch01-ex3")
    assert result.score == 2 and "ARG exists only while building" in failed_hints(result), dump(result)
