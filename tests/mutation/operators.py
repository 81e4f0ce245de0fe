"""Mutation operators: small changes of a reference answer that must fail, rewrites that must pass.

Each operator maps an :class:`Answer` to its mutants, ``(detail, answer)`` pairs; an
operator that finds nothing to change in an exercise is recorded as not applying.
Must-fail operators are the issue's: drop a flag, swap host and container ports,
another port, ``-P`` for ``-p``, another name or tag, an instruction in a comment
(a label in a comment), the file written at run time instead of build time, a bind
mount for a volume (and the reverse), read-write for read-only, another base, a step
left out, wrong answer values. Must-pass ones: shell/exec form, ``ENV A=1`` /
``ENV A 1``, long flags (``--publish`` for ``-p``), ``--mount`` for ``-v``, the SDK
instead of the CLI, flag order, quoting, an extra harmless instruction.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.mutation import commands as cmd
from tests.mutation.answers import Answer, Value

Mutants = list[tuple[str, Answer]]


@dataclass(frozen=True)
class Operator:
    name: str
    expect: str  # fail | pass
    apply: Callable[[Answer], Mutants]


# -- helpers -------------------------------------------------------------------------------------


def _commands(answer: Answer, verb: str) -> Iterator[tuple[int, cmd.Command]]:
    for i, text in enumerate(answer.commands):
        parsed = cmd.parse(text)
        if parsed is not None and parsed.verb == verb:
            yield i, parsed


def _each_flag(answer: Answer, verb: str, names: tuple[str, ...], change: Callable[[str], str | None]) -> Mutants:
    """One mutant per flag ``names`` of ``verb`` commands whose value ``change`` rewrites (None: skip)."""
    out: Mutants = []
    for i, parsed in _commands(answer, verb):
        for j, (flag, value) in enumerate(parsed.flags):
            if flag in names and value is not None:
                new = change(value)
                if new is not None and new != value:
                    flags = list(parsed.flags)
                    flags[j] = (flag, new)
                    out.append((f"{flag} {value} -> {new}", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def _dockerfile_lines(answer: Answer) -> Iterator[tuple[str, int, str]]:
    for path, text in answer.files.items():
        if path.endswith("Dockerfile"):
            for n, line in enumerate(text.split("\n")):
                if line.strip() and not line.lstrip().startswith("#"):
                    yield path, n, line


def _replace_line(answer: Answer, path: str, n: int, new: str | None) -> Answer:
    lines = answer.files[path].split("\n")
    if new is None:
        del lines[n]
    else:
        lines[n] = new
    return answer.with_file(path, "\n".join(lines))


def _instruction(line: str) -> str:
    return line.split(None, 1)[0].upper()


def _rename_everywhere(answer: Answer, old: str, new: str) -> Answer:
    """The learner used another name throughout: in every command, file and answer command."""
    word = re.compile(rf"(?<![\w./-]){re.escape(old)}(?![\w.-])")
    files = {p: word.sub(new, t) for p, t in answer.files.items()}
    commands = tuple(word.sub(new, c) for c in answer.commands)
    answers = {k: Value(v.kind, word.sub(new, v.command), v.typed) for k, v in answer.answers.items()}
    return Answer(files, commands, answers, answer.may_fail)


# -- must fail -----------------------------------------------------------------------------------

DROPPABLE = ("-p", "--publish", "-P", "--network", "--hostname", "--pid", "--ipc", "-v", "--volume", "--cap-add")


def drop_flag(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb, names in (("run", DROPPABLE), ("build", ("--build-arg", "--target"))):
        for i, parsed in _commands(answer, verb):
            for j, (flag, value) in enumerate(parsed.flags):
                if flag in names:
                    flags = [f for k, f in enumerate(parsed.flags) if k != j]
                    detail = f"{flag} {value}" if value else flag
                    out.append((detail, answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def swap_ports(answer: Answer) -> Mutants:
    def swap(value: str) -> str | None:
        ip, host, container = cmd.port_spec(value)
        return cmd.join_port(ip, container, host) if host and host != container else None

    return _each_flag(answer, "run", ("-p", "--publish"), swap)


def other_host_port(answer: Answer) -> Mutants:
    def other(value: str) -> str | None:
        ip, host, container = cmd.port_spec(value)
        return cmd.join_port(ip, str(int(host) + 5), container) if host.isdigit() else None

    return _each_flag(answer, "run", ("-p", "--publish"), other)


def other_container_port(answer: Answer) -> Mutants:
    def other(value: str) -> str | None:
        ip, host, container = cmd.port_spec(value)
        return cmd.join_port(ip, host, "8080") if container.isdigit() else None

    return _each_flag(answer, "run", ("-p", "--publish"), other)


def all_for_one(answer: Answer) -> Mutants:
    """``-P`` for ``-p``: every exposed port to a random host port instead of the one asked."""
    out: Mutants = []
    for i, parsed in _commands(answer, "run"):
        if parsed.values("-p", "--publish"):
            flags = [f for f in parsed.flags if f[0] not in ("-p", "--publish")] + [("-P", None)]
            out.append(("-P", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def one_for_all(answer: Answer) -> Mutants:
    """``-p 80`` for ``-P``: one port published where every exposed one was asked."""
    out: Mutants = []
    for i, parsed in _commands(answer, "run"):
        if ("-P", None) in parsed.flags:
            flags = [f for f in parsed.flags if f[0] != "-P"] + [("-p", "80")]
            out.append(("-p 80", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def other_name(answer: Answer) -> Mutants:
    names = sorted({v for _, p in _commands(answer, "run") for v in p.values("--name")})
    return [(f"{n} -> {n}2", _rename_everywhere(answer, n, f"{n}2")) for n in names]


def other_tag(answer: Answer) -> Mutants:
    tags = sorted({v for _, p in _commands(answer, "build") for v in p.values("-t", "--tag")})
    out: Mutants = []
    for tag in tags:
        repo, _, version = tag.rpartition(":")
        new = f"{repo}:{version}-x" if repo else f"{tag}:x"
        out.append((f"{tag} -> {new}", _rename_everywhere(answer, tag, new)))
    return out


def comment_instruction(answer: Answer) -> Mutants:
    """An instruction written as a comment (``# LABEL ...``): the builder ignores it."""
    return [
        (f"{path}: # {line.strip()}", _replace_line(answer, path, n, f"# {line.strip()}"))
        for path, n, line in _dockerfile_lines(answer)
        if _instruction(line) != "FROM"
    ]


def runtime_write(answer: Answer) -> Mutants:
    """A RUN step's work done by CMD instead: at run time, not in the image."""
    out: Mutants = []
    for path, n, line in _dockerfile_lines(answer):
        if _instruction(line) == "RUN":
            new = "CMD " + line.strip()[4:]
            out.append((f"{path}: {new}", _replace_line(answer, path, n, new)))
    return out


def no_default(answer: Answer) -> Mutants:
    """``ARG NAME`` without the ``=default`` the exercise asks for."""
    out: Mutants = []
    for path, n, line in _dockerfile_lines(answer):
        match = re.fullmatch(r"ARG (\w+)=\S+", line.strip())
        if match:
            out.append((f"{path}: ARG {match[1]}", _replace_line(answer, path, n, f"ARG {match[1]}")))
    return out


OTHER_BASE = {
    "busybox": "debian:bookworm-slim",
    "python:3.11-slim": "python:3.11",
    "python:3.11": "python:3.11-slim",
    "scratch": "busybox",
    "course/onbuild-base:1.0": "busybox",
}


def other_base(answer: Answer) -> Mutants:
    out: Mutants = []
    for path, n, line in _dockerfile_lines(answer):
        words = line.split()
        if _instruction(line) == "FROM" and words[1] in OTHER_BASE:
            new = " ".join([words[0], OTHER_BASE[words[1]], *words[2:]])
            out.append((f"{path}: {new}", _replace_line(answer, path, n, new)))
    return out


def _volume_source(value: str) -> str:
    return value.split(":", 1)[0]


def bind_for_volume(answer: Answer) -> Mutants:
    def bind(value: str) -> str | None:
        source = _volume_source(value)
        return "/tmp/" + value if not source.startswith(("/", "$", ".")) else None

    return _each_flag(answer, "run", ("-v", "--volume"), bind)


def volume_for_bind(answer: Answer) -> Mutants:
    """A plain name where a path was meant: Docker silently makes a named volume."""

    def volume(value: str) -> str | None:
        source = _volume_source(value)
        return (
            value.replace(source, source.rstrip("/").rsplit("/", 1)[-1], 1) if source.startswith(("/", "$")) else None
        )

    return _each_flag(answer, "run", ("-v", "--volume"), volume)


def read_write(answer: Answer) -> Mutants:
    return _each_flag(answer, "run", ("-v", "--volume"), lambda v: v[: -len(":ro")] if v.endswith(":ro") else None)


def drop_command(answer: Answer) -> Mutants:
    """A step left out (the removal, the write before the read); a lone command is covered by the other operators."""
    if len(answer.commands) < 2:
        return []
    out: Mutants = []
    for i, text in enumerate(answer.commands):
        if text.startswith(("sleep ", "for ")):
            continue  # waiting for a server changes nothing a check reads
        rest = tuple(c for k, c in enumerate(answer.commands) if k != i)
        out.append((text[:60], Answer(answer.files, rest, answer.answers, answer.may_fail)))
    return out


def wrong_values(name: str, value: Any) -> list[tuple[str, Any]]:
    """Wrong values of an answer variable of the reference's ``value``: another subnet, another veth, ..."""
    if isinstance(value, bool):
        return [(f"{name} = {not value}", not value)]
    if isinstance(value, set):
        out = [(f"{name} without {v}", value - {v}) for v in sorted(value)[:2]]
        extra = next((n for n in ("user", "uts", "net", "pid") if n not in value), None)
        return out + ([(f"{name} with {extra}", value | {extra})] if extra else [])
    text = str(value)
    cidr = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)\.(\d+)(/\d+)?", text)
    if cidr:
        a, b, c, d, mask = cidr.groups()
        if mask:
            return [(f"{name}: another subnet", f"{a}.{b}.{(int(c) + 1) % 256}.{d}{mask}")]
        return [(f"{name}: another address", f"{a}.{b}.{c}.{(int(d) + 1) % 255 or 1}")]
    if text.startswith("veth"):
        return [(f"{name}: another veth", "veth" + text[4:][::-1])]
    if re.fullmatch(r"[0-9a-f]{64}", text):
        return [(f"{name}: another volume", text[::-1])]
    return [(f"{name}: empty", ""), (f"{name}: another text", "Error: something else went wrong")]


