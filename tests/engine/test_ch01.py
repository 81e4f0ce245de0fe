"""ch01-ex4..ex8 against the real engine: the reference answer passes with full points, each
typical mistake fails with the hint that names it, partial answers get exact partial points."""

from __future__ import annotations

import pytest

from grader.engine.settings import course_dir
from tests.checks_support import scored
from tests.support import EngineSession

pytestmark = pytest.mark.engine

ASSETS = course_dir() / "01-dockerfile" / "assets"


# ch01-ex4 USER and WORKDIR

EX4 = "FROM busybox\nRUN adduser -D -u 1000 app && mkdir /app && chown app:app /app\nUSER app\nWORKDIR /app\n"


def test_ex4_reference_passes(engine: EngineSession) -> None:
    """USER app created with uid 1000, WORKDIR /app owned by app: all four points."""
    engine.build(EX4, "course/app-user:1.0")
    result = scored(engine.check("ch01-ex4"), 4)
    assert result.passed


def test_ex4_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    """No image: zero points, and the hint is the build command."""
    scored(engine.check("ch01-ex4"), 0, "docker build -t course/app-user:1.0 ex4")


def test_ex4_user_created_but_process_still_root(engine: EngineSession) -> None:
    """adduser without USER: the process runs as root; the hint tells it to add USER."""
    engine.build(EX4.replace("USER app\n", ""), "course/app-user:1.0")
    scored(engine.check("ch01-ex4"), 2, "still runs as root", "add `USER app`")


def test_ex4_workdir_owned_by_root_with_classic_builder(engine: EngineSession) -> None:
    """WORKDIR made by the classic builder belongs to root: only the ownership point is lost, with the reason."""
    engine.build(
        "FROM busybox\nRUN adduser -D -u 1000 app\nUSER app\nWORKDIR /app\n", "course/app-user:1.0", builder="sdk"
    )
    scored(engine.check("ch01-ex4"), 3, "classic builder creates a WORKDIR owned by root", "'0'")


def test_ex4_numeric_user_without_passwd_entry(engine: EngineSession) -> None:
    """USER 1000 without a passwd entry: uid right, no name; the hint says USER does not create a user."""
    engine.build("FROM busybox\nRUN mkdir /app && chown 1000 /app\nUSER 1000\nWORKDIR /app\n", "course/app-user:1.0")
    scored(engine.check("ch01-ex4"), 2, "does not create a user", "adduser -D -u 1000 app")


def test_ex4_no_workdir(engine: EngineSession) -> None:
    """No WORKDIR: the pwd point is lost and the hint names WORKDIR /app."""
    engine.build(EX4.replace("WORKDIR /app\n", ""), "course/app-user:1.0")
    scored(engine.check("ch01-ex4"), 3, "WORKDIR /app")


def test_ex4_wrong_uid(engine: EngineSession) -> None:
    """A user with another uid: the hint names the uid the process really has."""
    engine.build(EX4.replace("-u 1000", "-u 1001"), "course/app-user:1.0")
    scored(engine.check("ch01-ex4"), 1, "runs as uid 1001", "'1001'")


def test_ex4_no_user_at_all(engine: EngineSession) -> None:
    """Neither user nor USER: the hint says to create the user first."""
    engine.build("FROM busybox\nWORKDIR /app\n", "course/app-user:1.0")
    scored(engine.check("ch01-ex4"), 1, "create the user (`RUN adduser -D -u 1000 app`)")


# ch01-ex5 COPY and ADD


def assets() -> dict[str, str | bytes]:
    return {f"assets/{name}": (ASSETS / name).read_bytes() for name in ("hello.txt", "site.tar")}


EX5 = "FROM busybox\nCOPY assets/hello.txt /data/hello.txt\nADD assets/site.tar /srv/site/\n"


def test_ex5_reference_passes(engine: EngineSession) -> None:
    """COPY of hello.txt and ADD of site.tar into a folder: full points."""
    engine.build(EX5, "course/files:1.0", files=assets())
    assert scored(engine.check("ch01-ex5"), 3).passed


def test_ex5_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    """No image: zero points; the hint builds with the chapter folder as context."""
    scored(engine.check("ch01-ex5"), 0, "-f ex5/Dockerfile .")


def test_ex5_tar_copied_instead_of_added(engine: EngineSession) -> None:
    """A tar COPYed instead of ADDed stays an archive: the extraction point is lost with that reason."""
    engine.build(EX5.replace("ADD assets/site.tar", "COPY assets/site.tar"), "course/files:1.0", files=assets())
    scored(engine.check("ch01-ex5"), 1, "COPYed instead of ADDed", "/srv/site/site.tar exists (file)")


