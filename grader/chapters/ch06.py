"""Chapter 06: multi-stage builds (CURRICULUM "Chapter 06")."""

from __future__ import annotations

from grader.chapters.exercise import Exercise
from grader.checks.image_base import ImageBasedOn
from grader.checks.image_build_tools import ImageBuildTools
from grader.checks.image_layer_count import ImageLayerCount
from grader.checks.image_path_search import ImagePathSearch
from grader.checks.image_run import ImageRun
from grader.checks.image_size_ratio import ImageSizeRatio
from grader.checks.image_static_binary import ImageStaticBinary

FAT, SLIM, BUILDER, HELLO = "course/app:fat", "course/app:slim", "course/app:builder", "course/hello-static:1.0"
FULL, RUNTIME = "python:3.11", "python:3.11-slim"
OUTPUT = "fib(30) = 832040"
# Ask Python itself where fastfib came from: a compiled extension is a .so file
WHICH_FASTFIB = ["python", "-c", "import fastfib; print(fastfib.__file__)"]


def _build(tag: str, folder: str, extra: str = "") -> str:
    return f"Build it in the chapter folder: docker build {extra}-t {tag} -f {folder}/Dockerfile ."


def _program_runs(tag: str, folder: str) -> ImageRun:
    return ImageRun(
        points=1,
        tag=tag,
        output=OUTPUT,
        title=f"docker run {tag} prints {OUTPUT!r}",
        hint="The image must run the program by default: copy app/main.py into it and end with "
        '`CMD ["python", "main.py"]` in the folder you copied it to.',
        missing_hint=_build(tag, folder),
    )


def _extension_installed(tag: str, folder: str, how: str) -> ImageRun:
    return ImageRun(
        points=1,
        tag=tag,
        entrypoint=WHICH_FASTFIB,
        output_contains=".so",
        title="fastfib is installed as the compiled C extension (a .so file)",
        hint=f"Install the C extension from app/ext: {how}. Printing the text yourself does not count.",
        missing_hint=_build(tag, folder),
    )


EXERCISES: list[Exercise] = [
    Exercise(
        "ch06-ex1",
        "single stage",
        [
            _program_runs(FAT, "ex1"),
            _extension_installed(FAT, "ex1", "`RUN pip install --no-index --no-build-isolation ./ext` (gcc is there)"),
            ImageBasedOn(
                points=1,
                tag=FAT,
                base=FULL,
                title=f"built FROM {FULL} (the full image, with gcc)",
                hint=f"Start the Dockerfile with `FROM {FULL}`: the single-stage build needs its compiler.",
                missing_hint=_build(FAT, "ex1"),
            ),
        ],
    ),
    Exercise(
        "ch06-ex2",
        "multi-stage",
        [
            _program_runs(SLIM, "ex2"),
            _extension_installed(
                SLIM, "ex2", "build a wheel in the builder stage, COPY --from=builder, then pip install --no-index it"
            ),
            ImageBasedOn(
                points=1,
                tag=SLIM,
                base=RUNTIME,
                title=f"the final stage is FROM {RUNTIME}",
                hint=f"Only the last stage becomes the image: start it with `FROM {RUNTIME}`. A final stage "
                f"still based on the full {FULL} keeps gcc and its headers.",
                missing_hint=_build(SLIM, "ex2"),
            ),
            ImageBuildTools(
                points=1,
                tag=SLIM,
                present=False,
                full_base=FULL,
                title="no compiler and no pip cache in the final image",
                hints={
                    "full_base": f"start the last stage with `FROM {RUNTIME}`.",
                    "compiler_copied": "The compiler was copied into the runtime stage: a `COPY --from=builder` "
                    "brought gcc (or all of /usr, or /) along. Copy only the wheel (e.g. /wheels) from the builder.",
                    "pip_cache": "copy only the wheel from the builder, and install with `pip install --no-cache-dir`.",
                },
                missing_hint=_build(SLIM, "ex2"),
            ),
            ImageSizeRatio(
                points=1,
                tag=SLIM,
                other=FAT,
                max_ratio=0.5,
                title=f"at most half the size of {FAT}",
                hint=f"Too big: base the final stage on {RUNTIME} and copy only the built wheel into it "
                "(no compiler, no source tree, no caches). Compare with `docker images course/app`.",
                missing_hint=f"Both images must exist: {SLIM} (this exercise) and {FAT} (exercise 1), "
                "which the size is compared with.",
            ),
        ],
    ),
    Exercise(
        "ch06-ex3",
        "--target",
        [
            ImageBuildTools(
                points=1,
                tag=BUILDER,
                present=True,
                title="the builder stage has gcc",
                hints={
                    "no_compiler": f"{BUILDER} should be the builder stage alone: build it with `--target builder` "
                    f"(the final stage has no compiler), from a builder stage FROM {FULL}.",
                },
                missing_hint=_build(BUILDER, "ex2", "--target builder "),
            ),
            ImagePathSearch(
                points=1,
                tag=BUILDER,
                patterns=["fastfib-*.whl"],
                title="a built fastfib wheel is in the image",
                hint="The builder stage must build the wheel, e.g. `RUN pip wheel --no-deps --no-build-isolation "
                "--no-index ./ext -w /wheels`, and the image must be that stage: `--target builder`.",
                missing_hint=_build(BUILDER, "ex2", "--target builder "),
            ),
        ],
    ),
    Exercise(
        "ch06-ex4",
        "static binary to scratch",
        [
            ImageRun(
                points=1,
                tag=HELLO,
                output="hello from scratch",
                title=f"docker run {HELLO} prints 'hello from scratch'",
                hint='Run the program by default in exec form, `CMD ["/hello"]`: scratch has no /bin/sh for '
                "the shell form, and a dynamically linked program cannot start there.",
                missing_hint=_build(HELLO, "ex4") + ' (with CMD ["/hello"]).',
            ),
            ImageStaticBinary(
                points=1,
                tag=HELLO,
                path="/hello",
                title="/hello is statically linked",
                hints={
                    "missing": "Copy the compiled program to /hello: `COPY --from=builder /hello /hello`.",
                    "not_elf": "Compile hello.c in the builder stage (gcc) and copy the binary; a script needs an "
                    "interpreter that scratch does not have.",
                    "dynamic": "Link it statically: `gcc -static -o /hello hello.c`.",
                },
                missing_hint=_build(HELLO, "ex4"),
            ),
            ImageLayerCount(
                points=1,
                tag=HELLO,
                count=1,
                title="exactly one layer",
                hint="Use `FROM scratch` and one `COPY --from=builder /hello /hello`: every RUN/COPY/ADD adds "
                "a layer, so does a WORKDIR that has to create its directory (drop it from the final stage), "
                "and any base other than scratch brings its own.",
                missing_hint=_build(HELLO, "ex4"),
            ),
            ImagePathSearch(
                points=1,
                tag=HELLO,
                patterns=["sh", "bash", "dash", "ash", "busybox"],
                present=False,
                title="no shell in the image",
                hint="The final stage must be `FROM scratch` holding only /hello: no shell, no busybox.",
                missing_hint=_build(HELLO, "ex4"),
            ),
        ],
    ),
]
