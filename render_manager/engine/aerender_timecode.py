"""aerender's times: timecodes (``0:00:10:00``, drop-frame ``0;01;00;02``, plain frame
numbers) into frames and seconds, and its ``Total Time Elapsed`` wording into seconds.

Pure parsing, no I/O; ``aerender_output`` reads these out of aerender's lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = [
    "TIMECODE_PATTERN",
    "Timecode",
    "parse_elapsed",
    "parse_tc",
    "parse_timecode",
    "timecode_base",
    "timecode_to_frames",
]

# H:MM:SS:FF (';' anywhere for drop frame) or a plain frame number (the "Frames" display).
TIMECODE_PATTERN = r"\d+[:;]\d{1,2}[:;]\d{1,2}[:;]\d{1,3}|\d+"
_TC_PARTS = re.compile(r"\A\s*(\d+)([:;])(\d{1,2})([:;])(\d{1,2})([:;])(\d{1,3})\s*\Z")
_TC_PLAIN = re.compile(r"\A\s*(\d+)\s*\Z")
_ELAPSED_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Timecode:
    """A parsed aerender timecode; its frame index depends on the comp's frame rate."""

    hours: int
    minutes: int
    seconds: int
    frames: int
    drop_frame: bool
    # Set instead of the fields above when After Effects displays time as frame numbers.
    plain_frames: int | None = None

    def whole_seconds(self) -> int:
        return (self.hours * 60 + self.minutes) * 60 + self.seconds

    def to_frames(self, base: int) -> int:
        """The frame index, given the timecode base (frames per timecode second)."""
        if self.plain_frames is not None:
            return self.plain_frames
        index = self.whole_seconds() * base + self.frames
        if self.drop_frame:
            # SMPTE drop frame: frame numbers 0 and 1 (0-3 at 59.94) are skipped at the start
            # of every minute except each tenth, so the timecode keeps up with the clock.
            dropped = max(base // 15, 1)
            minutes = self.hours * 60 + self.minutes
            index -= dropped * (minutes - minutes // 10)
        return index


def parse_tc(text: str) -> Timecode | None:
    """The timecode in ``text`` (``H:MM:SS:FF``, ``H;MM;SS;FF`` or a frame number), or None."""
    if plain := _TC_PLAIN.match(text):
        return Timecode(0, 0, 0, 0, drop_frame=False, plain_frames=int(plain.group(1)))
    parts = _TC_PARTS.match(text)
    if parts is None:
        return None
    hours, sep1, minutes, sep2, seconds, sep3, frames = parts.groups()
    return Timecode(
        int(hours), int(minutes), int(seconds), int(frames), drop_frame=";" in sep1 + sep2 + sep3
    )


def timecode_base(frame_rate: float) -> int:
    """Frames per timecode second at ``frame_rate``."""
    # Timecode counts whole frames per second: 29.97 counts to 30, 23.976 to 24.
    return max(round(frame_rate), 1)


def timecode_to_frames(text: str, frame_rate: float) -> int:
    """The frame index of an aerender timecode.

    Accepts ``H:MM:SS:FF``, drop-frame ``H;MM;SS;FF`` (any ``;`` marks drop frame) and a plain
    frame number. ``frame_rate`` is the comp's rate (29.97, 25, ``23.976``...); the timecode
    counts ``round(frame_rate)`` frames per second. Raises ValueError on anything else.
    """
    if not (math.isfinite(frame_rate) and frame_rate > 0):
        raise ValueError(f"frame rate must be positive, not {frame_rate}")
    timecode = parse_tc(text)
    if timecode is None:
        raise ValueError(f"not a timecode: {text!r}")
    return timecode.to_frames(timecode_base(frame_rate))


def parse_timecode(text: str, frame_rate: float) -> float:
    """Seconds from the start of the comp to an aerender timecode (see timecode_to_frames).

    ``timecode_to_frames(text, rate) / rate``: so ``0:00:10:00`` at 25 fps is 10.0 s and
    ``0;01;00;02`` at 29.97 fps is frame 1800, 60.06 s. Raises ValueError like
    timecode_to_frames.
    """
    return timecode_to_frames(text, frame_rate) / frame_rate


def parse_elapsed(text: str) -> float | None:
    """Seconds in aerender's ``Total Time Elapsed`` wording, or None if it has no numbers.

    ``"17 Seconds"`` is 17.0, ``"1 Min, 28 Sec"`` 88.0, ``"26 Hr, 15 Min"`` 94500.0.
    """
    total = 0.0
    found = False
    for number, unit in _ELAPSED_PART.findall(text):
        found = True
        scale = {"h": 3600.0, "m": 60.0}.get(unit[0].lower(), 1.0)
        total += float(number.replace(",", ".")) * scale
    return total if found else None