def test_ex5_tar_added_to_a_file_name_extracts_into_a_folder(engine: EngineSession) -> None:
    """ADD to a destination without a slash makes a folder of that name: the hint asks for the folder itself."""
    engine.build(EX5.replace("/srv/site/\n", "/srv/site/site.tar\n"), "course/files:1.0", files=assets())
    scored(engine.check("ch01-ex5"), 1, "give /srv/site/ as destination", "(dir)")


def test_ex5_tar_not_added_at_all(engine: EngineSession) -> None:
    """No ADD: the archive's files are reported missing."""
    engine.build("FROM busybox\nCOPY assets/hello.txt /data/hello.txt\n", "course/files:1.0", files=assets())
    scored(engine.check("ch01-ex5"), 1, "index.html: missing", "extracts the archive")


def test_ex5_text_file_with_other_content(engine: EngineSession) -> None:
    """A hello.txt that differs from the course's asset loses its point."""
    files = {**assets(), "assets/hello.txt": "edited\n"}
    engine.build(EX5, "course/files:1.0", files=files)
    scored(engine.check("ch01-ex5"), 2, "differs from assets/hello.txt")


def test_ex5_text_file_copied_to_data_as_a_file(engine: EngineSession) -> None:
    """COPY to /data (a file, not /data/hello.txt): the file point is lost."""
    engine.build(EX5.replace("/data/hello.txt", "/data"), "course/files:1.0", files=assets())
    scored(engine.check("ch01-ex5"), 2, "no /data/hello.txt")


# ch01-ex6 VOLUME and EXPOSE


def test_ex6_reference_passes_and_leaves_no_volume(engine: EngineSession) -> None:
    """VOLUME /data and EXPOSE 8080: full points, and the created probe container and its volume are gone."""
    engine.build("FROM busybox\nVOLUME /data\nEXPOSE 8080\n", "course/volume-port:1.0")
    assert scored(engine.check("ch01-ex6"), 3).passed
    assert not engine.client.volumes.list() and not engine.client.containers.list(all=True)


def test_ex6_folder_made_with_mkdir_is_not_a_volume(engine: EngineSession) -> None:
    """RUN mkdir /data is not a VOLUME: a new container gets no mount there."""
    engine.build("FROM busybox\nRUN mkdir /data\nEXPOSE 8080\n", "course/volume-port:1.0")
    scored(engine.check("ch01-ex6"), 1, "VOLUME /data", "no mounts")


def test_ex6_wrong_protocol(engine: EngineSession) -> None:
    """EXPOSE 8080/udp does not expose 8080/tcp."""
    engine.build("FROM busybox\nVOLUME /data\nEXPOSE 8080/udp\n", "course/volume-port:1.0")
    scored(engine.check("ch01-ex6"), 2, "EXPOSE 8080", "8080/udp")


def test_ex6_volume_elsewhere(engine: EngineSession) -> None:
    """A VOLUME at another path: both volume points are lost, the found text names the path."""
    engine.build("FROM busybox\nVOLUME /srv\nEXPOSE 8080\n", "course/volume-port:1.0")
    scored(engine.check("ch01-ex6"), 1, "VOLUME /data", "volume at /srv")


def test_ex6_missing_image_is_zero_with_build_hint(engine: EngineSession) -> None:
    """No image: zero points; the hint is the build command."""
    scored(engine.check("ch01-ex6"), 0, "docker build -t course/volume-port:1.0 ex6")


# ch01-ex7 CMD and ENTRYPOINT


def test_ex7_reference_passes(engine: EngineSession) -> None:
    """ENTRYPOINT ["echo"] with CMD ["hello"]: both runs print the right word, full points."""
    engine.build('FROM busybox\nENTRYPOINT ["echo"]\nCMD ["hello"]\n', "course/echo:1.0")
    assert scored(engine.check("ch01-ex7"), 3).passed


def test_ex7_shell_form_entrypoint_swallows_arguments(engine: EngineSession) -> None:
    """A shell-form ENTRYPOINT ignores run arguments: the hint explains /bin/sh -c."""
    engine.build("FROM busybox\nENTRYPOINT echo hello\n", "course/echo:1.0")
    scored(engine.check("ch01-ex7"), 1, "shell form: it runs `/bin/sh -c '...'`, which swallows CMD", "shell form")


def test_ex7_shell_form_entrypoint_swallows_cmd(engine: EngineSession) -> None:
    """Shell-form ENTRYPOINT with a CMD: nothing works, the hint says the shell swallows CMD."""
    engine.build('FROM busybox\nENTRYPOINT echo\nCMD ["hello"]\n', "course/echo:1.0")
    scored(engine.check("ch01-ex7"), 0, "swallows CMD")


def test_ex7_cmd_alone_is_replaced_by_the_argument(engine: EngineSession) -> None:
    """CMD alone: the run argument replaces the whole command, as the hint explains."""
    engine.build('FROM busybox\nCMD ["echo", "hello"]\n', "course/echo:1.0")
    scored(engine.check("ch01-ex7"), 1, "`bye` becomes the program", "no entrypoint")


