"""Must-fail operators: small changes of a reference answer that a check must catch."""

from __future__ import annotations

import re
from typing import Any

from tests.mutation import commands as cmd
from tests.mutation.answers import Answer
from tests.mutation.mutate import (
    Mutants,
    commands_of,
    dockerfile_lines,
    each_flag,
    instruction,
    rename_everywhere,
    replace_line,
)

DROPPABLE = ("-p", "--publish", "-P", "--network", "--hostname", "--pid", "--ipc", "-v", "--volume", "--cap-add")


def drop_flag(answer: Answer) -> Mutants:
    out: Mutants = []
    for verb, names in (("run", DROPPABLE), ("build", ("--build-arg", "--target"))):
        for i, parsed in commands_of(answer, verb):
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

    return each_flag(answer, "run", ("-p", "--publish"), swap)


def other_host_port(answer: Answer) -> Mutants:
    def other(value: str) -> str | None:
        ip, host, container = cmd.port_spec(value)
        return cmd.join_port(ip, str(int(host) + 5), container) if host.isdigit() else None

    return each_flag(answer, "run", ("-p", "--publish"), other)


def other_container_port(answer: Answer) -> Mutants:
    def other(value: str) -> str | None:
        ip, host, container = cmd.port_spec(value)
        return cmd.join_port(ip, host, "8080") if container.isdigit() else None

    return each_flag(answer, "run", ("-p", "--publish"), other)


def all_for_one(answer: Answer) -> Mutants:
    """``-P`` for ``-p``: every exposed port to a random host port instead of the one asked."""
    out: Mutants = []
    for i, parsed in commands_of(answer, "run"):
        if parsed.values("-p", "--publish"):
            flags = [f for f in parsed.flags if f[0] not in ("-p", "--publish")] + [("-P", None)]
            out.append(("-P", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def one_for_all(answer: Answer) -> Mutants:
    """``-p 80`` for ``-P``: one port published where every exposed one was asked."""
    out: Mutants = []
    for i, parsed in commands_of(answer, "run"):
        if ("-P", None) in parsed.flags:
            flags = [f for f in parsed.flags if f[0] != "-P"] + [("-p", "80")]
            out.append(("-p 80", answer.with_command(i, parsed.with_flags(flags).render())))
    return out


def other_name(answer: Answer) -> Mutants:
    names = sorted({v for _, p in commands_of(answer, "run") for v in p.values("--name")})
    return [(f"{n} -> {n}2", rename_everywhere(answer, n, f"{n}2")) for n in names]


def other_tag(answer: Answer) -> Mutants:
    tags = sorted({v for _, p in commands_of(answer, "build") for v in p.values("-t", "--tag")})
    out: Mutants = []
    for tag in tags:
        repo, _, version = tag.rpartition(":")
        new = f"{repo}:{version}-x" if repo else f"{tag}:x"
        out.append((f"{tag} -> {new}", rename_everywhere(answer, tag, new)))
    return out


def comment_instruction(answer: Answer) -> Mutants:
    """An instruction written as a comment (``# LABEL ...``): the builder ignores it."""
    return [
        (f"{path}: # {line.strip()}", replace_line(answer, path, n, f"# {line.strip()}"))
        for path, n, line in dockerfile_lines(answer)
        if instruction(line) != "FROM"
    ]


def runtime_write(answer: Answer) -> Mutants:
    """A RUN step's work done by CMD instead: at run time, not in the image."""
    out: Mutants = []
    for path, n, line in dockerfile_lines(answer):
        if instruction(line) == "RUN":
            new = "CMD " + line.strip()[4:]
            out.append((f"{path}: {new}", replace_line(answer, path, n, new)))
    return out


def no_default(answer: Answer) -> Mutants:
    """``ARG NAME`` without the ``=default`` the exercise asks for."""
    out: Mutants = []
    for path, n, line in dockerfile_lines(answer):
        match = re.fullmatch(r"ARG (\w+)=\S+", line.strip())
        if match:
            out.append((f"{path}: ARG {match[1]}", replace_line(answer, path, n, f"ARG {match[1]}")))
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
    for path, n, line in dockerfile_lines(answer):
        words = line.split()
        if instruction(line) == "FROM" and words[1] in OTHER_BASE:
            new = " ".join([words[0], OTHER_BASE[words[1]], *words[2:]])
            out.append((f"{path}: {new}", replace_line(answer, path, n, new)))
    return out


def _volume_source(value: str) -> str:
    return value.split(":", 1)[0]


def bind_for_volume(answer: Answer) -> Mutants:
    def bind(value: str) -> str | None:
        source = _volume_source(value)
        return "/tmp/" + value if not source.startswith(("/", "$", ".")) else None

    return each_flag(answer, "run", ("-v", "--volume"), bind)


def volume_for_bind(answer: Answer) -> Mutants:
    """A plain name where a path was meant: Docker silently makes a named volume."""

    def volume(value: str) -> str | None:
        source = _volume_source(value)
        return (
            value.replace(source, source.rstrip("/").rsplit("/", 1)[-1], 1) if source.startswith(("/", "$")) else None
        )

    return each_flag(answer, "run", ("-v", "--volume"), volume)


def read_write(answer: Answer) -> Mutants:
    return each_flag(answer, "run", ("-v", "--volume"), lambda v: v[: -len(":ro")] if v.endswith(":ro") else None)


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
