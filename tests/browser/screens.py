"""Screenshots as test artifacts, and proof that one is not blank (a tiny PNG decoder: no Pillow here)."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from pathlib import Path

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel (8-bit only)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, unfiltered rows) of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in CHANNELS, f"unsupported PNG (depth {depth}, colour type {colour})"
    bpp = CHANNELS[colour]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up = prev[x]
            corner = prev[x - bpp] if x >= bpp else 0
            line[x] = (line[x] + (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def assert_not_blank(path: Path, min_colours: int = 8, max_share: float = 0.97) -> None:
    """The screenshot shows something: several colours, none covering (almost) everything."""
    width, height, bpp, rows = decode_png(path.read_bytes())
    colours: Counter[bytes] = Counter()
    for row in rows[:: max(1, height // 200)]:  # a sample of rows is plenty and keeps this fast
        colours.update(row[i : i + bpp] for i in range(0, len(row), bpp * 2))
    total = sum(colours.values())
    top = colours.most_common(1)[0][1] / total
    assert len(colours) >= min_colours and top <= max_share, (
        f"{path.name} looks blank: {len(colours)} colours, the commonest covers {top:.0%} ({width}x{height})"
    )
