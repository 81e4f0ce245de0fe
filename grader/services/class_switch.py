"""The instructor's switch for a class: may learners see the reference answers (Show solution)?

Off unless the instructor turns it on (``docker-course hub solutions on``): a class's
learners get hints but not answers. The switch is one small file in the hub's state
folder (``STATE/hub/solutions``), read by each learner lab's channel server at every
request, so turning it on or off takes effect at once, without restarting a lab.
"""

from __future__ import annotations

from pathlib import Path

from grader.engine.settings import ensure_writable, state_dir

ON = "on"


def switch_path() -> Path:
    """``STATE/hub/solutions``: ``on`` when the class may see solutions; anything else (or none) is off."""
    return state_dir() / "hub" / "solutions"


def solutions_on(path: Path | None = None) -> bool:
    """True when the instructor turned solutions on for the class."""
    try:
        return (path or switch_path()).read_text().strip() == ON
    except OSError:
        return False


def set_solutions(on: bool) -> Path:
    """Turn the class's solutions on or off; the switch file.

    Raises:
        ConfigError: the hub's state folder is not writable.
    """
    path = switch_path()
    ensure_writable(path.parent, "hub state")
    path.write_text((ON if on else "off") + "\n")
    return path