# -- must pass -----------------------------------------------------------------------------------

LONG = {"-p": "--publish", "-v": "--volume", "-d": "--detach", "-P": "--publish-all", "-t": "--tag", "-f": "--file"}


def long_flags(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in _commands(answer, verb):
            flags = [(LONG.get(f, f), v) for f, v in parsed.flags]
            if flags != list(parsed.flags):
                out.append((parsed.render()[:60], answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def mount_for_v(answer: Answer) -> Mutants:
    out: Mutants = []
    for i, parsed in _commands(answer, "run"):
        if parsed.values("-v", "--volume"):
            flags = [("--mount", cmd.as_mount(v)) if f in ("-v", "--volume") and v else (f, v) for f, v in parsed.flags]
            out.append((" ".join(parsed.values("-v")), answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def flag_order(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in _commands(answer, verb):
            if len(parsed.flags) > 1:
                flags = list(reversed(parsed.flags))
                out.append((parsed.render()[:60], answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def quoting(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb in ("run", "build"):
        for i, parsed in _commands(answer, verb):
            if any(v for _, v in parsed.flags):
                quoted = cmd.Command(parsed.verb, parsed.flags, parsed.operand, parsed.args, parsed.tail, quoted=True)
                out.append((parsed.render()[:60], answer.with_command(i, quoted.render())))
    return out


def sdk(answer: Answer) -> Mutants:
    out: Mutants = []
    for i, parsed in _commands(answer, "run"):
        script = cmd.as_sdk(parsed)
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
    for path, n, line in _dockerfile_lines(answer):
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
            out.append((f"{form}:{word.upper()}", _replace_line(answer, path, n, f"{prefix} {new}")))
    return out


def env_space(answer: Answer) -> Mutants:
    out: Mutants = []
    for path, n, line in _dockerfile_lines(answer):
        match = re.fullmatch(r"ENV (\w+)=(\S+)", line.strip())
        if match:
            new = f"ENV {match[1]} {match[2]}"
            out.append((new, _replace_line(answer, path, n, new)))
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


OPERATORS = [
    Operator("drop-flag", "fail", drop_flag),
    Operator("swap-ports", "fail", swap_ports),
    Operator("other-host-port", "fail", other_host_port),
    Operator("other-container-port", "fail", other_container_port),
    Operator("-P-for-p", "fail", all_for_one),
    Operator("p-for-P", "fail", one_for_all),
    Operator("other-name", "fail", other_name),
    Operator("other-tag", "fail", other_tag),
    Operator("in-comment", "fail", comment_instruction),
    Operator("run-time-write", "fail", runtime_write),
    Operator("no-default", "fail", no_default),
    Operator("other-base", "fail", other_base),
    Operator("bind-for-volume", "fail", bind_for_volume),
    Operator("volume-for-bind", "fail", volume_for_bind),
    Operator("read-write", "fail", read_write),
    Operator("step-left-out", "fail", drop_command),
    Operator("form", "pass", other_form),
    Operator("env-space", "pass", env_space),
    Operator("long-flags", "pass", long_flags),
    Operator("mount-for-v", "pass", mount_for_v),
    Operator("sdk", "pass", sdk),
    Operator("flag-order", "pass", flag_order),
    Operator("quoting", "pass", quoting),
    Operator("extra-instruction", "pass", extra_instruction),
]
"""Every operator; ``wrong-value`` (answer variables) is made from the reference's computed values."""
