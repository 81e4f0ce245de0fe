"""A learner's ``docker run`` / ``docker build`` command as flags, image and arguments, and back to text.

Mutation operators change one flag of a parsed command and render it again; what
follows a redirection (``> conflict.txt 2>&1``) is kept as it was written.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field, replace

RUN_VALUE_FLAGS = {
    "-p", "--publish", "--name", "--network", "--net", "--hostname", "-h", "--pid", "--ipc", "-v", "--volume",
    "--mount", "--cap-add", "--cap-drop", "-e", "--env", "--pull", "-w", "--workdir", "-u", "--user",
}  # fmt: skip
BUILD_VALUE_FLAGS = {"-t", "--tag", "-f", "--file", "--build-arg", "--target"}


@dataclass(frozen=True)
class Command:
    """``docker VERB [flags] [operand [args...]]`` with any redirection kept as raw text."""

    verb: str  # run | build
    flags: tuple[tuple[str, str | None], ...]
    operand: str  # the image of run, the context of build
    args: tuple[str, ...] = ()
    tail: str = ""
    quoted: bool = field(default=False, compare=False)

    def values(self, *names: str) -> list[str]:
        return [v for f, v in self.flags if f in names and v is not None]

    def with_flags(self, flags: list[tuple[str, str | None]]) -> Command:
        return replace(self, flags=tuple(flags))

    def render(self) -> str:
        words = ["docker", self.verb]
        for flag, value in self.flags:
            words.append(flag)
            if value is not None:
                words.append(_quote(value, self.quoted))
        words += [self.operand, *(shlex.quote(a) for a in self.args)]
        text = " ".join(words)
        return f"{text} {self.tail}" if self.tail else text


def _quote(value: str, force: bool) -> str:
    if "$" in value:  # "$PWD/config:/config:ro": the shell must expand it
        return '"' + value.replace('"', '\\"') + '"'
    return f'"{value}"' if force and '"' not in value else shlex.quote(value)


def parse(text: str) -> Command | None:
    """The command, or None for anything but a plain ``docker run`` / ``docker build``."""
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    # a redirection outside quotes (`> conflict.txt 2>&1`) ends the command: kept as written
    cut = next((k for k, w in enumerate(words) if w.startswith((">", "2>"))), len(words))
    words, tail = words[:cut], " ".join(words[cut:])
    if len(words) < 3 or words[0] != "docker" or words[1] not in ("run", "build"):
        return None
    value_flags = RUN_VALUE_FLAGS if words[1] == "run" else BUILD_VALUE_FLAGS
    flags: list[tuple[str, str | None]] = []
    i = 2
    while i < len(words) and words[i].startswith("-"):
        if words[i] in value_flags:
            if i + 1 >= len(words):
                return None
            flags.append((words[i], words[i + 1]))
            i += 2
        else:
            flags.append((words[i], None))
            i += 1
    if i >= len(words):
        return None
    return Command(words[1], tuple(flags), words[i], tuple(words[i + 1 :]), tail)


def port_spec(value: str) -> tuple[str, str, str]:
    """``-p`` value -> (host ip, host port, container port), empty where not given."""
    parts = value.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return parts[0], parts[1], parts[2]


def join_port(ip: str, host: str, container: str) -> str:
    if ip:
        return f"{ip}:{host}:{container}"
    return f"{host}:{container}" if host else container


def as_mount(value: str) -> str:
    """A ``-v`` value as the equivalent ``--mount`` value."""
    parts = value.split(":")
    source, target = parts[0], parts[1]
    options = parts[2] if len(parts) > 2 else ""
    kind = "bind" if source.startswith(("/", "$", ".")) else "volume"
    out = f"type={kind},source={source},target={target}"
    return out + (",readonly" if "ro" in options.split(",") else "")


def as_sdk(command: Command) -> str | None:
    """The same ``docker run`` through the Python SDK (``docker.from_env().containers.run``), or None."""
    kw: dict[str, object] = {"detach": False}
    ports: dict[str, object] = {}
    volumes: dict[str, dict[str, str]] = {}
    for flag, value in command.flags:
        if flag in ("-d", "--detach"):
            kw["detach"] = True
        elif flag in ("-P", "--publish-all"):
            kw["publish_all_ports"] = True
        elif flag == "--name" and value:
            kw["name"] = value
        elif flag in ("--network", "--net") and value:
            kw["network_mode" if value in ("host", "none") or value.startswith("container:") else "network"] = value
        elif flag in ("--hostname", "--pid", "--ipc") and value:
            kw[{"--hostname": "hostname", "--pid": "pid_mode", "--ipc": "ipc_mode"}[flag]] = value
        elif flag == "--cap-add" and value:
            kw.setdefault("cap_add", [])
            kw["cap_add"].append(value)  # type: ignore[attr-defined]
        elif flag in ("-p", "--publish") and value:
            ip, host, container = port_spec(value)
            bound: object = int(host) if host else None
            ports[f"{container}/tcp" if "/" not in container else container] = (ip, bound) if ip else bound
        elif flag in ("-v", "--volume") and value:
            parts = value.split(":")
            volumes[parts[0]] = {"bind": parts[1], "mode": parts[2] if len(parts) > 2 else "rw"}
        else:
            return None
    kw.update({"ports": ports} if ports else {})
    kw.update({"volumes": volumes} if volumes else {})
    script = (
        "import docker, json, os, sys; kw = json.loads(sys.argv[1]); "
        "kw['volumes'] = {k.replace('$PWD', os.getcwd()): v for k, v in kw.get('volumes', {}).items()} or None; "
        "kw['ports'] = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.get('ports', {}).items()} or None; "
        "out = docker.from_env().containers.run(sys.argv[2], sys.argv[3:] or None, **kw); "
        "print(out.id if kw['detach'] else out.decode())"
    )
    words = ["python3", "-c", script, json.dumps(kw), command.operand, *command.args]
    text = " ".join(shlex.quote(w) for w in words)
    return f"{text} {command.tail}" if command.tail else text


def as_sdk_build(command: Command) -> str | None:
    """The same ``docker build`` through the Python SDK (``images.build``: the classic builder), or None."""
    kw: dict[str, object] = {"path": command.operand, "rm": True}
    args: dict[str, str] = {}
    for flag, value in command.flags:
        if flag in ("-t", "--tag") and value:
            kw["tag"] = value
        elif flag in ("-f", "--file") and value:
            kw["dockerfile"] = value
        elif flag == "--target" and value:
            kw["target"] = value
        elif flag == "--build-arg" and value:
            key, _, val = value.partition("=")
            args[key] = val
        elif flag not in ("-q", "--quiet"):
            return None
    kw.update({"buildargs": args} if args else {})
    script = (
        "import docker, json, os, sys; kw = json.loads(sys.argv[1]); kw['path'] = os.path.abspath(kw['path']); "
        "image, _ = docker.from_env().images.build(**kw); print(image.id)"
    )
    return " ".join(shlex.quote(w) for w in ["python3", "-c", script, json.dumps(kw)])
