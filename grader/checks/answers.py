"""The one normaliser of answer variables: what notebook code and ``--answer NAME=VALUE`` produce.

Learners set answers in many shapes: a str, bytes, the list of lines that
``x = !docker ...`` gives (IPython's SList), an ``ipaddress`` object, a bool, an
exception caught from a failed run. Checks read them only through these helpers.
"""

from __future__ import annotations

from typing import Any


def answer_text(value: Any) -> str | None:
    """A one-line answer as a stripped string, surrounding quotes removed; None when unset or empty.

    A list or tuple (``x = !docker ...``) counts by its non-empty lines: the one line, or
    all of them joined by spaces (which then matches nothing, and the learner sees it).

    Example::

        answer_text(["  '172.17.0.0/16'  "]) == "172.17.0.0/16"
        answer_text(b"veth1a2b") == "veth1a2b"
        answer_text(["", " "]) is None
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, list | tuple):
        lines = [str(v).strip() for v in value if str(v).strip()]
        value = lines[0] if len(lines) == 1 else " ".join(lines)
    text = str(value).strip().strip("'\"").strip()
    return text or None


def answer_lines(value: Any) -> str:
    """A multi-line answer (an error message a run printed) as one text, lines kept; "" when unset.

    Example::

        answer_lines(["docker: Error response ...", "See 'docker run --help'."])  # two lines
        answer_lines(RuntimeError("port is already allocated")) == "port is already allocated"
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value).strip()
    return str(value).strip()


def answer_bool(value: Any) -> bool:
    """A yes/no answer: a bool, or true/false/yes/no/y/n/1/0 in any case; a one-item list counts as its item.

    Raises:
        ValueError: anything else (the message shows the value).
    """
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"expected True or False, got {value!r}")
