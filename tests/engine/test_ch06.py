"""ch06-ex1..ex4 against the real engine: the reference answers pass, wrong answers fail
with the hint that names the mistake, partial answers get the exact partial points.

Python builds are slow, so the four reference images are built once per module and
every test puts them back (re-tags them, removes what it built) when it ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from docker.errors import ImageNotFound

from grader.engine.settings import repo_root
from tests.checks_support import failed, hints
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

CHAPTER = repo_root() / "course" / "06-multistage"
SOURCES = ["app/main.py", "app/requirements.txt", "app/ext/setup.py", "app/ext/pyproject.toml", "app/ext/fastfib.c"]
FILES: dict[str, str | bytes] = {rel: (CHAPTER / rel).read_bytes() for rel in [*SOURCES, "hello/hello.c"]}

FAT = """FROM python:3.11
WORKDIR /app
COPY app/ ./
RUN pip install --no-index --no-build-isolation -r requirements.txt
CMD ["python", "main.py"]
"""
BUILDER_STAGE = """FROM python:3.11 AS builder
WORKDIR /src
COPY app/ext/ ./ext/
RUN pip wheel --no-deps --no-build-isolation --no-index ./ext -w /wheels
"""
SLIM = (
    BUILDER_STAGE
    + """
FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-index --no-cache-dir --find-links /wheels fastfib
COPY app/main.py ./
CMD ["python", "main.py"]
"""
)
HELLO_BUILDER = """FROM python:3.11 AS builder
COPY hello/hello.c /src/hello.c
RUN gcc -static -Os -o /hello /src/hello.c
"""
HELLO = HELLO_BUILDER + '\nFROM scratch\nCOPY --from=builder /hello /hello\nCMD ["/hello"]\n'
REFERENCES = {
    "course/app:fat": (FAT, None),
    "course/app:slim": (SLIM, None),
    "course/app:builder": (SLIM, "builder"),
    "course/hello-static:1.0": (HELLO, None),
}


@dataclass
class Built:
    """The reference images (tag -> id) and every image id to keep between tests."""

    ids: dict[str, str]
    keep: set[str]


@pytest.fixture(scope="module")
def built(engine_session: EngineSession) -> Iterator[Built]:
    """The four reference images, built once; the lab is reset before and after the module."""
    engine_session.reset()
    try:
        for tag, (dockerfile, target) in REFERENCES.items():
            engine_session.build(dockerfile, tag, files=FILES, target=target)
        client = engine_session.client
        for n, tag in enumerate(REFERENCES):
            # a second tag, so that a test may untag a reference without deleting it
            client.api.tag(tag, "ch06-test/keep", str(n))
        yield Built(
            {tag: client.images.get(tag).id for tag in REFERENCES},
            {image.id for image in client.images.list(all=True)},
        )
    finally:
        engine_session.reset()
        engine_session.assert_clean()


@pytest.fixture
def lab(engine_session: EngineSession, built: Built) -> Iterator[EngineSession]:
    """The lab with the reference images; afterwards, only they (and base images) are left."""
    try:
        yield engine_session
    finally:
        client = engine_session.client
        for container in client.containers.list(all=True):
            container.remove(force=True, v=True)
        for image in client.images.list():  # top-level images: removing one removes its untagged parents
            if image.id not in built.keep:
                with contextlib.suppress(ImageNotFound):
                    client.images.remove(image.id, force=True)
        for tag, image_id in built.ids.items():
            repository, name = tag.rsplit(":", 1)
            client.api.tag(image_id, repository, name)
        engine_session.assert_clean()


# ch06-ex1: single stage


def test_ex1_reference_passes(lab: EngineSession) -> None:
    """The single-stage reference on python:3.11: all three points."""
    result = lab.check("ch06-ex1")
    assert result.passed and result.score == 3, dump(result)


def test_ex1_missing_image_is_zero_with_build_hint(lab: EngineSession) -> None:
    """No image: zero points, no run error, the build command as hint."""
    lab.client.images.remove("course/app:fat")
    result = lab.check("ch06-ex1")
    assert result.score == 0 and not result.error, dump(result)
    assert "docker build -t course/app:fat -f ex1/Dockerfile ." in hints(result)


def test_ex1_printed_text_without_extension_loses_the_extension_point(lab: EngineSession) -> None:
    """A program that prints the line itself does not install the C extension."""
    lab.build('FROM python:3.11\nCMD ["python", "-c", "print(\'fib(30) = 832040\')"]\n', "course/app:fat")
    result = lab.check("ch06-ex1")
    assert result.score == 2, dump(result)
    assert "Install the C extension from app/ext" in hints(result)


def test_ex1_no_cmd_fails_on_output(lab: EngineSession) -> None:
    """Without CMD the default run prints nothing: only the output part fails, with the CMD hint."""
    lab.build(FAT.replace('CMD ["python", "main.py"]\n', ""), "course/app:fat", files=FILES)
    result = lab.check("ch06-ex1")
    assert result.score == 2, dump(result)
    assert failed(result) == {"docker run course/app:fat prints 'fib(30) = 832040'"}
    assert 'CMD ["python", "main.py"]' in hints(result)


def test_ex1_slim_base_fails_on_base(lab: EngineSession) -> None:
    """A slim base loses the FROM point."""
    lab.build(SLIM, "course/app:fat", files=FILES)
    result = lab.check("ch06-ex1")
    assert result.score == 2, dump(result)
    assert "FROM python:3.11`" in hints(result)


def test_ex1_partial_output_only(lab: EngineSession) -> None:
    """Only the output part passes: 1 point of 3."""
    lab.build('FROM python:3.11-slim\nCMD ["python", "-c", "print(\'fib(30) = 832040\')"]\n', "course/app:fat")
    result = lab.check("ch06-ex1")
    assert result.score == 1, dump(result)


# ch06-ex2: multi-stage


def test_ex2_reference_passes(lab: EngineSession) -> None:
    """The multi-stage reference: all five points."""
    result = lab.check("ch06-ex2")
    assert result.passed and result.score == 5, dump(result)


def test_ex2_final_stage_on_full_image(lab: EngineSession) -> None:
    """A final stage on the full image keeps gcc: the hint says so and the size part fails too."""
    lab.build(SLIM.replace("FROM python:3.11-slim", "FROM python:3.11"), "course/app:slim", files=FILES)
    result = lab.check("ch06-ex2")
    assert result.score == 2, dump(result)
    assert "still based on the full python:3.11 image" in hints(result)
    assert "at most half the size of course/app:fat" in failed(result)


def test_ex2_compiler_copied_into_runtime(lab: EngineSession) -> None:
    """gcc copied into the runtime stage loses only the build-tools point, with that reason."""
    dockerfile = SLIM.replace(
        "COPY app/main.py ./", "COPY app/main.py ./\nCOPY --from=builder /usr/bin/gcc-12 /usr/bin/"
    )
    lab.build(dockerfile, "course/app:slim", files=FILES)
    result = lab.check("ch06-ex2")
    assert result.score == 4, dump(result)
    assert failed(result) == {"no compiler and no pip cache in the final image"}
    assert "The compiler was copied into the runtime stage" in hints(result)


def test_ex2_pip_cache_copied_into_runtime(lab: EngineSession) -> None:
    """pip's cache copied into the runtime stage loses only the build-tools point, with that reason."""
    dockerfile = (
        BUILDER_STAGE.replace("-w /wheels", "-w /root/.cache/pip/wheels")
        + "\nFROM python:3.11-slim\nWORKDIR /app\nCOPY --from=builder /root/.cache/pip /root/.cache/pip\n"
        "RUN pip install --no-index --find-links /root/.cache/pip/wheels fastfib\n"
        'COPY app/main.py ./\nCMD ["python", "main.py"]\n'
    )
    lab.build(dockerfile, "course/app:slim", files=FILES)
    result = lab.check("ch06-ex2")
    assert result.score == 4, dump(result)
    assert "pip's cache (~/.cache/pip) was copied" in hints(result)


