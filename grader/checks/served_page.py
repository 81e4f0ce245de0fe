"""How a check tells whose page answered: a course web page names the container that served it.

The course's web server (``grader/images/provided/web/serve.sh``) ends its page with
``served by HOSTNAME``; a container's hostname is its short id unless set, so a
page from another container, or from an earlier container of the same name, is
told apart from the one a check asks about.
"""

from __future__ import annotations

import re

_SERVED_BY = re.compile(r"served by ([\w.-]+)")


def served_by(text: str, hostname: str) -> bool:
    """True when ``text`` holds the page served by the container whose hostname is ``hostname``."""
    return bool(hostname) and hostname in serving_hosts(text)


def serving_hosts(text: str) -> list[str]:
    """The hostnames named by the course pages in ``text``, in order."""
    return _SERVED_BY.findall(text)
