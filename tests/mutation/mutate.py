"""What the operators share: the commands and Dockerfile lines of an answer, and rewriting them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tests.mutation import commands as cmd
from tests.mutation.answers import Answer, Value

Mutants = list[tuple[str, Answer]]


def commands_of(answer: Answer, verb: str) -> Iterator[tuple[int, cmd.Command]]:
    for i, text in enumerate(answer.commands):
        parsed = cmd.parse(text)
        if parsed is not None and parsed.verb == verb:
            yield i, parsed


def each_flag(answer: Answer, verb: str, names: tuple[str, ...], change: Callable[[str], str | None]) -> Mutants:
    """One mutant per flag ``names`` of ``verb`` commands whose value ``change`` rewrites (None: skip)."""
    out: Mutants = []
    for i, parsed in commands_of(answer, verb):
        for j, (flag, value) in enumerate(parsed.flags):
            if flag in names and value is not None:
                new = change(value)
                if new is not None and new != value:
                    flags = list(parsed.flags)
                    flags[j] = (flag, new)
                    out.append((f"{flag} {value} -> {new}", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def dockerfile_lines(answer: Answer) -> Iterator[tuple[str, int, str]]:
    for path, text in answer.files.items():
        if path.endswith("Dockerfile"):
            for n, line in enumerate(text.split("\n")):
                if line.strip() and not line.lstrip().startswith("#"):
                    yield path, n, line


def replace_line(answer: Answer, path: str, n: int, new: str | None) -> Answer:
    lines = answer.files[path].split("\n")
    if new is None:
        del lines[n]
    else:
        lines[n] = new
    return answer.with_file(path, "\n".join(lines))


def instruction(line: str) -> str:
    return line.split(None, 1)[0].upper()


def rename_everywhere(answer: Answer, old: str, new: str) -> Answer:
    """The learner used another name throughout: in every command, file and answer command."""
    word = re.compile(rf"(?<![\w./-]){re.escape(old)}(?![\w.-])")
    files = {p: word.sub(new, t) for p, t in answer.files.items()}
    commands = tuple(word.sub(new, c) for c in answer.commands)
    answers = {k: Value(v.kind, word.sub(new, v.command), v.typed) for k, v in answer.answers.items()}
    return Answer(files, commands, answers, answer.may_fail)
