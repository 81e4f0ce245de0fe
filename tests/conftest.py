"""Shared fixtures: a course lab for engine tests (one per session, reset between tests).

Engine tests run against their own lab (``DOCKER_COURSE_TEST_LAB``, default
``docker-course-test``) so a learner's lab is never touched; ``course_engine()``
targets it because ``DOCKER_COURSE_LAB`` is set here before anything connects.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

TEST_LAB = os.environ.setdefault("DOCKER_COURSE_TEST_LAB", "docker-course-test")
os.environ["DOCKER_COURSE_LAB"] = TEST_LAB
os.environ.pop("DOCKER_COURSE_MODE", None)

from tests.support import EngineSession, host_inventory  # noqa: E402


@pytest.fixture(scope="session")
def engine_session() -> Iterator[EngineSession]:
    """A running test lab with every base image loaded; removed (and checked) at the end."""
    before = host_inventory()
    session = EngineSession.start(TEST_LAB)
    try:
        yield session
    finally:
        session.stop()
        after = host_inventory()
        # only what this session made: other labs (a learner's, a parallel run's) may come and go
        mine = (TEST_LAB, "course-probe")
        leftovers = {kind: sorted(n for n in after[kind] - before[kind] if n.startswith(mine)) for kind in after}
        leftovers = {k: v for k, v in leftovers.items() if v}
        assert not leftovers, f"the test session left objects on the host engine: {leftovers}"


@pytest.fixture
def engine(engine_session: EngineSession) -> Iterator[EngineSession]:
    """The test lab, reset to base images (and course-provided images) before and after the test."""
    engine_session.reset()
    try:
        yield engine_session
    finally:
        engine_session.reset()
        engine_session.assert_clean()


@pytest.fixture
def without_provided_images(engine: EngineSession) -> None:
    """Start from base images only: course-provided images (which a reset keeps) removed too.

    For tests that assert what a whole chapter leaves behind, whatever ran before them.
    """
    engine.remove_provided_images()
