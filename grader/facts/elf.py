"""Reading an ELF program's header: is it an ELF file, and is it statically linked?

A dynamically linked program names its loader in a ``PT_INTERP`` program header
(``/lib64/ld-linux-x86-64.so.2``); a ``FROM scratch`` image has no loader and no
libc, so such a program fails to start there. A static (or static-pie) program
has no ``PT_INTERP``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"\x7fELF"
PT_DYNAMIC = 2
PT_INTERP = 3
TYPES = {1: "relocatable", 2: "executable", 3: "shared object", 4: "core"}


@dataclass(frozen=True)
class ElfInfo:
    """What an ELF header says about how a program is linked."""

    bits: int
    file_type: str
    interpreter: str | None
    has_dynamic_section: bool

    @property
    def static(self) -> bool:
        """True when no program loader is needed (static, or static-pie)."""
        return self.interpreter is None

    def describe(self) -> str:
        if self.static:
            return f"a statically linked {self.bits}-bit ELF {self.file_type}"
        return f"a dynamically linked {self.bits}-bit ELF {self.file_type} (loader {self.interpreter})"


class NotElf(ValueError):
    """The bytes are not an ELF file (or are cut short)."""


def parse_elf(data: bytes) -> ElfInfo:
    """Parse the ELF header and program headers of ``data``.

    Raises:
        NotElf: ``data`` is not a complete ELF header (a script, text, a truncated file).

    Example::

        parse_elf(Path("/bin/ls").read_bytes()).static  # False on Debian
    """
    if len(data) < 52 or data[:4] != MAGIC:
        raise NotElf("no ELF magic number")
    bits = {1: 32, 2: 64}.get(data[4])
    order = {1: "<", 2: ">"}.get(data[5])
    if bits is None or order is None:
        raise NotElf("unknown ELF class or byte order")
    (e_type,) = struct.unpack_from(order + "H", data, 0x10)
    if bits == 64:
        (phoff,) = struct.unpack_from(order + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    else:
        (phoff,) = struct.unpack_from(order + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x2A)
    interpreter: str | None = None
    dynamic = False
    for i in range(phnum):
        start = phoff + i * phentsize
        if start + (56 if bits == 64 else 32) > len(data):
            raise NotElf("program headers cut short")
        (p_type,) = struct.unpack_from(order + "I", data, start)
        if p_type == PT_DYNAMIC:
            dynamic = True
        if p_type == PT_INTERP:
            if bits == 64:
                (offset,) = struct.unpack_from(order + "Q", data, start + 8)
                (size,) = struct.unpack_from(order + "Q", data, start + 32)
            else:
                (offset,) = struct.unpack_from(order + "I", data, start + 4)
                (size,) = struct.unpack_from(order + "I", data, start + 16)
            raw = data[offset : offset + size]
            interpreter = raw.split(b"\0", 1)[0].decode(errors="replace") or "(unnamed loader)"
    return ElfInfo(bits, TYPES.get(e_type, f"type {e_type}"), interpreter, dynamic)
