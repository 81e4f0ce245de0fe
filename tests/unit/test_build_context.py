"""The build-context cap: what `docker build` would send is measured first (.dockerignore applied, links
not followed), and one over the cap is refused in one sentence by the lab's `docker` and by build()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine import build_context
from grader.engine.build_context import context_of, context_size, parse_size, refusal
from tests.support import REPO

MIB = 2**20


@pytest.mark.parametrize(
    ("args", "context"),
    [
        (["build", "-t", "course/motd:1.0", "ex2"], "ex2"),
        (["build", "-q", "--tag=x", "--build-arg", "A=1", "-f", "ex2/Dockerfile", "."], "."),
        (["buildx", "build", "--progress", "plain", "--load", "ctx"], "ctx"),
        (["image", "build", "-tfoo", "--no-cache", "ctx"], "ctx"),
        (["build", "-"], "-"),
        (["build", "--help"], None),
    ],
)
def test_the_context_argument_is_found_among_the_options(args: list[str], context: str | None) -> None:
    assert context_of(args) == context


def test_sizes() -> None:
    assert parse_size("512m") == 512 * MIB and parse_size("1g") == 2**30 and parse_size("2048") == 2048
    assert parse_size("10MB") == 10 * MIB
    with pytest.raises(ValueError):
        parse_size("lots")


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)  # counted by its size, as the CLI would send it; costs no disk here


def test_dockerignore_and_links_are_respected(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    _sparse(tmp_path / "big" / "blob", 900 * MIB)
    _sparse(tmp_path / "data.bin", 100 * MIB)
    os.symlink("/", tmp_path / "escape")  # a link is sent as a link: what it points to is not counted
    assert context_size(tmp_path, 2**40) == 1000 * MIB + len("FROM busybox\n")
    (tmp_path / ".dockerignore").write_text("# big things\nbig\n*.bin\n")
    assert context_size(tmp_path, 2**40) == len("FROM busybox\n") + len("# big things\nbig\n*.bin\n")
    (tmp_path / ".dockerignore").write_text("big\n!big/blob\n")  # an exception takes the file back
    assert context_size(tmp_path, 2**40) > 900 * MIB


def test_a_context_over_the_cap_is_refused_in_one_sentence(tmp_path: Path) -> None:
    _sparse(tmp_path / "ex2" / "big", 1024 * MIB)
    said = refusal(str(tmp_path / "ex2"), 512 * MIB)
    assert "more than 512 MiB" in said and ".dockerignore" in said and build_context.CAP_ENV in said
    assert refusal(str(tmp_path / "ex2"), 2 * 2**30) == ""
    for not_a_folder in ("-", "https://example.invalid/repo.git", str(tmp_path / "missing"), None):
        assert refusal(not_a_folder, 1) == ""


def test_the_labs_check_exits_3_over_the_cap_and_0_under_it(tmp_path: Path) -> None:
    _sparse(tmp_path / "ctx" / "big", 10 * MIB)
    command = [sys.executable, "-m", "grader.engine.build_context", "build", "-t", "x", str(tmp_path / "ctx")]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    over = subprocess.run(command, env={**env, build_context.CAP_ENV: "1m"}, capture_output=True, text=True)  # noqa: S603
    assert over.returncode == build_context.REFUSED and "more than 1 MiB" in over.stderr
    under = subprocess.run(command, env={**env, build_context.CAP_ENV: "1g"}, capture_output=True, text=True)  # noqa: S603
    assert under.returncode == 0 and under.stderr == ""


def test_the_labs_docker_asks_the_check_before_a_build() -> None:
    shim = (REPO / "grader" / "images" / "lab" / "docker").read_text()
    assert "-m grader.engine.build_context" in shim and "[ $? -eq 3 ] && exit 1" in shim


def test_grading_kernels_find_the_labs_docker_first() -> None:
    """The autograde exec's PATH has the lab's `docker` (the cap, the hint) before the real CLI."""
    from grader.nbgrader_glue.fresh_lab import GRADING_PATH

    folders = GRADING_PATH.split(":")
    assert folders.index("/usr/local/bin") < folders.index("/usr/bin")
