"""The reference answer of every exercise, as a learner's lab would run it: files, then shell commands.

The references are in references_images.py (chapters 01, 06) and references_containers.py
(02-05); specs.py gathers them. Each is the source notebook's solution (``docker-course solution ID``) with its Python
turned into shell: a unit test keeps the Dockerfiles and ``docker`` commands here equal
to the notebook's. Answer variables are read the way the notebook computes them, from
the engine, by a shell command whose output is parsed by kind (``str``, ``bool``, ``set``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

WEB = "course/web:1.0"


@dataclass(frozen=True)
class Value:
    """An answer variable: the shell command that computes it (its output parsed as ``kind``), or a typed value."""

    kind: str  # str | bool | set
    command: str = ""
    typed: Any = None

    def parse(self, output: str) -> Any:
        """The variable's value from the command's output."""
        text = output.strip()
        if self.kind == "bool":
            return text.lower() in ("true", "1", "yes")
        if self.kind == "set":
            return set(text.replace(",", " ").split())
        return text


@dataclass(frozen=True)
class Answer:
    """A learner's answer: files written in the chapter's folder, commands run there, answer variables."""

    files: dict[str, str] = field(default_factory=dict)
    commands: tuple[str, ...] = ()
    answers: dict[str, Value] = field(default_factory=dict)
    may_fail: tuple[str, ...] = ()  # commands whose failure is the lesson (a port conflict)

    def with_command(self, index: int, command: str) -> Answer:
        commands = list(self.commands)
        commands[index] = command
        return replace(self, commands=tuple(commands))

    def with_file(self, path: str, text: str) -> Answer:
        return replace(self, files={**self.files, path: text})

    def with_answer(self, name: str, value: Value) -> Answer:
        return replace(self, answers={**self.answers, name: value})


@dataclass(frozen=True)
class Spec:
    """An exercise under mutation: its chapter, its reference, what earlier exercises must leave first.

    ``expect`` overrides an operator's expectation for this exercise (an exec-form ENTRYPOINT
    is the lesson of ch01-ex7: its shell form must fail there); ``extra`` adds mutants only
    this exercise has (a stale answer typed from an earlier run).
    """

    exercise: str
    folder: str
    reference: Answer
    before: tuple[str, ...] = ()
    before_files: dict[str, str] = field(default_factory=dict)
    expect: dict[str, str] = field(default_factory=dict)
    extra: tuple[tuple[str, str, Answer], ...] = ()  # (name, fail|pass, answer)


def build(tag: str, context: str, *flags: str) -> str:
    return " ".join(["docker build -q", *flags, "-t", tag, context])


def dockerfile_exercise(exercise: str, path: str, text: str, *commands: str, **kw: Any) -> Spec:
    return Spec(exercise, "01-dockerfile", Answer({path: text}, tuple(commands)), **kw)


def web(name: str, flags: str) -> str:
    return f"docker run -d --name {name} {flags} {WEB}"
