"""Reading aerender's output: bytes into lines, lines into progress, errors and warnings.

Pure parsing, no I/O: the engine tails aerender's log and feeds whatever it reads here, so
the same code serves a live render, a re-adopted one and a replayed log.

aerender prints two shapes (see tests/fixtures/aerender-logs/README.md): the console shape,
where render lines start with ``PROGRESS:  ``, and the render-log shape, where they are
indented by two spaces with no prefix. Every pattern below accepts both. Localized After
Effects keeps the severity prefixes and the word ``aerender`` in English but translates the
rest, and Windows consoles garble accents into U+FFFD, so localized words are matched loosely.
"""

from __future__ import annotations

import codecs
import re
from collections import deque

from render_manager.engine.aerender_timecode import (
    TIMECODE_PATTERN,
    Timecode,
    parse_tc,
    timecode_base,
)

__all__ = ["AerenderProgressParser", "LineSplitter"]

# Keeps the stored messages bounded: a footage warning can repeat once per frame for hours.
MAX_MESSAGES = 100
# Frame samples the throughput is measured over: recent enough to follow a change of pace
# (a heavy section of the comp), long enough not to jump with every frame.
_FPS_WINDOW = 32

_EOL = re.compile(rb"\r\n|\r|\n")

_PREFIX = r"^\s*(?:PROGRESS:)?\s*"