def test_ex2_without_fat_image_loses_only_the_size_point(lab: EngineSession) -> None:
    """Without course/app:fat to compare with, only the size point is lost."""
    lab.client.images.remove("course/app:fat")
    result = lab.check("ch06-ex2")
    assert result.score == 4, dump(result)
    assert "course/app:fat (exercise 1)" in hints(result)


def test_ex2_missing_image_is_zero(lab: EngineSession) -> None:
    """No image: zero points, the build command as hint."""
    lab.client.images.remove("course/app:slim")
    result = lab.check("ch06-ex2")
    assert result.score == 0 and "docker build -t course/app:slim -f ex2/Dockerfile ." in hints(result), dump(result)


# ch06-ex3: --target


def test_ex3_reference_passes(lab: EngineSession) -> None:
    """The builder stage built alone: gcc and the wheel, both points."""
    result = lab.check("ch06-ex3")
    assert result.passed and result.score == 2, dump(result)


def test_ex3_final_stage_instead_of_builder(lab: EngineSession) -> None:
    """Built without --target the output is the last stage: no gcc (the wheel was copied into it)."""
    lab.client.api.tag(lab.client.images.get("course/app:slim").id, "course/app", "builder")
    result = lab.check("ch06-ex3")
    assert result.score == 1, dump(result)
    assert "--target builder" in hints(result)


