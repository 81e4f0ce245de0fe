"""Logins from the instructor's user list: each learner (and the admin) with their own password.

``hub up --users FILE`` gives every name a password (``STATE/hub/logins.json``, mode 0600,
kept across restarts); the instructor hands them out. Only those names may log in.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from jupyterhub.auth import Authenticator

from grader.hub.state import hub_dir, read_private


class UserFileAuthenticator(Authenticator):
    """Name and password from the hub's logins file; unknown names and wrong passwords are refused."""

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """The user's name when their password matches, else None."""
        known: dict[str, str] = json.loads(read_private(hub_dir() / "logins.json") or "{}")
        name, password = data.get("username", ""), data.get("password", "")
        expected = known.get(name)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return None
        return name
