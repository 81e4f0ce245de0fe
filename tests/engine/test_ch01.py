"""ch01-ex4..ex8 against the real engine: the reference answer passes with full points, each
typical mistake fails with the hint that names it, partial answers get exact partial points."""

from __future__ import annotations

import pytest

from grader.checks.result import CheckResult
from grader.engine.settings import course_dir
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

ASSETS = course_dir() / "01-dockerfile" / "assets"


def failed_hints(result: CheckResult) -> str:
    return " | ".join(p.hint + " " + p.found for p in result.parts if not p.passed)


def scored(engine: EngineSession, exercise: str, score: float, *hints: str) -> CheckResult:
    """Check ``exercise``: exactly ``score`` points, each of ``hints`` among the failed parts' hints."""
    result = engine.check(exercise)
    assert result.score == score, dump(result)
    for hint in hints:
        assert hint in failed_hints(result), dump(result)
    return result


# ch01-ex4 USER and WORKDIR

EX4 = "FROM busybox\nRUN adduser -D -u 1000 app && mkdir /app && chown app:app /app\nUSER app\nWORKDIR /app\n"


def test_ex4_reference_passes(engine: EngineSession) -> None:
    engine.build(EX4, "course/app-user:1.0")
    result = scored(engine, "ch01-ex4", 4)
    assert result.passed


def test_ex4_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    scored(engine, "ch01-ex4", 0, "docker build -t course/app-user:1.0 ex4")


def test_ex4_user_created_but_process_still_root(engine: EngineSession) -> None:
    engine.build(EX4.replace("USER app\n", ""), "course/app-user:1.0")
    scored(engine, "ch01-ex4", 2, "still runs as root", "add `USER app`")