def test_ex3_fat_image_has_no_wheel(lab: EngineSession) -> None:
    """The single-stage image has gcc but no wheel."""
    lab.client.api.tag(lab.client.images.get("course/app:fat").id, "course/app", "builder")
    result = lab.check("ch06-ex3")
    assert result.score == 1, dump(result)
    assert failed(result) == {"a built fastfib wheel is in the image"}
    assert "pip wheel" in hints(result)


def test_ex3_builder_that_builds_nothing(lab: EngineSession) -> None:
    """A builder stage that builds no wheel loses the wheel point."""
    lab.build("FROM python:3.11 AS builder\nCOPY app/ext/ /src/ext/\n", "course/app:builder", files=FILES)
    result = lab.check("ch06-ex3")
    assert result.score == 1 and "no fastfib-*.whl anywhere" in hints(result), dump(result)


def test_ex3_slim_without_wheel_is_zero(lab: EngineSession) -> None:
    """A slim image without a wheel: neither compiler nor wheel."""
    lab.build("FROM python:3.11-slim\nCOPY app/ext/ /src/ext/\n", "course/app:builder", files=FILES)
    result = lab.check("ch06-ex3")
    assert result.score == 0, dump(result)
    assert "no C compiler anywhere" in hints(result)


# ch06-ex4: static binary to scratch


def test_ex4_reference_passes(lab: EngineSession) -> None:
    """A static /hello alone in scratch: all four points."""
    result = lab.check("ch06-ex4")
    assert result.passed and result.score == 4, dump(result)


def test_ex4_dynamic_binary_in_scratch(lab: EngineSession) -> None:
    """A dynamically linked /hello cannot start in scratch: the run and static parts fail, naming the loader."""
    lab.build(HELLO.replace("gcc -static", "gcc"), "course/hello-static:1.0", files=FILES)
    result = lab.check("ch06-ex4")
    assert result.score == 2, dump(result)
    assert failed(result) == {
        "docker run course/hello-static:1.0 prints 'hello from scratch'",
        "/hello is statically linked",
    }
    assert "dynamically linked: it needs /lib64/ld-linux-x86-64.so.2" in hints(result)


def test_ex4_busybox_base_has_a_shell_and_two_layers(lab: EngineSession) -> None:
    """FROM busybox brings a shell and a second layer."""
    lab.build(HELLO.replace("FROM scratch", "FROM busybox"), "course/hello-static:1.0", files=FILES)
    result = lab.check("ch06-ex4")
    assert result.score == 2, dump(result)
    assert failed(result) == {"exactly one layer", "no shell in the image"}
    assert "FROM scratch" in hints(result) and "/bin/sh" in hints(result)


def test_ex4_two_copies_make_two_layers(lab: EngineSession) -> None:
    """A second COPY makes a second layer: only the layer part fails."""
    lab.build(HELLO.replace("CMD", "COPY hello/hello.c /hello.c\nCMD"), "course/hello-static:1.0", files=FILES)
    result = lab.check("ch06-ex4")
    assert result.score == 3, dump(result)
    assert failed(result) == {"exactly one layer"}


def test_ex4_shell_form_cmd_does_not_start(lab: EngineSession) -> None:
    """A shell-form CMD needs /bin/sh, which scratch lacks: only the run part fails."""
    lab.build(HELLO.replace('CMD ["/hello"]', "CMD /hello"), "course/hello-static:1.0", files=FILES)
    result = lab.check("ch06-ex4")
    assert result.score == 3, dump(result)
    assert failed(result) == {"docker run course/hello-static:1.0 prints 'hello from scratch'"}


def test_ex4_missing_image_is_zero(lab: EngineSession) -> None:
    """No image: zero points, the build command as hint."""
    lab.client.images.remove("course/hello-static:1.0")
    result = lab.check("ch06-ex4")
    assert result.score == 0 and "-f ex4/Dockerfile" in hints(result), dump(result)
