"""The learner's side of JupyterLab: check widget, engine panel, port links, tips, progress.

Names are loaded on first use, so that the CLI can record progress without
importing ipywidgets.

Example::

    from grader.widgets import check_widget, engine_panel, show_published
    check_widget("ch01-ex1", dockerfile="ex1/Dockerfile")
"""

from __future__ import annotations

import importlib
from typing import Any

# module names must differ from the names exported: an imported submodule would shadow them
_EXPORTS = {
    "CheckWidget": "check_button",
    "check_widget": "check_button",
    "EnginePanel": "engine_view",
    "engine_panel": "engine_view",
    "proxy_url": "links",
    "proxy_link": "links",
    "show_port": "links",
    "show_published": "links",
    "show_tips": "hadolint",
    "tips_for": "hadolint",
    "LiveLog": "live_log",
    "build": "live_log",
    "start_here": "landing",
    "GradePanel": "grade_button",
    "grade_panel": "grade_button",
    "AnswerButtons": "answer_buttons",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
