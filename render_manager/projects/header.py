"""The first bytes of an .aep: is it one, is it whole, which After Effects saved it.

Checked before the parser runs, so that the common mistakes (a wrong file, an
interrupted copy, a project from an After Effects the parser does not know) get a
message that says so instead of a parser's internal complaint.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from render_manager.projects.errors import ProjectUnreadable

# An .aep is a big-endian RIFF ("RIFX") file of form type "Egg!"; the "head" chunk
# comes within the first few chunks, right after "svap".
_HEAD_SCAN_BYTES = 4096
_CHUNK_HEADER = struct.Struct(">4sI")


@dataclass(frozen=True)
class AepHeader:
    """What the project header says: After Effects version and file-format version."""

    ae_version: str
    ae_major: int
    file_format: int
    size_bytes: int


def read_header(path: Path) -> AepHeader:
    """The header of the .aep at `path`; raises `ProjectUnreadable` if it is not a whole .aep."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            start = f.read(_HEAD_SCAN_BYTES)
    except FileNotFoundError:
        raise ProjectUnreadable(path, "no such file") from None
    except IsADirectoryError:
        raise ProjectUnreadable(path, "is a folder, not an .aep file") from None
    except PermissionError:
        raise ProjectUnreadable(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise ProjectUnreadable(path, f"cannot be read: {exc.strerror or exc}") from None
    return _parse_header(path, start, size)


def _parse_header(path: Path, start: bytes, size: int) -> AepHeader:
    if size == 0:
        raise ProjectUnreadable(path, "is empty (0 bytes), not an After Effects project")
    if start.lstrip()[:1] == b"<":
        raise ProjectUnreadable(
            path,
            "is an XML file (an .aepx project?), not a binary .aep: "
            "save it from After Effects as an .aep project",
        )
    if start[:4] != b"RIFX":
        raise ProjectUnreadable(
            path, "is not an After Effects project (an .aep file starts with a RIFX header)"
        )
    if len(start) < 12:
        raise ProjectUnreadable(path, f"is truncated: only {size} bytes")
    if start[8:12] != b"Egg!":
        raise ProjectUnreadable(path, "is a RIFX file but not an After Effects project")
    (declared,) = struct.unpack(">I", start[4:8])
    if 8 + declared > size:
        raise ProjectUnreadable(
            path,
            f"is truncated: {size} bytes of the {8 + declared} its header announces "
            "(an interrupted copy or download?)",
        )
    head = _head_chunk(start)
    if head is None or len(head) < 8:
        raise ProjectUnreadable(path, "has no project header (head chunk): damaged file")
    (word,) = struct.unpack(">I", head[4:8])
    major = ((word >> 26) & 0x1F) * 8 + ((word >> 19) & 0x07)
    minor = (word >> 15) & 0x0F
    build = word & 0xFF
    return AepHeader(
        ae_version=f"{major}.{minor}x{build}",
        ae_major=major,
        file_format=head[1],
        size_bytes=size,
    )


def _head_chunk(start: bytes) -> bytes | None:
    """The body of the "head" chunk, if it lies within `start`."""
    offset = 12
    while offset + _CHUNK_HEADER.size <= len(start):
        kind, length = _CHUNK_HEADER.unpack_from(start, offset)
        body = offset + _CHUNK_HEADER.size
        if kind == b"head":
            return start[body : body + length]
        offset = body + length + (length & 1)  # chunks are padded to an even length
    return None
