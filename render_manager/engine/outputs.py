"""Deciding whether a render produced its output."""

from __future__ import annotations

import re
from pathlib import Path

# AE and nexrender write image sequences as name_[#####].ext (the count of # is the padding).
_SEQUENCE = re.compile(r"\[(#+)\]")


def is_sequence(output: Path) -> bool:
    """True for an image-sequence pattern such as result_[#####].png."""
    return bool(_SEQUENCE.search(output.name))


def sequence_frames(pattern: Path) -> list[Path]:
    """The existing frames of an image-sequence pattern, in order."""
    match = _SEQUENCE.search(pattern.name)
    if match is None:
        return [pattern] if pattern.is_file() else []
    digits = len(match.group(1))
    regex = re.compile(
        re.escape(pattern.name[: match.start()])
        + rf"\d{{{digits},}}"
        + re.escape(pattern.name[match.end() :])
        + r"\Z"
    )
    if not pattern.parent.is_dir():
        return []
    return sorted(p for p in pattern.parent.iterdir() if regex.match(p.name) and p.is_file())


def find_output(expected: Path) -> Path | None:
    """The output actually written for an expected path, or None if there is none.

    A sequence counts once one frame exists. After Effects 2022 and later can no longer
    write AVI and switches to .mov on its own, so a .mov beside an expected .avi counts.
    """
    if is_sequence(expected):
        frames = sequence_frames(expected)
        return expected if frames else None
    if expected.is_file() and expected.stat().st_size > 0:
        return expected
    if expected.suffix.lower() == ".avi":
        mov = expected.with_suffix(".mov")
        if mov.is_file() and mov.stat().st_size > 0:
            return mov
    return None


def partial_output_note(expected: Path) -> str | None:
    """What a render that stopped early left at `expected`, in words; None if nothing.

    The files are kept, not deleted: the frames rendered, or the start of a movie, can be
    worth a look, and they are in the job's own folder. They are named incomplete so that
    nobody mistakes them for the result.
    """
    found = find_output(expected)
    if found is None:
        return None
    if is_sequence(found):
        count = len(sequence_frames(found))
        frames = "1 frame" if count == 1 else f"{count} frames"
        return f"the {frames} it rendered are kept as {found} (incomplete)"
    return f"its partial output is kept as {found} (incomplete)"
