"""Mutation operators (pure): each makes the change it names, and the references match the notebooks."""

from __future__ import annotations

import re

import pytest

from grader.workspace.solutions import solution
from tests.mutation import commands as cmd
from tests.mutation import operators as ops
from tests.mutation.answers import Answer
from tests.mutation.run import mutants
from tests.mutation.specs import SPECS


def one(answer: Answer) -> str:
    return answer.commands[0]


RUN = Answer(commands=("docker run -d --name web-fixed -p 8000:80 course/web:1.0",))
BIND = Answer(commands=('docker run -d --name reader -v "$PWD/config:/config:ro" busybox sleep 3600',))


def test_port_operators_swap_change_and_replace_the_binding() -> None:
    assert "-p 80:8000" in one(ops.swap_ports(RUN)[0][1])
    assert "-p 8005:80" in one(ops.other_host_port(RUN)[0][1])
    assert "-p 8000:8080" in one(ops.other_container_port(RUN)[0][1])
    assert re.search(r" -P course/web", one(ops.all_for_one(RUN)[0][1]))
    dropped = [one(a) for _, a in ops.drop_flag(RUN)]
    assert dropped == ["docker run -d --name web-fixed course/web:1.0"]


def test_names_change_everywhere_and_equivalent_rewrites_keep_the_meaning() -> None:
    answer = Answer(commands=("docker run -d --name db-1 busybox sleep 9", "docker rm -f db-1"))
    [(_, renamed)] = ops.other_name(answer)
    assert renamed.commands == ("docker run -d --name db-12 busybox sleep 9", "docker rm -f db-12")
    assert "--publish 8000:80" in one(ops.long_flags(RUN)[0][1]) and "--detach" in one(ops.long_flags(RUN)[0][1])
    assert one(ops.flag_order(RUN)[0][1]).startswith("docker run -p 8000:80 --name web-fixed -d")
    assert '--name "web-fixed"' in one(ops.quoting(RUN)[0][1])
    mount = one(ops.mount_for_v(BIND)[0][1])
    assert '--mount "type=bind,source=$PWD/config,target=/config,readonly"' in mount


def test_mount_operators_make_the_other_kind_and_read_write() -> None:
    assert "-v config:/config:ro " in one(ops.volume_for_bind(BIND)[0][1])
    assert '"$PWD/config:/config"' in one(ops.read_write(BIND)[0][1])
    named = Answer(commands=("docker run -d --name db-1 -v course-db-data:/var/lib/kv course/kv:1.0",))
    assert "-v /tmp/course-db-data:/var/lib/kv" in one(ops.bind_for_volume(named)[0][1])


def test_dockerfile_operators() -> None:
    answer = Answer({"ex/Dockerfile": 'FROM busybox\nARG V=1.0\nRUN echo hi > /f\nENV A=1\nCMD ["hello"]\n'})
    dockerfile = lambda a: a.files["ex/Dockerfile"]  # noqa: E731
    assert "# ARG V=1.0" in dockerfile(ops.comment_instruction(answer)[0][1])
    assert "CMD echo hi > /f" in dockerfile(ops.runtime_write(answer)[0][1])
    assert "\nARG V\n" in dockerfile(ops.no_default(answer)[0][1])
    assert dockerfile(ops.other_base(answer)[0][1]).startswith("FROM debian:bookworm-slim")
    forms = {detail: dockerfile(a) for detail, a in ops.other_form(answer)}
    assert '["/bin/sh", "-c", "echo hi > /f"]' in forms["exec-form:RUN"] and "CMD hello" in forms["shell-form:CMD"]
    assert "ENV A 1" in dockerfile(ops.env_space(answer)[0][1])
    onbuild = Answer({"b/Dockerfile": "FROM busybox\nONBUILD COPY . /src\n"})
    assert 'ONBUILD COPY [".", "/src"]' in dockerfile_of(ops.other_form(onbuild)[0][1], "b/Dockerfile")


def dockerfile_of(answer: Answer, path: str) -> str:
    return answer.files[path]


def test_the_sdk_rewrite_carries_every_flag_or_declines() -> None:
    script = ops.sdk(RUN)[0][1].commands[0]
    assert script.startswith("python3 -c") and '"80/tcp": 8000' in script and '"name": "web-fixed"' in script
    assert cmd.as_sdk(cmd.parse("docker run --rm --init busybox true")) is None  # type: ignore[arg-type]
    assert cmd.parse("docker network create x") is None


@pytest.mark.parametrize("exercise", sorted(SPECS))
def test_reference_matches_the_notebook_solution(exercise: str) -> None:
    """The references are the source notebooks' solutions: same Dockerfiles, same docker run/build commands."""
    spec = SPECS[exercise]
    shown = "\n".join(c.shown for c in solution(exercise).cells)
    for path, text in spec.reference.files.items():
        assert f"%%writefile {path}\n{text.rstrip()}" in shown, f"{exercise}: {path} differs from the notebook"
    for command in spec.reference.commands:
        parsed = cmd.parse(command)
        if parsed is None or parsed.verb != "run":
            continue
        words = [w for f, v in parsed.flags for w in (f, v) if w] + [parsed.operand]
        assert any(all(w in line for w in words) for line in shown.split("\n")), f"{exercise}: {command}"


def test_every_exercise_has_mutants_of_both_kinds_or_answer_values() -> None:
    for exercise, spec in SPECS.items():
        made, _ = mutants(spec)
        kinds = {expect for _, _, expect, _ in made}
        assert "pass" in kinds or spec.reference.answers, exercise
        assert "fail" in kinds or spec.reference.answers, exercise


def test_the_sdk_rewrite_of_a_build_carries_tag_file_and_arguments() -> None:
    build = Answer(commands=("docker build -q -f ex5/Dockerfile --build-arg A=2.0 -t course/files:1.0 .",))
    script = ops.sdk(build)[0][1].commands[0]
    assert '"tag": "course/files:1.0"' in script and '"dockerfile": "ex5/Dockerfile"' in script
    assert '"buildargs": {"A": "2.0"}' in script and "images.build" in script
