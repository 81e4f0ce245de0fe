"""Check type: a field of the image config (ExposedPorts, Volumes, User, WorkingDir, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.facts.images import is_shell_form

FIELDS = ("exposed_ports", "volumes", "user", "workdir", "cmd", "entrypoint", "onbuild", "env")


@dataclass
class ImageConfig(Check):
    """``includes``: values the field (a set/list/dict) must hold; ``equals``: exact value;
    ``exec_form``: for cmd/entrypoint, demand JSON (exec) form rather than ``/bin/sh -c``."""

    tag: str = ""
    field_name: str = "exposed_ports"
    includes: list[str] = field(default_factory=list)
    equals: Any = None
    exec_form: bool = False
    kind: ClassVar[str] = "image config"
    REQUIRED = ("tag",)
    CHOICES = {"field_name": FIELDS}
    OBJECTS = {"tag": "image"}

    def declaration_problems(self) -> list[str]:
        out = super().declaration_problems()
        if self.exec_form and self.field_name not in ("cmd", "entrypoint"):
            out.append(f"exec_form applies to cmd and entrypoint, not {self.field_name}")
        return out

    def describe(self) -> str:
        return self.title or f"{self.field_name} of {self.tag}"

    def evaluate(self, ctx: Context) -> Outcome:
        value = getattr(ctx.facts.image(self.tag), self.field_name)
        if self.exec_form:
            shell = is_shell_form(value)
            expected = f"{self.field_name} in exec form (a JSON array)"
            if not value:
                return Outcome(False, expected, f"no {self.field_name}")
            if shell:
                return Outcome(
                    False,
                    expected,
                    f"shell form {value}",
                    "Shell form runs `/bin/sh -c ...`, which ignores arguments given to `docker run`: "
                    f'write {self.field_name.upper()} ["..."] as a JSON array.',
                )
            return Outcome(True, expected, str(value))
        if self.equals is not None:
            ok = value == self.equals
            return Outcome(ok, f"{self.field_name} = {self.equals!r}", f"{value!r}")
        have = value.keys() if isinstance(value, dict) else set(value or [])
        missing = [v for v in self.includes if v not in have]
        expected = f"{self.field_name} including {', '.join(self.includes)}"
        return Outcome(not missing, expected, ", ".join(sorted(map(str, have))) or "none")
