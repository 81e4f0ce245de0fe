"""Check type: an answer variable names the anonymous volume a container got at a path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.answers import answer_text
from grader.checks.base import Check, Context, Outcome


@dataclass
class AnonymousVolumeAnswer(Check):
    """Answer variable ``answer`` is the name of the volume mounted at ``destination`` in ``container``."""

    answer: str = ""
    container: str = ""
    destination: str = ""
    kind: ClassVar[str] = "anonymous volume answer"
    REQUIRED = ("answer", "container", "destination")
    OBJECTS = {"container": "container"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        return self.title or f"{self.answer} names {self.container}'s volume at {self.destination}"

    def evaluate(self, ctx: Context) -> Outcome:
        compute = (
            f"Compute it from the container's mounts, e.g. `mounts = docker.from_env().containers.get("
            f"'{self.container}').attrs['Mounts']` then `{self.answer} = next(m['Name'] for m in mounts if "
            f"m['Destination'] == '{self.destination}')` (in a terminal: docker inspect -f "
            f"'{{{{range .Mounts}}}}{{{{.Name}}}}{{{{end}}}}' {self.container})."
        )
        given = answer_text(ctx.answers.get(self.answer))
        m = ctx.facts.container(self.container).mount_at(self.destination)
        truth = m.name if m is not None and m.type == "volume" else ""
        expected = f"{self.answer} = {truth or 'the name of the volume at ' + self.destination!r}"
        if not given:
            return Outcome(False, expected, f"{self.answer} is not set", f"Set {self.answer}. {compute}")
        if not truth:
            return Outcome(False, expected, f"{self.container} has no volume at {self.destination}", compute)
        if given != truth:
            hint = (
                f"{given[:16]}... is not the volume at {self.destination} of this {self.container}: a typed or old "
                "value does not match the engine (every new container gets a new anonymous volume, and autograding "
                f"runs in a fresh lab). {compute}"
            )
            if truth.startswith(given) and len(given) >= 12:
                hint = f"That is only the start of the name: give the full 64-character name. {compute}"
            return Outcome(False, expected, f"{self.answer} = {given[:70]!r}", hint)
        return Outcome(True, expected, f"{self.answer} = {given[:12]}... (the volume at {self.destination})")
