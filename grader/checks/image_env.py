"""Check type: the environment a container of the image really gets (runs ``env``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.probe import ProbeSpec


@dataclass
class ImageEnv(Check):
    """``has``: NAME -> value the process sees; ``lacks``: names it must not see."""

    tag: str = ""
    has: dict[str, str] = field(default_factory=dict)
    lacks: list[str] = field(default_factory=list)
    kind: ClassVar[str] = "container environment"
    REQUIRED = ("tag",)
    OBJECTS = {"tag": "image"}

    def describe(self) -> str:
        return self.title or "the container's environment"

    def evaluate(self, ctx: Context) -> Outcome:
        image = ctx.facts.image(self.tag)
        result = ctx.facts.run(ProbeSpec(image=self.tag, entrypoint=["env"], command=[]))
        # no `env` in the image (e.g. FROM scratch): the config is what the process gets
        env = dict(ln.split("=", 1) for ln in result.stdout.splitlines() if "=" in ln) if result.ok else image.env
        expected = ", ".join([f"{k}={v}" for k, v in self.has.items()] + [f"no {k}" for k in self.lacks])
        wrong = [f"{k}={env.get(k, '(unset)')}" for k, v in self.has.items() if env.get(k) != v]
        present = [f"{k}={env[k]}" for k in self.lacks if k in env]
        if not wrong and not present:
            return Outcome(True, expected, ", ".join(f"{k}={env[k]}" for k in self.has))
        return Outcome(False, expected, ", ".join(wrong + present))