def test_ex7_default_word_inside_entrypoint(engine: EngineSession) -> None:
    """The default word inside ENTRYPOINT: arguments are appended; the hint says to move it to CMD."""
    engine.build('FROM busybox\nENTRYPOINT ["echo", "hello"]\n', "course/echo:1.0")
    scored(engine.check("ch01-ex7"), 2, "Move it to CMD", "'hello bye'")


def test_ex7_no_cmd(engine: EngineSession) -> None:
    """No CMD: a run without arguments prints nothing; the hint names the CMD to add."""
    engine.build('FROM busybox\nENTRYPOINT ["echo"]\n', "course/echo:1.0")
    scored(engine.check("ch01-ex7"), 2, 'Add CMD ["hello"]')


# ch01-ex8 ONBUILD

BASE = "FROM busybox\nONBUILD COPY . /src\n"
CHILD = "FROM course/onbuild-base:1.0\n"


def build_ex8(engine: EngineSession, base: str, child: str, base_files: dict[str, str | bytes] | None = None) -> None:
    engine.build(base, "course/onbuild-base:1.0", files=base_files)
    engine.build(child, "course/onbuild-child:1.0", files={"app.txt": "my app\n"})


def test_ex8_reference_passes(engine: EngineSession) -> None:
    """ONBUILD COPY . /src in the base and a child FROM it: full points."""
    build_ex8(engine, BASE, CHILD)
    assert scored(engine.check("ch01-ex8"), 4).passed


def test_ex8_copy_without_onbuild_runs_in_the_base(engine: EngineSession) -> None:
    """A plain COPY runs while building the base itself: the hint says to prefix it with ONBUILD."""
    build_ex8(engine, "FROM busybox\nCOPY . /src\n", CHILD)
    scored(engine.check("ch01-ex8"), 1, "A plain COPY ran while building", "no /src/app.txt")


def test_ex8_trigger_to_another_folder(engine: EngineSession) -> None:
    """A trigger copying to another folder is named and corrected."""
    build_ex8(engine, "FROM busybox\nONBUILD COPY . /app\n", CHILD)
    scored(engine.check("ch01-ex8"), 1, "The trigger must be `ONBUILD COPY . /src`", "COPY . /app")


def test_ex8_base_already_holds_the_file(engine: EngineSession) -> None:
    """A base that already holds /src/app.txt loses the trigger part (the file must come from the child's build)."""
    build_ex8(engine, BASE + "COPY app.txt /src/app.txt\n", CHILD, base_files={"app.txt": "x\n"})
    scored(engine.check("ch01-ex8"), 2, "must only appear in images built FROM")


def test_ex8_child_not_built_from_the_base(engine: EngineSession) -> None:
    """A child FROM busybox holding the same file: only the FROM part fails, told apart by the build history (the
    ONBUILD-only base adds no layer)."""
    build_ex8(engine, BASE, "FROM busybox\nCOPY app.txt /src/app.txt\n")
    scored(engine.check("ch01-ex8"), 3, "FROM course/onbuild-base:1.0", "history does not start")


def test_ex8_missing_child_only(engine: EngineSession) -> None:
    """Base built, child missing: the child's two parts fail with its build command."""
    engine.build(BASE, "course/onbuild-base:1.0")
    scored(engine.check("ch01-ex8"), 2, "docker build -t course/onbuild-child:1.0 ex8/child")


@pytest.mark.parametrize("builder", ["sdk", "buildkit"])
def test_ex8_exec_form_trigger_passes_like_the_shell_form(engine: EngineSession, builder: str) -> None:
    """`ONBUILD COPY [".", "/src"]` (exec form) does what the shell form does: judged by a child the course
    builds FROM the base, it passes with full points (and the course's child is gone afterwards)."""
    engine.build('FROM busybox\nONBUILD COPY [".", "/src"]\n', "course/onbuild-base:1.0", builder=builder)
    engine.build(CHILD, "course/onbuild-child:1.0", files={"app.txt": "my app\n"}, builder=builder)
    assert scored(engine.check("ch01-ex8"), 4).passed
    assert not [t for i in engine.client.images.list() for t in i.tags if t.startswith("course-probe")]


def test_ex8_trigger_copying_one_file_only_fails_by_its_effect(engine: EngineSession) -> None:
    """A trigger that copies app.txt alone, not the context: the course's child lacks its nested file."""
    build_ex8(engine, "FROM busybox\nONBUILD COPY app.txt /src/\n", CHILD)
    scored(engine.check("ch01-ex8"), 2, "has no /src/nested/more.txt", "The trigger must be `ONBUILD COPY . /src`")
