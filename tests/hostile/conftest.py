"""The hostile suite runs only when asked: `.venv/bin/python -m pytest tests/hostile -m hostile`."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "hostile" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="the hostile suite runs with -m hostile (minutes of CPU; see README)")
    for item in items:
        if "hostile" in item.keywords:
            item.add_marker(skip)
