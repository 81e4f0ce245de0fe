"""Check types: one per module, one interface (:class:`grader.checks.base.Check`), one registry.

Every module of this package that defines a :class:`Check` subclass is listed in
:data:`REGISTRY` by its ``kind``; chapters import the types from their modules.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.checks.base import Check, Context, Outcome
from grader.checks.image_base import ImageBasedOn
from grader.checks.image_config import ImageConfig
from grader.checks.image_env import ImageEnv
from grader.checks.image_exists import ImageExists
from grader.checks.image_file import ImageFile
from grader.checks.image_history import ImageHistory
from grader.checks.image_label import ImageLabel
from grader.checks.image_run import ImageRun
from grader.checks.result import CheckResult, Part

_NOT_TYPES = {"base", "result"}


def _discover() -> dict[str, type[Check]]:
    registry: dict[str, type[Check]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_TYPES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            is_type = isinstance(value, type) and issubclass(value, Check) and value is not Check
            if is_type and value.__module__ == module.__name__:
                registry[value.kind] = value
    return registry


REGISTRY: dict[str, type[Check]] = _discover()

__all__ = [
    "REGISTRY",
    "Check",
    "CheckResult",
    "Context",
    "ImageBasedOn",
    "ImageConfig",
    "ImageEnv",
    "ImageExists",
    "ImageFile",
    "ImageHistory",
    "ImageLabel",
    "ImageRun",
    "Outcome",
    "Part",
]