def test_ex4_workdir_owned_by_root_with_classic_builder(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN adduser -D -u 1000 app\nUSER app\nWORKDIR /app\n", "course/app-user:1.0")
    scored(engine, "ch01-ex4", 3, "classic builder creates a WORKDIR owned by root", "'0'")


def test_ex4_numeric_user_without_passwd_entry(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN mkdir /app && chown 1000 /app\nUSER 1000\nWORKDIR /app\n", "course/app-user:1.0")
    scored(engine, "ch01-ex4", 2, "does not create a user", "adduser -D -u 1000 app")


def test_ex4_no_workdir(engine: EngineSession) -> None:
    engine.build(EX4.replace("WORKDIR /app\n", ""), "course/app-user:1.0")
    scored(engine, "ch01-ex4", 3, "WORKDIR /app")


def test_ex4_wrong_uid(engine: EngineSession) -> None:
    engine.build(EX4.replace("-u 1000", "-u 1001"), "course/app-user:1.0")
    scored(engine, "ch01-ex4", 1, "runs as uid 1001", "'1001'")


def test_ex4_no_user_at_all(engine: EngineSession) -> None:
    engine.build("FROM busybox\nWORKDIR /app\n", "course/app-user:1.0")
    scored(engine, "ch01-ex4", 1, "create the user (`RUN adduser -D -u 1000 app`)")


# ch01-ex5 COPY and ADD


def assets() -> dict[str, str | bytes]:
    return {f"assets/{name}": (ASSETS / name).read_bytes() for name in ("hello.txt", "site.tar")}


EX5 = "FROM busybox\nCOPY assets/hello.txt /data/hello.txt\nADD assets/site.tar /srv/site/\n"


def test_ex5_reference_passes(engine: EngineSession) -> None:
    engine.build(EX5, "course/files:1.0", files=assets())
    assert scored(engine, "ch01-ex5", 3).passed


def test_ex5_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    scored(engine, "ch01-ex5", 0, "-f ex5/Dockerfile .")


def test_ex5_tar_copied_instead_of_added(engine: EngineSession) -> None:
    engine.build(EX5.replace("ADD assets/site.tar", "COPY assets/site.tar"), "course/files:1.0", files=assets())
    scored(engine, "ch01-ex5", 1, "COPYed instead of ADDed", "/srv/site/site.tar exists (file)")


def test_ex5_tar_added_to_a_file_name_extracts_into_a_folder(engine: EngineSession) -> None:
    engine.build(EX5.replace("/srv/site/\n", "/srv/site/site.tar\n"), "course/files:1.0", files=assets())
    scored(engine, "ch01-ex5", 1, "give /srv/site/ as destination", "(dir)")


def test_ex5_tar_not_added_at_all(engine: EngineSession) -> None:
    engine.build("FROM busybox\nCOPY assets/hello.txt /data/hello.txt\n", "course/files:1.0", files=assets())
    scored(engine, "ch01-ex5", 1, "index.html: missing", "extracts the archive")


def test_ex5_text_file_with_other_content(engine: EngineSession) -> None:
    files = {**assets(), "assets/hello.txt": "edited\n"}
    engine.build(EX5, "course/files:1.0", files=files)
    scored(engine, "ch01-ex5", 2, "differs from assets/hello.txt")


def test_ex5_text_file_copied_to_data_as_a_file(engine: EngineSession) -> None:
    engine.build(EX5.replace("/data/hello.txt", "/data"), "course/files:1.0", files=assets())
    scored(engine, "ch01-ex5", 2, "no /data/hello.txt")


# ch01-ex6 VOLUME and EXPOSE


def test_ex6_reference_passes_and_leaves_no_volume(engine: EngineSession) -> None:
    engine.build("FROM busybox\nVOLUME /data\nEXPOSE 8080\n", "course/volume-port:1.0")
    assert scored(engine, "ch01-ex6", 3).passed
    assert not engine.client.volumes.list() and not engine.client.containers.list(all=True)


def test_ex6_folder_made_with_mkdir_is_not_a_volume(engine: EngineSession) -> None:
    engine.build("FROM busybox\nRUN mkdir /data\nEXPOSE 8080\n", "course/volume-port:1.0")
    scored(engine, "ch01-ex6", 1, "VOLUME /data", "no mounts")


def test_ex6_wrong_protocol(engine: EngineSession) -> None:
    engine.build("FROM busybox\nVOLUME /data\nEXPOSE 8080/udp\n", "course/volume-port:1.0")
    scored(engine, "ch01-ex6", 2, "EXPOSE 8080", "8080/udp")


def test_ex6_volume_elsewhere(engine: EngineSession) -> None:
    engine.build("FROM busybox\nVOLUME /srv\nEXPOSE 8080\n", "course/volume-port:1.0")
    scored(engine, "ch01-ex6", 1, "VOLUME /data", "volume at /srv")


def test_ex6_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    scored(engine, "ch01-ex6", 0, "docker build -t course/volume-port:1.0 ex6")


# ch01-ex7 CMD and ENTRYPOINT


def test_ex7_reference_passes(engine: EngineSession) -> None:
    engine.build('FROM busybox\nENTRYPOINT ["echo"]\nCMD ["hello"]\n', "course/echo:1.0")
    assert scored(engine, "ch01-ex7", 3).passed


def test_ex7_shell_form_entrypoint_swallows_arguments(engine: EngineSession) -> None:
    engine.build("FROM busybox\nENTRYPOINT echo hello\n", "course/echo:1.0")
    scored(engine, "ch01-ex7", 1, "shell form: it runs `/bin/sh -c '...'`, which swallows CMD", "shell form")


def test_ex7_shell_form_entrypoint_swallows_cmd(engine: EngineSession) -> None:
    engine.build('FROM busybox\nENTRYPOINT echo\nCMD ["hello"]\n', "course/echo:1.0")
    scored(engine, "ch01-ex7", 0, "swallows CMD")


def test_ex7_cmd_alone_is_replaced_by_the_argument(engine: EngineSession) -> None:
    engine.build('FROM busybox\nCMD ["echo", "hello"]\n', "course/echo:1.0")
    scored(engine, "ch01-ex7", 1, "`bye` becomes the program", "no entrypoint")


def test_ex7_default_word_inside_entrypoint(engine: EngineSession) -> None:
    engine.build('FROM busybox\nENTRYPOINT ["echo", "hello"]\n', "course/echo:1.0")
    scored(engine, "ch01-ex7", 2, "Move it to CMD", "'hello bye'")


def test_ex7_no_cmd(engine: EngineSession) -> None:
    engine.build('FROM busybox\nENTRYPOINT ["echo"]\n', "course/echo:1.0")
    scored(engine, "ch01-ex7", 2, 'Add CMD ["hello"]')


# ch01-ex8 ONBUILD

BASE = "FROM busybox\nONBUILD COPY . /src\n"
CHILD = "FROM course/onbuild-base:1.0\n"


def build_ex8(engine: EngineSession, base: str, child: str, base_files: dict[str, str | bytes] | None = None) -> None:
    engine.build(base, "course/onbuild-base:1.0", files=base_files)
    engine.build(child, "course/onbuild-child:1.0", files={"app.txt": "my app\n"})


def test_ex8_reference_passes(engine: EngineSession) -> None:
    build_ex8(engine, BASE, CHILD)
    assert scored(engine, "ch01-ex8", 4).passed


def test_ex8_copy_without_onbuild_runs_in_the_base(engine: EngineSession) -> None:
    build_ex8(engine, "FROM busybox\nCOPY . /src\n", CHILD)
    scored(engine, "ch01-ex8", 1, "A plain COPY ran while building", "no /src/app.txt")


def test_ex8_trigger_to_another_folder(engine: EngineSession) -> None:
    build_ex8(engine, "FROM busybox\nONBUILD COPY . /app\n", CHILD)
    scored(engine, "ch01-ex8", 1, "The trigger must be `ONBUILD COPY . /src`", "COPY . /app")


def test_ex8_base_already_holds_the_file(engine: EngineSession) -> None:
    build_ex8(engine, BASE + "COPY app.txt /src/app.txt\n", CHILD, base_files={"app.txt": "x\n"})
    scored(engine, "ch01-ex8", 2, "must only appear in images built FROM")


def test_ex8_child_not_built_from_the_base(engine: EngineSession) -> None:
    build_ex8(engine, BASE, "FROM busybox\nCOPY app.txt /src/app.txt\n")
    scored(engine, "ch01-ex8", 3, "FROM course/onbuild-base:1.0", "history does not start")


def test_ex8_missing_child_only(engine: EngineSession) -> None:
    engine.build(BASE, "course/onbuild-base:1.0")
    scored(engine, "ch01-ex8", 2, "docker build -t course/onbuild-child:1.0 ex8/child")
