"""What an exercise's check version stands for: a fingerprint of its rules.

The fingerprint covers what decides a verdict: each check's type, its declared fields
except the texts a learner reads (title, hints), and the code of the check type's
module (its syntax tree without docstrings, so comments and formatting do not count).
A unit test keeps the fingerprint of each exercise's current version
(``tests/unit/check_versions.json``): a fingerprint that moves while the version stays
is a rule changed without saying so.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import inspect
import json
import sys
from functools import cache

from grader.chapters.exercise import Exercise
from grader.checks.base import Check

TEXT_FIELDS = frozenset({"title", "hint", "hints", "missing_hint"})
"""Fields that change what a learner reads, never what passes."""


def declaration(check: Check) -> dict[str, object]:
    """A check's verdict-deciding fields, JSON-ready."""
    return {f.name: _plain(getattr(check, f.name)) for f in dataclasses.fields(check) if f.name not in TEXT_FIELDS}


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)


@cache
def code_of(module_name: str) -> str:
    """A digest of a module's code: its syntax tree without docstrings."""
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined, index]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:16]


def fingerprint(exercise: Exercise) -> str:
    """The fingerprint of an exercise's rules (see the module's docstring)."""
    rules = [
        {"type": type(c).__name__, "code": code_of(type(c).__module__), "fields": declaration(c)}
        for c in exercise.checks
    ]
    text = json.dumps({"answers": list(exercise.answers), "checks": rules}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
