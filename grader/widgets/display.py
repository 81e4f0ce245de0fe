"""Showing something where the caller runs: HTML in a notebook's kernel, plain text on a terminal.

The check-cell helper, the pictures and the tips all show this way; the choice is
made here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Shown = str | Callable[[], str]


def in_kernel() -> bool:
    """True inside an IPython kernel (a notebook), False on a terminal or without IPython."""
    try:
        from IPython import get_ipython

        return get_ipython() is not None
    except ImportError:
        return False


def show(html: Shown, text: Shown, extra: dict[str, Any] | None = None) -> None:
    """Display ``html`` in a kernel, else print ``text`` (each a string or a function making one).

    Args:
        extra: more MIME types for the same output (then the bundle is displayed raw).

    Example::

        show(matrix_html(m), lambda: matrix_text(m))
    """
    if not in_kernel():
        plain = text() if callable(text) else text
        if plain:  # nothing to say prints nothing, not an empty line
            print(plain)
        return
    from IPython.display import HTML, display

    page = html() if callable(html) else html
    if extra:
        display({"text/html": page, **extra}, raw=True)
    else:
        display(HTML(page))
