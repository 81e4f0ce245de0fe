"""The fast subset of the mutation run: every mutant of a few exercises is killed, every rewrite passes.

The whole run (every exercise, the score file) is ``.venv/bin/python -m tests.mutation``;
this subset (FAST in tests/mutation/specs.py: a build, a published port, a bind mount) runs
with the engine tests. A survivor or a rejected rewrite fails unless tests/mutation/accepted.py
gives its reason.
"""

from __future__ import annotations

import pytest

from tests.mutation.run import run_spec
from tests.mutation.specs import FAST, SPECS
from tests.support import EngineSession

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("exercise", FAST)
def test_every_mutant_is_killed_and_every_rewrite_passes(engine: EngineSession, exercise: str) -> None:
    """The reference gets full marks; each counted must-fail mutant loses a point; each rewrite keeps them all."""
    run = run_spec(engine, SPECS[exercise], report=lambda line: None)
    assert not run.error, run.error
    assert run.count("killed") >= 3, [(o.name, o.status) for o in run.outcomes]
    assert run.count("kept") >= 3, [(o.name, o.status) for o in run.outcomes]
    odd = [(o.name, o.status, o.score, o.failed_parts) for o in run.unexplained()]
    assert not odd, odd
