"""Surviving mutants (and rejected equivalent rewrites) accepted, each with the reason.

Keyed by (exercise, the start of the mutant's name). Anything that survives and is not
listed here fails the mutation tests: fix the check, or list it with why it is acceptable.
"""

from __future__ import annotations

ACCEPTED: dict[tuple[str, str], str] = {}
