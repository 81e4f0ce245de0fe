"""Must-pass operators: rewrites of a reference answer that mean the same to Docker."""

from __future__ import annotations

import json
import re
import shlex

from tests.mutation import commands as cmd
from tests.mutation.answers import Answer
from tests.mutation.mutate import (
    Mutants,
    commands_of,
    dockerfile_lines,
    replace_line,
)

LONG = {"-p": "--publish", "-v": "--volume", "-d": "--detach", "-P": "--publish-all", "-t": "--tag", "-f": "--file"}


def long_flags(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in commands_of(answer, verb):
            flags = [(LONG.get(f, f), v) for f, v in parsed.flags]
            if flags != list(parsed.flags):
                out.append((parsed.render()[:60], answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def mount_for_v(answer: Answer) -> Mutants:
    out: Mutants = []
    for i, parsed in commands_of(answer, "run"):
        if parsed.values("-v", "--volume"):
            flags = [("--mount", cmd.as_mount(v)) if f in ("-v", "--volume") and v else (f, v) for f, v in parsed.flags]
            out.append((" ".join(parsed.values("-v")), answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def flag_order(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in commands_of(answer, verb):
            if len(parsed.flags) > 1:
                flags = list(reversed(parsed.flags))
                out.append((parsed.render()[:60], answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def quoting(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in commands_of(answer, verb):
            if any(v for _, v in parsed.flags):
                quoted = cmd.Command(parsed.verb, parsed.flags, parsed.operand, parsed.args, parsed.tail, quoted=True)
                out.append((parsed.render()[:60], answer.with_command(i, quoted.render())))
    return out


def sdk(answer: Answer) -> Mutants:
    """The Python SDK for ``docker run`` and ``docker build`` (whose SDK build is the classic builder's)."""
    out: Mutants = []
    for verb, rewrite in (("run", cmd.as_sdk), ("build", cmd.as_sdk_build)):
        for i, parsed in commands_of(answer, verb):
            script = rewrite(parsed)
            if script is not None:
                out.append((parsed.render()[:60], answer.with_command(i, script)))
    return out


FORMS = ("CMD", "ENTRYPOINT", "RUN", "COPY", "ADD", "ONBUILD")


def _other_form(rest: str) -> str | None:
    """The exec (JSON) form of a shell-form argument list, or the shell form of an exec one."""
    if rest.startswith("["):
        words = json.loads(rest)
        return " ".join(words)
    words = shlex.split(rest)
    if any(w.startswith("--") for w in words) or any(c in rest for c in "&|;><$'\""):
        return json.dumps(["/bin/sh", "-c", rest]) if not rest.startswith("--") else None
    return json.dumps(words)


def other_form(answer: Answer) -> Mutants:
    out: Mutants = []
    for path, n, line in dockerfile_lines(answer):
        word, _, rest = line.strip().partition(" ")
        prefix = word
        if word.upper() == "ONBUILD":
            inner, _, rest = rest.partition(" ")
            prefix = f"{word} {inner}"
            word = inner
        if word.upper() not in FORMS or word.upper() in ("ADD", "COPY") and rest.startswith("--"):
            continue
        new = _other_form(rest.strip())
        if new is not None and not (word.upper() in ("COPY", "ADD") and "/bin/sh" in new):
            form = "shell-form" if rest.strip().startswith("[") else "exec-form"
            out.append((f"{form}:{word.upper()}", replace_line(answer, path, n, f"{prefix} {new}")))
    return out


def env_space(answer: Answer) -> Mutants:
    out: Mutants = []
    for path, n, line in dockerfile_lines(answer):
        match = re.fullmatch(r"ENV (\w+)=(\S+)", line.strip())
        if match:
            new = f"ENV {match[1]} {match[2]}"
            out.append((new, replace_line(answer, path, n, new)))
    return out


def extra_instruction(answer: Answer) -> Mutants:
    out: Mutants = []
    for path, text in answer.files.items():
        lines = text.split("\n")
        last_from = max((n for n, line in enumerate(lines) if line.upper().startswith("FROM ")), default=None)
        if path.endswith("Dockerfile") and last_from is not None:
            lines.insert(last_from + 1, 'LABEL org.example.note="harmless"')
            out.append((path, answer.with_file(path, "\n".join(lines))))
    return out
