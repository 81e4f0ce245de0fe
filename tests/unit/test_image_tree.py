"""The export stream that image listings read: every byte once, in order, whatever the chunk sizes."""

from __future__ import annotations

import io
import tarfile

from grader.facts.image_tree import _ChunkStream


def _tar(names: list[str], size: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BytesIO(bytes(range(256)) * (size // 256)))
    return buf.getvalue()


def test_reads_give_back_the_chunks_in_order_across_chunk_boundaries() -> None:
    data = bytes(range(256)) * 100
    chunks = [data[:1], data[1:7000], b"", data[7000:7001], data[7001:]]
    stream = _ChunkStream(chunks)
    out, buffer = b"", bytearray(333)
    while size := stream.readinto(buffer):  # 0 only at the end (an empty chunk is not the end)
        out += bytes(buffer[:size])
    assert out == data


def test_a_tar_streamed_in_chunks_lists_every_member() -> None:
    raw = _tar([f"usr/lib/f{i}" for i in range(40)], 64 * 1024)
    chunks = [raw[i : i + 100_000] for i in range(0, len(raw), 100_000)]
    with tarfile.open(fileobj=io.BufferedReader(_ChunkStream(chunks)), mode="r|") as tar:
        assert [m.name for m in tar] == [f"usr/lib/f{i}" for i in range(40)]