_FRAME = re.compile(_PREFIX + rf"(?P<tc>{TIMECODE_PATTERN})\s+\((?P<n>\d+)\s*[UL]?\)\s*:\s*\d+")
# English, German (Anfang/Ende/Dauer) and Brazilian Portuguese (Início/Fim/Duração, whose
# accents may arrive as one or two U+FFFD each).
_HEADER = re.compile(
    _PREFIX
    + r"(?P<key>Start|Anfang|In.{1,2}cio|End|Ende|Fim|Duration|Dauer|Dura.{1,4}o)\s*:\s*"
    + rf"(?P<tc>{TIMECODE_PATTERN})(?:\s+\S.*)?$",
    re.IGNORECASE,
)
_RATE = re.compile(
    _PREFIX + r"(?:Frame[\s-]*Rate|Bildrate|Taxa\s+de\s+quadros)\s*:\s*(?P<rate>\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
# Only aerender's own error lines: GPU and IPC libraries print "ERROR" too (for example
# "ERROR *** IVCAutoReleasePool ... just leaking") without the render having failed.
_ERROR = re.compile(
    r"^\s*aerender\s+(?P<syntax>SYNTAX\s+)?(?:ERROR|Fehler|Erro)(?:\s+(?P<code>-?\d+))?"
    r"\s*:\s*(?P<msg>.*?)\s*$",
    re.IGNORECASE,
)
# Case-sensitive: the severity prefix is always upper case, a script's "Warning:" is not one.
_WARNING = re.compile(r"^\s*(?:aerender\s+)?WARNING\s*:\s*(?P<msg>.*?)\s*$")
_VERSION = re.compile(r"^\s*aerender\s+version\s+(?P<version>\S+)", re.IGNORECASE)
_FINISHED = re.compile(r"Finished\s+composition\b\s*(?P<name>.*?)\s*$", re.IGNORECASE)
_ELAPSED = re.compile(r"Total\s+Time\s+Elapsed\s*:\s*(?P<text>.*?)\s*$", re.IGNORECASE)


class LineSplitter:
    """Turns a byte stream into complete text lines, wherever the read chunks happen to end.

    Lines end at CRLF, LF or a lone CR (aerender redraws some lines with a bare CR). A line
    ending in a chunk's last byte CR is returned at once; an LF opening the next chunk is
    then taken as the second half of CRLF rather than as an empty line.

    Each line is decoded on its own, so a UTF-8 character cut by a chunk boundary arrives
    whole. Lines that are not valid UTF-8 (OEM/ANSI code pages of Windows consoles) are
    decoded with ``fallback_encoding`` when one is given (e.g. ``"cp850"``), otherwise as
    UTF-8 with U+FFFD for the bad bytes. Decoding never raises. A leading byte-order mark
    is dropped.
    """

    def __init__(
        self, *, fallback_encoding: str | None = None, max_line_bytes: int = 1 << 20
    ) -> None:
        """``max_line_bytes`` bounds memory: a longer run without a line end is emitted as is.

        Raises LookupError for an unknown ``fallback_encoding`` (a configuration mistake is
        better reported now than halfway through a render).
        """
        if fallback_encoding is not None:
            codecs.lookup(fallback_encoding)
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self._fallback = fallback_encoding
        self._max_line_bytes = max_line_bytes
        self._buffer = b""
        self._after_cr = False
        self._first_line = True

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by ``data``, without their line ends; the rest is kept."""
        if not data:
            return []
        if self._after_cr:
            self._after_cr = False
            if data.startswith(b"\n"):
                data = data[1:]
        buffer = self._buffer + data
        lines: list[str] = []
        start = 0
        for match in _EOL.finditer(buffer):
            lines.append(self._decode(buffer[start : match.start()]))
            start = match.end()
        # A CR as the very last byte matched as a lone CR; it may be half of a CRLF.
        self._after_cr = start > 0 and buffer.endswith(b"\r")
        rest = buffer[start:]
        if len(rest) > self._max_line_bytes:
            lines.append(self._decode(rest))
            rest = b""
        self._buffer = rest
        return lines

    def flush(self) -> list[str]:
        """The unterminated tail (at most one line), for when the stream has ended."""
        tail, self._buffer = self._buffer, b""
        self._after_cr = False
        return [self._decode(tail)] if tail else []

    def _decode(self, raw: bytes) -> str:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode(self._fallback or "utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            text = text.removeprefix("\ufeff")
        return text


def _parse_rate(text: str) -> float | None:
    # The OS locale decides the decimal mark: "25.00" or "25,00".
    rate = float(text.replace(",", "."))
    # After Effects allows up to 999 fps; anything else is a garbled line, not a rate.
    return rate if 0 < rate < 1000 else None


class AerenderProgressParser:
    """What one aerender run has said so far: progress, throughput, errors, warnings, outcome.

    Feed it every line of the run's output, in order, as they arrive (``feed_line``); read
    the properties at any time. One parser follows one render item. It never raises on odd
    input: lines it does not recognise are ignored.

    The range comes from the ``Start``/``End``/``Duration``/``Frame Rate`` header, which can
    arrive in any order and may be missing (a partial or render-log-shape log). When aerender
    prints no ``Frame Rate``, the rate is inferred from the frame lines' timecodes rolling
    over to the next second. ``total_frames_hint`` is what the caller knows of the range
    (``-e`` - ``-s`` + 1, say); the header wins over it.
    """

    def __init__(self, *, total_frames_hint: int | None = None) -> None:
        """``total_frames_hint``: the frame count to assume when aerender prints no range."""
        self._hint = total_frames_hint if total_frames_hint and total_frames_hint > 0 else None
        self._start: Timecode | None = None
        self._end: Timecode | None = None
        self._duration: Timecode | None = None
        self._header_rate: float | None = None
        self._inferred_base: int | None = None
        self._frame_step: int | None = None
        self._last_frame: tuple[Timecode, int] | None = None
        self._frames_done = 0
        self._samples: deque[tuple[float, int]] = deque(maxlen=_FPS_WINDOW)
        self._percent: float | None = None
        self._errors: list[str] = []
        self._warnings: list[str] = []
        self._finished = False
        self._total_elapsed: str | None = None
        self._version: str | None = None
        self._update_percent()

    # -- input ------------------------------------------------------------------------------

    def feed_line(self, line: str, now: float) -> None:
        """Take one line (its line end, if any, is ignored).

        ``now`` is a monotonic clock reading in seconds (``time.monotonic()``) for when the
        line was read; throughput and ETA are measured with it.
        """
        text = line.rstrip("\r\n")
        if match := _VERSION.match(text):
            if self._version is None:
                self._version = match["version"]
        elif match := _ERROR.match(text):
            self._add(self._errors, _error_message(match))
        elif match := _WARNING.match(text):
            self._add(self._warnings, match["msg"] or text.strip())
        elif match := _FRAME.match(text):
            self._on_frame(match, now)
        elif match := _HEADER.match(text):
            self._on_header(match["key"], match["tc"])
        elif match := _RATE.match(text):
            self._header_rate = _parse_rate(match["rate"]) or self._header_rate
        elif match := _FINISHED.search(text):
            self._finished = True
        elif match := _ELAPSED.search(text):
            self._total_elapsed = match["text"]
        self._update_percent()

    def _add(self, messages: list[str], message: str) -> None:
        if len(messages) < MAX_MESSAGES and message not in messages:
            messages.append(message)

    def _on_frame(self, match: re.Match[str], now: float) -> None:
        timecode = parse_tc(match["tc"])
        count = int(match["n"])
        if timecode is not None:
            self._infer_rate(timecode, count)
            self._last_frame = (timecode, count)
        if count > self._frames_done:
            self._frames_done = count
            self._samples.append((now, count))

    def _infer_rate(self, timecode: Timecode, count: int) -> None:
        # Only a contiguous pair of non-drop timecodes says how many frames a second holds:
        # "0:00:00:23 (24)" then "0:00:01:00 (25)" means 24 per second.
        previous = self._last_frame
        if previous is None or self._inferred_base is not None:
            return
        before, before_count = previous
        if (
            count != before_count + 1
            or timecode.drop_frame
            or before.drop_frame
            or timecode.plain_frames is not None
            or before.plain_frames is not None
        ):
            return
        step_seconds = timecode.whole_seconds() - before.whole_seconds()
        if step_seconds == 0 and timecode.frames > before.frames:
            self._frame_step = timecode.frames - before.frames
        elif step_seconds == 1 and timecode.frames < before.frames and self._frame_step:
            base = before.frames + self._frame_step - timecode.frames
            if base > before.frames:
                self._inferred_base = base

    def _on_header(self, key: str, value: str) -> None:
        timecode = parse_tc(value)
        word = key.lower()
        if word in ("start", "anfang") or word.startswith("in"):
            self._start = timecode
        elif word in ("end", "ende", "fim"):
            self._end = timecode
        else:
            self._duration = timecode

    def _update_percent(self) -> None:
        total = self.total_frames
        if total is None:
            return
        percent = min(100.0, 100.0 * self._frames_done / total)
        if self._percent is None or percent > self._percent:
            self._percent = percent

    # -- range ------------------------------------------------------------------------------

    @property
    def frame_rate(self) -> float | None:
        """Frames per second: the ``Frame Rate`` line's, else inferred from timecodes, or None."""
        if self._header_rate is not None:
            return self._header_rate
        return float(self._inferred_base) if self._inferred_base is not None else None

    def _frames(self, timecode: Timecode | None) -> int | None:
        if timecode is None:
            return None
        if timecode.plain_frames is not None:
            return timecode.plain_frames
        rate = self.frame_rate
        return timecode.to_frames(timecode_base(rate)) if rate is not None else None

    def _seconds(self, timecode: Timecode | None) -> float | None:
        frames, rate = self._frames(timecode), self.frame_rate
        return frames / rate if frames is not None and rate is not None else None

    @property
    def start(self) -> float | None:
        """The ``Start`` time in seconds from the comp's start, or None while unknown."""
        return self._seconds(self._start)

    @property
    def end(self) -> float | None:
        """The ``End`` time (the last frame rendered, inclusive) in seconds, or None."""
        return self._seconds(self._end)

    @property
    def duration(self) -> float | None:
        """The ``Duration`` in seconds, or None."""
        return self._seconds(self._duration)

    @property
    def start_frame(self) -> int | None:
        """The ``Start`` as a frame index, or None."""
        return self._frames(self._start)

    @property
    def end_frame(self) -> int | None:
        """The ``End`` as a frame index (inclusive), or None."""
        return self._frames(self._end)

    @property
    def duration_frames(self) -> int | None:
        """The ``Duration`` as a frame count (Duration x frame rate), or None."""
        return self._frames(self._duration)

    @property
    def total_frames(self) -> int | None:
        """Frames this render will produce, or None while unknown.

        In order: Duration x frame rate; End - Start + 1; the constructor's hint; and, once
        ``Finished composition`` was seen, the frames rendered (a headerless log implies it).
        """
        duration = self.duration_frames
        if duration is not None and duration > 0:
            return duration
        start, end = self.start_frame, self.end_frame
        if start is not None and end is not None and end >= start:
            return end - start + 1
        if self._hint is not None:
            return self._hint
        if self._finished and self._frames_done > 0:
            return self._frames_done
        return None

    # -- progress ---------------------------------------------------------------------------

    @property
    def frames_done(self) -> int:
        """Frames rendered so far: the highest ``(N)`` of the frame lines; 0 before the first."""
        return self._frames_done

    @property
    def percent(self) -> float | None:
        """0-100, never decreasing; None while the total is unknown.

        ``100 x frames_done / total_frames``, capped at 100. For a contiguous render this
        equals (time of the frame just finished + one frame - Start) / Duration; counting
        frames also holds for multi-frame rendering, which can print frames out of order.
        """
        return self._percent

    @property
    def fps(self) -> float | None:
        """Throughput in frames per wall-clock second over the recent frames, or None.

        Measured from the ``now`` of the lines that advanced ``frames_done``; None until two
        such lines arrived at different times.
        """
        if len(self._samples) < 2:
            return None
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        if t1 <= t0 or n1 <= n0:
            return None
        return (n1 - n0) / (t1 - t0)

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left: remaining frames / fps; 0.0 once finished; None while unknown."""
        if self._finished:
            return 0.0
        total, fps = self.total_frames, self.fps
        if total is None or fps is None:
            return None
        return max(total - self._frames_done, 0) / fps

    # -- outcome ----------------------------------------------------------------------------

    @property
    def errors(self) -> tuple[str, ...]:
        """aerender's own error messages, in order, without duplicates (at most MAX_MESSAGES).

        From ``aerender ERROR: m`` → ``m``; ``aerender Error: After Effects error: m`` →
        ``After Effects error: m``; ``aerender ERROR -1701: m`` → ``m (error -1701)``;
        ``aerender SYNTAX ERROR: m`` → ``Syntax error: m``; localized ``aerender Fehler:``
        and ``aerender Erro:`` likewise. Any one of them means the render failed.
        """
        return tuple(self._errors)

    @property
    def first_error(self) -> str | None:
        """The first error: the cause, where later ones are consequences; None if none."""
        return self._errors[0] if self._errors else None

    @property
    def warnings(self) -> tuple[str, ...]:
        """Messages of ``WARNING:`` lines (missing fonts, footage...), in order, deduplicated.

        aerender may report missing footage here and still succeed: show them to the user.
        """
        return tuple(self._warnings)

    @property
    def finished_composition(self) -> bool:
        """True once ``Finished composition`` was printed: the render itself completed.

        aerender can still fail to exit afterwards (a lingering aerendercore child), and a
        log may lack the line (a localized or truncated one): exit code 0 and the output
        file decide then.
        """
        return self._finished

    @property
    def total_elapsed(self) -> str | None:
        """The ``Total Time Elapsed`` text as printed (``"1 Min, 28 Sec"``), or None."""
        return self._total_elapsed

    @property
    def version(self) -> str | None:
        """The version from ``aerender version 24.2.1x2`` (``"24.2.1x2"``), or None."""
        return self._version


def _error_message(match: re.Match[str]) -> str:
    message = match["msg"] or "unspecified aerender error"
    if match["syntax"]:
        message = f"Syntax error: {message}"
    if match["code"]:
        message = f"{message} (error {match['code']})"
    return message
