"""Chapter 06 logic without an engine: ELF linking, compiler/cache/path matching, and the
check types over recorded image facts."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from grader.checks.base import Context
from grader.checks.image_build_tools import ImageBuildTools, compilers, pip_caches
from grader.checks.image_layer_count import ImageLayerCount
from grader.checks.image_path_search import ImagePathSearch, matching
from grader.checks.image_size_ratio import ImageSizeRatio
from grader.checks.image_static_binary import ImageStaticBinary
from grader.facts.elf import NotElf, parse_elf
from grader.facts.images import FileInImage, ImageFacts
from tests.unit.fakes import FakeFacts, declared, image

LOADER = b"/lib64/ld-linux-x86-64.so.2\0"


def elf64(interp: bytes | None, dynamic: bool = False, e_type: int = 2) -> bytes:
    """A minimal little-endian 64-bit ELF: header, program headers, optional loader name."""
    headers = []
    if interp is not None:
        headers.append((3, 0x200, len(interp)))
    if dynamic:
        headers.append((2, 0, 0))
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    head = ident + struct.pack("<HHIQQQIHHHHHH", e_type, 0x3E, 1, 0, 64, 0, 0, 64, 56, len(headers), 64, 0, 0)
    table = b"".join(struct.pack("<IIQQQQQQ", t, 4, off, 0, 0, size, size, 1) for t, off, size in headers)
    data = bytearray((head + table).ljust(0x200, b"\0"))
    if interp is not None:
        data += interp
    return bytes(data)


def elf32_dynamic() -> bytes:
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    head = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, 0, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    table = struct.pack("<IIIIIIII", 3, 0x100, 0, 0, 14, 14, 4, 1)
    return (head + table).ljust(0x100, b"\0") + b"/lib/ld.so.1\0\0"


def test_static_elf_has_no_loader() -> None:
    info = parse_elf(elf64(None))
    assert info.static and info.bits == 64 and info.file_type == "executable"


def test_dynamic_elf_names_its_loader() -> None:
    info = parse_elf(elf64(LOADER, dynamic=True, e_type=3))
    assert not info.static and info.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert "dynamically linked" in info.describe() and info.has_dynamic_section


def test_static_pie_counts_as_static() -> None:
    """A static-pie has a dynamic section but no loader: it runs in scratch."""
    info = parse_elf(elf64(None, dynamic=True, e_type=3))
    assert info.static and info.has_dynamic_section


def test_32_bit_dynamic_elf() -> None:
    info = parse_elf(elf32_dynamic())
    assert info.bits == 32 and info.interpreter == "/lib/ld.so.1"


@pytest.mark.parametrize("data", [b"#!/bin/sh\necho hello from scratch\n", b"", b"\x7fELF\x02\x01", elf64(LOADER)[:70]])
def test_not_elf_or_cut_short(data: bytes) -> None:
    with pytest.raises(NotElf):
        parse_elf(data)


@pytest.mark.parametrize(("path", "static"), [("/bin/ls", False), ("/sbin/ldconfig", True)])
def test_real_programs_of_this_machine(path: str, static: bool) -> None:
    if not Path(path).is_file():
        pytest.skip(f"{path} is not on this machine")
    assert parse_elf(Path(path).read_bytes()).static is static


def test_compilers_are_gcc_drivers_in_bin_folders_or_cc1() -> None:
    paths = [
        "/usr/bin/gcc",
        "/usr/local/bin/x86_64-linux-gnu-gcc-12",
        "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
        "/usr/share/gcc",
        "/var/lib/dpkg/info/gcc-12-base:amd64.list",
        "/usr/bin/gcc-ar",
        "/usr/lib/gcc",
    ]
    assert compilers(paths) == paths[:3]


def test_pip_caches_of_any_user() -> None:
    paths = ["/root/.cache/pip", "/root/.cache/pip/wheels/x.whl", "/home/app/.cache/pip/http", "/root/.cache/other"]
    assert pip_caches(paths) == paths[:3]


def test_matching_globs_on_file_names_only() -> None:
    paths = ["/wheels/fastfib-1.0-cp311-cp311-linux_x86_64.whl", "/fastfib-src/setup.py", "/bin/sh", "/bin/shx"]
    assert matching(paths, ["fastfib-*.whl"]) == paths[:1]
    assert matching(paths, ["sh", "bash"]) == ["/bin/sh"]


FULL = image("python:3.11", layers=["sha256:full"], paths=["/usr/bin/gcc"])


def ctx(**images: ImageFacts) -> Context:
    return Context(FakeFacts(images={"python:3.11": FULL, **images}))


def test_build_tools_hint_tells_full_base_from_copied_compiler() -> None:
    check = declared("ch06-ex2", ImageBuildTools)
    on_full = image("course/app:slim", layers=["sha256:full", "sha256:x"], paths=["/usr/bin/gcc"])
    hint = check.run(ctx(**{"course/app:slim": on_full})).hint
    assert "still based on the full python:3.11" in hint and "`FROM python:3.11-slim`" in hint
    copied = image("course/app:slim", layers=["sha256:slim"], paths=["/usr/local/bin/gcc"])
    assert "compiler was copied" in check.run(ctx(**{"course/app:slim": copied})).hint
    generic = ImageBuildTools(tag="course/app:slim", present=False, full_base="python:3.11")
    assert "slim base" in generic.run(ctx(**{"course/app:slim": on_full})).hint  # no chapter text in the type
    cache = image("course/app:slim", layers=["sha256:slim"], paths=["/root/.cache/pip/wheels/a.whl"])
    part = check.run(ctx(**{"course/app:slim": cache}))
    assert not part.passed and "pip's cache" in part.hint
    clean = image("course/app:slim", layers=["sha256:slim"], paths=["/usr/local/bin/python"])
    assert check.run(ctx(**{"course/app:slim": clean})).passed


def test_build_tools_present_names_target() -> None:
    check = declared("ch06-ex3", ImageBuildTools)
    assert check.run(ctx(**{"course/app:builder": FULL})).passed
    empty = image("course/app:builder", paths=["/wheels/fastfib-1.0.whl"])
    assert "--target builder" in check.run(ctx(**{"course/app:builder": empty})).hint


def sized(ref: str, size: int) -> ImageFacts:
    return image(ref, size=size)


@pytest.mark.parametrize(("slim", "passed"), [(129_000_000, True), (175_500_000, True), (175_500_001, False)])
def test_size_ratio_boundary(slim: int, passed: bool) -> None:
    images = {"course/app:fat": sized("course/app:fat", 351_000_000), "course/app:slim": sized("course/app:slim", slim)}
    part = declared("ch06-ex2", ImageSizeRatio).run(ctx(**images))
    assert part.passed is passed and "351.0 MB" in part.expected
    assert passed or "python:3.11-slim" in part.hint


def test_static_binary_check_over_recorded_files() -> None:
    check = declared("ch06-ex4", ImageStaticBinary)
    for content, ok, words in [
        (elf64(None), True, "statically linked"),
        (elf64(LOADER), False, "gcc -static"),
        (b"#!/bin/sh\n", False, "not an ELF"),
    ]:
        facts = image("h", files={"/hello": FileInImage("/hello", "file", content, 0, 0, 0o755)})
        part = check.run(ctx(**{"course/hello-static:1.0": facts}))
        assert part.passed is ok and words in (part.found + part.hint)
    facts = image("h", files={"/hello": None})
    assert "COPY --from=builder" in check.run(ctx(**{"course/hello-static:1.0": facts})).hint
    generic = ImageStaticBinary(tag="h", path="/hello").run(ctx(h=image("h", files={"/hello": elf64(LOADER)})))
    assert "needs /lib64/ld-linux-x86-64.so.2 and libc" in generic.hint and "hello.c" not in generic.hint


def test_layer_count_and_absent_paths() -> None:
    one = image("h", layers=["sha256:a"], paths=["/hello", "/etc/hosts"])
    two = image("h", layers=["sha256:a", "sha256:b"], paths=["/hello", "/bin/sh"])
    assert ImageLayerCount(tag="h", count=1).run(ctx(h=one)).passed
    assert not ImageLayerCount(tag="h", count=1).run(ctx(h=two)).passed
    no_shell = ImagePathSearch(tag="h", patterns=["sh", "busybox"], present=False)
    assert no_shell.run(ctx(h=one)).passed
    part = no_shell.run(ctx(h=two))
    assert not part.passed and part.found == "/bin/sh"


def test_layer_chart_folds_the_base_and_keeps_own_steps() -> None:
    from grader.pictures.layers import bar_for, layer_chart_svg, step_label

    base = image("python:3.11-slim", layers=["sha256:slim"], history=["/bin/sh -c #(nop) ADD file:x in /"])
    slim = image(
        "course/app:slim",
        layers=["sha256:slim", "sha256:own"],
        history=[
            "/bin/sh -c #(nop) ADD file:x in /",
            "/bin/sh -c pip install --no-index fastfib",
            '/bin/sh -c #(nop)  CMD ["python" "main.py"]',
        ],
    )
    bar = bar_for(slim, {"python:3.11": FULL, "python:3.11-slim": base})
    assert [(s.label, s.inherited) for s in bar.segments] == [
        ("FROM python:3.11-slim", True),
        ("RUN pip install --no-index fastfib", False),
    ]
    assert bar.size == 10  # recorded history: 10 bytes per step without #(nop), 0 otherwise
    assert step_label(slim.history[0]).startswith("ADD file:x")
    svg = layer_chart_svg([bar])
    assert svg.startswith("<svg") and "FROM python:3.11-slim" in svg and "<script" not in svg
