"""Waiting for a local HTTP server (JupyterLab) to answer: one poll loop for the lab and host mode."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable


def wait_for_http(url: str, timeout: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll ``url`` until it answers with a success; False after ``timeout`` s or once ``alive()`` is False.

    Only for the course's own servers on 127.0.0.1.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - 127.0.0.1 only
            return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False
