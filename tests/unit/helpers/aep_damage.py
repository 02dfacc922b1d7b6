"""Damaged copies of a real .aep, made in a test: scrambled chunks, or a header that says
a newer After Effects than the project reader knows saved it."""

from __future__ import annotations

from pathlib import Path

NEWER_SAYS = "was saved by After Effects 27.0x67, newer than the project reader knows"
CORRUPT_SAYS = "could not be read"


def corrupt_copy(project: Path, dest: Path) -> Path:
    """`dest`: the header kept, the chunks after it scrambled (an .aep damaged on a bad disk)."""
    data = bytearray(project.read_bytes())
    data[200:] = bytes((b * 7 + 13) & 0xFF for b in data[200:])
    dest.write_bytes(bytes(data))
    return dest


def newer_copy(project: Path, dest: Path) -> Path:
    """`dest`: the project as if After Effects 27, with a file format no reader knows, saved it."""
    data = bytearray(project.read_bytes())
    head = data.index(b"head") + 8  # the head chunk's body, after its 8-byte header
    data[head + 1] = 0x7F  # a file-format version no After Effects the reader knows wrote
    # ...by After Effects 27 (major = 8 * bits 26-30 + bits 19-21 of the version word).
    word = int.from_bytes(data[head + 4 : head + 8], "big")
    word = (word & ~(0x1F << 26) & ~(0x07 << 19)) | (3 << 26) | (3 << 19)
    data[head + 4 : head + 8] = word.to_bytes(4, "big")
    dest.write_bytes(bytes(data))
    return dest
