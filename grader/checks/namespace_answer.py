"""Check type: an answer variable about a container's namespaces matches the real inodes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from grader.checks.answers import answer_bool
from grader.checks.base import Check, Context, Outcome
from grader.facts.namespaces import NAMESPACES

TYPED = (
    "Compute the answer from the inodes in /proc/PID/ns each time: a value typed from another "
    "engine no longer matches this one (autograding runs in a fresh lab)."
)
WHY_SHARED = {
    "user": "the user namespace is shared by default (no userns-remap, not rootless): root inside is root outside",
    "cgroup": "this engine keeps containers in the host's cgroup namespace (cgroup v1, or --cgroupns host)",
    "time": "Docker does not create a time namespace",
}
_ALIASES = {"network": "net", "mount": "mnt", "hostname": "uts", "process": "pid", "proc": "pid"}


def parse_namespace_names(value: Any) -> set[str]:
    """Namespace names from a set/list/tuple of names or a comma-separated string.

    Accepts ``net:[4026532718]`` and ``/proc/1/ns/net`` style items too.

    Raises:
        ValueError: an item is not a namespace name (the message lists them).
    """
    if isinstance(value, str):
        items: list[Any] = [v for v in re.split(r"[,\s]+", value.strip().strip("{}[]()")) if v]
    elif isinstance(value, (set, frozenset, list, tuple)):
        items = list(value)
    else:
        raise ValueError(f"expected a set of namespace names, got {type(value).__name__} {value!r}")
    names = set()
    for item in items:
        name = str(item).strip().strip("'\"").lower().rsplit("/", 1)[-1].split(":", 1)[0]
        name = _ALIASES.get(name, name)
        if name not in NAMESPACES:
            raise ValueError(f"{item!r} is not a namespace name (use {', '.join(NAMESPACES)})")
        names.add(name)
    return names


def explain_difference(answer: set[str], truth: set[str]) -> str:
    """A hint naming each namespace wrongly listed or missing, and why."""
    lines = []
    for name in sorted(answer - truth):
        why = WHY_SHARED.get(name, "compare the inodes again")
        lines.append(f"{name} is shared with the engine host here ({why}).")
    for name in sorted(truth - answer):
        lines.append(f"{name} is not shared: the container's {name} inode differs from the engine host's.")
    return " ".join([*lines, TYPED])


@dataclass
class NamespaceAnswer(Check):
    """Answer variable ``answer`` about container ``name`` vs the engine host, from the inodes.

    Without ``namespace`` the answer is the set of names the container does *not*
    share; with ``namespace`` it is a boolean: "it shares that namespace".
    """

    answer: str = ""
    name: str = ""
    namespace: str = ""
    kind: ClassVar[str] = "namespace answer"
    REQUIRED = ("answer", "name")
    CHOICES = {"namespace": ("", *NAMESPACES)}
    OBJECTS = {"name": "container"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        if self.title:
            return self.title
        return f"{self.answer} matches the namespaces of {self.name}"

    def evaluate(self, ctx: Context) -> Outcome:
        given = ctx.answers.get(self.answer)
        inodes = ctx.facts.namespaces((self.name,))
        container, host = inodes[self.name], inodes["host"]
        if self.namespace:
            truth: Any = container.inodes.get(self.namespace) == host.inodes.get(self.namespace)
        else:
            truth = container.unshared_with(host)
        expected = f"{self.answer} = {_show(truth)}"
        if given is None:
            return Outcome(False, expected, f"no {self.answer}", f"Set {self.answer} from your own code. {TYPED}")
        try:
            answer: Any = answer_bool(given) if self.namespace else parse_namespace_names(given)
        except ValueError as e:
            return Outcome(False, expected, f"{self.answer} = {given!r}", _sentence(str(e)))
        if answer == truth:
            return Outcome(True, expected, f"{self.answer} = {_show(answer)}")
        if self.namespace:
            hint = (
                f"Compare the {self.namespace} inodes of {self.name} and of the engine host. "
                f"{_sentence(WHY_SHARED.get(self.namespace, ''))} {TYPED}"
            )
        else:
            hint = explain_difference(answer, truth)
        return Outcome(False, expected, f"{self.answer} = {_show(answer)}", hint)


def _show(value: Any) -> str:
    if isinstance(value, set):
        return "{" + ", ".join(repr(v) for v in sorted(value)) + "}" if value else "set()"
    return str(value)


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}." if text else ""
