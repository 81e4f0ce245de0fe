"""Progress lines for long work (provisioning, builds, grading), with elapsed seconds."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Reporter = Callable[[str], None]


def console(prefix: str = "docker-course") -> Reporter:
    """A reporter that prints ``[prefix +12.3s] message`` lines to stderr."""
    start = time.monotonic()

    def report(message: str) -> None:
        print(f"[{prefix} +{time.monotonic() - start:5.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def silent(message: str) -> None:
    """A reporter that drops every message."""
