"""Check type: the user a container of the image runs as (``id -u``, ``id -un`` in a probe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.probe import ProbeSpec

ID_SCRIPT = "id -u; id -un"


@dataclass
class ImageUser(Check):
    """A container of ``tag``, started with the image's own USER, runs as ``uid`` named ``name``.

    ``create``: the Dockerfile instruction that makes the user (shown in hints);
    ``hints``: ``no_id``, the fix when ``id`` could not run in the image at all.
    """

    tag: str = ""
    uid: int = 0
    name: str = ""
    create: str = ""
    kind: ClassVar[str] = "process user"
    REQUIRED = ("tag", "name", "create")
    OBJECTS = {"tag": "image"}
    HINTS = {"no_id": "build it from a base with a shell and `id`, create the user, then switch to it with USER."}

    def describe(self) -> str:
        return self.title or f"a container of {self.tag} runs as {self.name} (uid {self.uid})"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        result = ctx.facts.run(ProbeSpec(image=self.tag, entrypoint=["sh", "-c", ID_SCRIPT], command=[]))
        expected = f"id -u = {self.uid}, id -un = {self.name}"
        lines = result.stdout.split()
        uid = lines[0] if lines else ""
        name = lines[1] if len(lines) > 1 else ""
        found = f"id -u = {uid or '?'}, id -un = {name or '?'} (USER {image.user or 'not set'})"
        if result.stderr.strip():
            found += f", stderr {result.stderr.strip()[:120]!r}"
        if uid == str(self.uid) and name == self.name:
            return Outcome(True, expected, found)
        passwd = image.file("/etc/passwd")
        known = passwd is not None and any(ln.split(":")[0] == self.name for ln in passwd.text.splitlines())
        hint = user_hint(uid, known, self.uid, self.name, self.create, self.hint_for("no_id"))
        return Outcome(False, expected, found, hint)


def user_hint(uid: str, user_exists: bool, want_uid: int, want_name: str, create: str, no_id: str) -> str:
    """The likely mistake behind a wrong ``id -u``: ``create`` is the instruction that makes the user,
    ``no_id`` the fix when ``id`` did not run at all."""
    if uid == "0" and user_exists:
        return (
            f"The user {want_name} exists in the image but the process still runs as root: "
            f"add `USER {want_name}` after creating it (the last USER instruction wins)."
        )
    if uid == "0":
        return f"The process runs as root: create the user (`{create}`), then switch to it with `USER {want_name}`."
    if uid == str(want_uid):
        return (
            f"uid {want_uid} has no name in /etc/passwd: `USER {want_uid}` alone does not create a user. "
            f"Create it with `{create}`."
        )
    if not uid:
        return f"`id` did not run in the image: {no_id}"
    return f"The process runs as uid {uid}: create the user with `{create.removeprefix('RUN ')}`."
