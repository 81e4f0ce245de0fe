"""A cap on a build's context: what ``docker build`` would send, measured before it is sent.

A context of a gigabyte (a learner's ``dd`` into the build folder, a submission
that builds ``/``) costs the engine that much disk and time before the first
step runs. The lab's ``docker`` (``grader/images/lab/docker``) and the course's
``build()`` helper measure the context first, as the CLI would send it (the
files ``.dockerignore`` leaves, links not followed), and refuse one over the cap
(``DOCKER_COURSE_BUILD_CONTEXT_MAX``, default ``LabSpec`` ``Limits.build_context``)
with a sentence saying what to leave out. A context sent around them (the real
``/usr/bin/docker``, a raw API call) is bounded by the lab's disk cap instead.

Run as ``python -m grader.engine.build_context ARGS-OF-DOCKER-BUILD``: exit 0 when
the build may go on (or the context is not a local folder), else exit 3 with the
reason on stderr.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from docker.utils.build import PatternMatcher

CAP_ENV = "DOCKER_COURSE_BUILD_CONTEXT_MAX"
DEFAULT_CAP = "512m"
REFUSED = 3
# `docker build` / `docker buildx build` options that take a value (the rest are switches)
# fmt: off
WITH_VALUE = frozenset((
    "--add-host", "--allow", "--annotation", "--attest", "--build-arg", "--build-context", "--builder",
    "--cache-from", "--cache-to", "--call", "--cgroup-parent", "--cpu-period", "--cpu-quota", "--cpu-shares",
    "-c", "--cpuset-cpus", "--cpuset-mems", "--file", "-f", "--iidfile", "--isolation", "--label", "--memory",
    "-m", "--memory-swap", "--metadata-file", "--network", "--no-cache-filter", "--output", "-o", "--platform",
    "--progress", "--provenance", "--sbom", "--secret", "--security-opt", "--shm-size", "--ssh", "--tag", "-t",
    "--target", "--ulimit",
))
# fmt: on


def parse_size(text: str) -> int:
    """``512m``, ``1g``, ``1024`` (bytes) -> bytes.

    Raises:
        ValueError: not a size.
    """
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    value = text.strip().lower().removesuffix("b")
    if value and value[-1] in units:
        return int(float(value[:-1]) * units[value[-1]])
    return int(value)


def context_of(args: list[str]) -> str | None:
    """The context argument of ``docker build ARGS`` (``build``/``buildx build``/``image build`` dropped)."""
    words = list(args)
    while words and words[0] in ("build", "buildx", "image", "builder"):
        words.pop(0)
    positional, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-") and word != "-":
            skip = word in WITH_VALUE  # `--tag x`; `--tag=x` and `-tx` carry their value
        else:
            positional.append(word)
    return positional[-1] if positional else None


def ignore_patterns(context: Path) -> list[str]:
    """The ``.dockerignore`` patterns of ``context`` (comments and blank lines left out)."""
    try:
        lines = (context / ".dockerignore").read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def context_size(context: Path, cap: int) -> int:
    """Bytes of the regular files the CLI would send from ``context``; counting stops past ``cap``."""
    patterns = ignore_patterns(context)
    matcher = PatternMatcher(patterns)
    # a folder ignored as a whole is never walked, unless a `!pattern` may take something in it back
    prune = not any(p.startswith("!") for p in patterns)
    total = 0
    for parent, dirs, files in os.walk(context, followlinks=False):
        rel_parent = os.path.relpath(parent, context)
        for name in files:
            if matcher.matches(name if rel_parent == "." else os.path.join(rel_parent, name)):
                continue
            try:
                st = os.lstat(os.path.join(parent, name))
            except OSError:
                continue
            total += st.st_size if stat.S_ISREG(st.st_mode) else 0
            if total > cap:
                return total
        if prune:
            dirs[:] = [d for d in dirs if not matcher.matches(d if rel_parent == "." else os.path.join(rel_parent, d))]
    return total


def refusal(context: str | None, cap: int) -> str:
    """Why a build of ``context`` must not start ('' when it may: under the cap, or no local folder)."""
    if not context or context == "-" or "://" in context or context.startswith("git@"):
        return ""
    folder = Path(context)
    if not folder.is_dir():
        return ""  # the CLI says what is wrong with it
    size = context_size(folder, cap)
    if size <= cap:
        return ""
    return (
        f"docker-course: the build context {context} holds more than {_human(cap)} (counted {_human(size)} so far), "
        f"the course's cap on what a build sends to the engine ({CAP_ENV}). Leave big files out of the context: "
        "move them elsewhere, or list them in .dockerignore."
    )


def cap_in_force() -> int:
    """The cap from ``DOCKER_COURSE_BUILD_CONTEXT_MAX`` (a broken value: the default)."""
    try:
        return parse_size(os.environ.get(CAP_ENV) or DEFAULT_CAP)
    except ValueError:
        return parse_size(DEFAULT_CAP)


def _human(size: int) -> str:
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def main(argv: list[str]) -> int:
    """The lab's ``docker`` asks here before a build; exit ``REFUSED`` with the reason on stderr."""
    why = refusal(context_of(argv), cap_in_force())
    if why:
        print(why, file=sys.stderr)
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
