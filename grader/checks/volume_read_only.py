"""Check type: a container's mount is read-only, by its configuration and by a real write attempt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.volume_mount import show_mount

# A directory is made (and removed at once if that worked) to learn whether writes are refused.
_WRITE = (
    'd="$1/.course-write-test-$$"; if mkdir "$d" 2>/dev/null; then rmdir "$d"; echo WRITABLE; else echo REFUSED; fi'
)


@dataclass
class MountReadOnly(Check):
    """The mount at ``destination`` of the running ``container`` is read-only, and a write as root fails.

    ``hints``: ``writable``, the fix for a writable mount.
    """

    container: str = ""
    destination: str = ""
    kind: ClassVar[str] = "read-only mount"
    READS_ONLY: ClassVar[bool] = False  # makes (and removes) a test folder in the mount
    REQUIRED = ("container", "destination")
    OBJECTS = {"container": "container"}
    HINTS = {
        "writable": "Add `:ro` to the -v option (or `readonly` with --mount), and recreate the container.",
    }

    def describe(self) -> str:
        return self.title or f"{self.destination} in {self.container} is read-only"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"a read-only mount at {self.destination}; a write there fails"
        m = ctx.facts.container(self.container).mount_at(self.destination)
        if m is None:
            nothing = f"nothing mounted at {self.destination}"
            return Outcome(False, expected, nothing, f"Mount it at {self.destination}.")
        if m.rw:
            return Outcome(
                False,
                expected,
                show_mount(m),
                "The mount is writable: the container could change or delete your files. " + self.hint_for("writable"),
            )
        result = ctx.facts.exec(self.container, ["sh", "-c", _WRITE, "sh", self.destination])
        if result.stdout.strip() != "REFUSED":
            shown = result.stdout.strip() or result.stderr.strip()[:120] or f"exit code {result.exit_code}"
            return Outcome(False, expected, f"{show_mount(m)}; write test: {shown}", "A write inside was not refused.")
        return Outcome(True, expected, f"{show_mount(m)}; a write as root was refused")
