"""Every exercise under mutation, by id, and the fast subset the test suite runs."""

from __future__ import annotations

from tests.mutation.answers import Spec
from tests.mutation.references_containers import CH02, CH03, CH04, CH05
from tests.mutation.references_images import CH01, CH06

SPECS: dict[str, Spec] = {s.exercise: s for s in (*CH01, *CH02, *CH03, *CH04, *CH05, *CH06)}

FAST = ("ch01-ex3", "ch02-ex3", "ch05-ex3")
"""The subset the test suite runs (tests/engine/test_mutation.py): a build, a published port, a bind mount."""
