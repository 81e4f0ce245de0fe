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

from collections.abc import Callable
from dataclasses import dataclass

from tests.mutation.answers import Answer
from tests.mutation.mutate import Mutants
from tests.mutation.operators_fail import (
    all_for_one,
    bind_for_volume,
    comment_instruction,
    drop_command,
    drop_flag,
    no_default,
    one_for_all,
    other_base,
    other_container_port,
    other_host_port,
    other_name,
    other_tag,
    read_write,
    runtime_write,
    swap_ports,
    volume_for_bind,
    wrong_values,
)
from tests.mutation.operators_pass import (
    env_space,
    extra_instruction,
    flag_order,
    long_flags,
    mount_for_v,
    other_form,
    quoting,
    sdk,
)

__all__ = ["OPERATORS", "Operator", "wrong_values"]


@dataclass(frozen=True)
class Operator:
    name: str
    expect: str  # fail | pass
    apply: Callable[[Answer], Mutants]


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
