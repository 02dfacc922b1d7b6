"""Encoding with ffmpeg: a movie or an image sequence into a deliverable (MP4, ProRes, GIF).

Runs as nexrender's `encode` postrender action after aerender, and as a standalone encode
job, so the engine does real work on a machine without After Effects. ffmpeg comes from
imageio-ffmpeg, so no system install is needed.

An encode writes to a `<name>.partial.<ext>` file beside the output and renames it into place
only once ffmpeg succeeded: a failed or cancelled encode leaves neither half a movie nor a
damaged copy of an earlier output behind.

What to encode (`EncodeSpec`, parsed from an encode action) and ffmpeg's command line for it
are in `encode_spec`; this module runs ffmpeg and reports its progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import imageio_ffmpeg

from render_manager.engine.encode_spec import (
    EncodeError,
    EncodeSpec,
    build_ffmpeg_command,
    check_movie,
    sequence_range,
)
from render_manager.engine.outputs import is_sequence
from render_manager.engine.processes import new_session_kwargs

# Seconds ffmpeg gets to stop after SIGTERM before its process group is killed.
TERMINATE_GRACE_S = 3.0
# Opening a movie reads only its header; this much time means a hung network share.
PROBE_TIMEOUT_S = 60.0
STDERR_TAIL_LINES = 50


@dataclass(frozen=True, slots=True)
class EncodeProgress:
    """A progress report of a running encode.

    `percent` rises monotonically, stays below 100 while ffmpeg works and is 100.0 once, in
    the last report, after the output is in place; it is None while the input's duration is
    unknown. `out_seconds` is how much of the output is written, `speed` ffmpeg's multiple of
    real time, `eta_seconds` the estimated time left (None when unknown).
    """

    percent: float | None
    frame: int | None
    fps: float | None
    speed: float | None
    eta_seconds: float | None
    out_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class EncodeResult:
    """A finished encode: the output written, the input's duration and frames written."""

    output: Path
    duration_seconds: float | None
    frames: int | None
    elapsed_seconds: float
    command: tuple[str, ...]


# -- running ------------------------------------------------------------------------------------


async def run_encode(
    spec: EncodeSpec,
    *,
    on_progress: Callable[[EncodeProgress], None],
    ffmpeg_exe: str | None = None,
    on_start: Callable[[int], None] | None = None,
) -> EncodeResult:
    """Run an encode to completion and return where the output is.

    Uses `ffmpeg_exe`, or imageio-ffmpeg's bundled ffmpeg. Checks the input again (frames
    may have changed since parsing) and refuses an existing output unless `spec.overwrite`.
    `on_start(pid)` is called once ffmpeg runs (its own session on POSIX: the pid is also its
    process group). `on_progress` is called from the event loop for each ffmpeg progress
    report and a last time with percent 100 once the output is in place; an exception it
    raises stops the encode and propagates.

    Raises `EncodeError` with ffmpeg's own reason when it fails. When the awaiting task is
    cancelled, ffmpeg's process group is terminated, killed after `TERMINATE_GRACE_S`, and
    waited for before `CancelledError` propagates. Either way no partial output is left.
    """
    started = time.monotonic()
    exe = ffmpeg_exe or _bundled_ffmpeg()
    if spec.output.exists() and not spec.overwrite:
        raise EncodeError(
            f'output: {spec.output} already exists; set "overwrite": true to replace it'
        )
    if is_sequence(spec.input):
        start_number, count = sequence_range(spec.input)
        spec = replace(spec, start_number=start_number)
        duration: float | None = count / spec.sequence_rate
    else:
        check_movie(spec.input)
        duration = await _probe_duration(exe, spec.input)
    try:
        spec.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EncodeError(f"output: cannot create {spec.output.parent}: {exc}") from exc
    partial = spec.output.with_name(f"{spec.output.stem}.partial{spec.output.suffix}")
    command = build_ffmpeg_command(replace(spec, output=partial, overwrite=True), exe)
    reader = _ProgressReader(duration, on_progress)
    try:
        returncode, tail = await _run_ffmpeg(command, reader, on_start)
        if returncode != 0:
            raise EncodeError(
                f"ffmpeg failed (exit code {returncode}): {_reason(tail)}", log_tail=tail
            )
        if not partial.is_file() or partial.stat().st_size == 0:
            raise EncodeError(
                f"ffmpeg reported success but wrote nothing for {spec.output}", log_tail=tail
            )
        try:
            partial.replace(spec.output)
        except OSError as exc:
            raise EncodeError(f"output: cannot write {spec.output}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    done = EncodeProgress(100.0, reader.frame, reader.fps, reader.speed, 0.0, reader.out_seconds)
    on_progress(done)
    return EncodeResult(
        output=spec.output,
        duration_seconds=duration,
        frames=reader.frame,
        elapsed_seconds=time.monotonic() - started,
        command=tuple(command),
    )


def _bundled_ffmpeg() -> str:
    try:
        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise EncodeError(f"no ffmpeg found: {exc}") from exc
    return exe


class _ProgressReader:
    """Turns ffmpeg's `-progress` key=value blocks into `EncodeProgress` reports."""

    def __init__(
        self, duration: float | None, on_progress: Callable[[EncodeProgress], None]
    ) -> None:
        self._duration = duration if duration and duration > 0 else None
        self._on_progress = on_progress
        self._started = time.monotonic()
        self._values: dict[str, str] = {}
        self.percent: float | None = None
        self.frame: int | None = None
        self.fps: float | None = None
        self.speed: float | None = None
        self.out_seconds: float | None = None

    def feed_line(self, line: str) -> None:
        key, sep, value = line.partition("=")
        if not sep:
            return
        key, value = key.strip(), value.strip()
        if key != "progress":
            self._values[key] = value
            return
        self.frame = _int_or_none(self._values.get("frame"))
        self.fps = _float_or_none(self._values.get("fps"))
        self.speed = _float_or_none(self._values.get("speed", "").rstrip("x"))
        # out_time_ms is in microseconds too (a historical ffmpeg quirk); the audio stream
        # can run ahead or report a negative start, hence the clamp and the running maximum.
        micros = _int_or_none(self._values.get("out_time_us"))
        if micros is None:
            micros = _int_or_none(self._values.get("out_time_ms"))
        if micros is not None:
            self.out_seconds = max(self.out_seconds or 0.0, micros / 1e6)
        if self._duration is not None and self.out_seconds is not None:
            # 100 is kept for the moment the output is in place.
            self.percent = min(99.9, 100.0 * self.out_seconds / self._duration)
        self._on_progress(
            EncodeProgress(
                self.percent, self.frame, self.fps, self.speed, self._eta(), self.out_seconds
            )
        )

    def _eta(self) -> float | None:
        if self._duration is None or self.out_seconds is None:
            return None
        remaining = max(0.0, self._duration - self.out_seconds)
        if self.speed:
            return remaining / self.speed
        if self.percent:
            elapsed = time.monotonic() - self._started
            return elapsed * (100.0 - self.percent) / self.percent
        return None


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


async def _spawn(command: Sequence[str], *, stdout: int) -> asyncio.subprocess.Process:
    try:
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=asyncio.subprocess.PIPE,
            **new_session_kwargs(),  # type: ignore[arg-type]
        )
    except OSError as exc:
        raise EncodeError(f"cannot start ffmpeg ({command[0]}): {exc.strerror or exc}") from exc


async def _run_ffmpeg(
    command: Sequence[str], reader: _ProgressReader, on_start: Callable[[int], None] | None
) -> tuple[int, list[str]]:
    proc = await _spawn(command, stdout=asyncio.subprocess.PIPE)
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    try:
        if on_start is not None:
            on_start(proc.pid)
        assert proc.stdout is not None
        assert proc.stderr is not None
        readers = [
            asyncio.ensure_future(_read_lines(proc.stdout, reader.feed_line)),
            asyncio.ensure_future(_read_lines(proc.stderr, tail.append)),
        ]
        try:
            await asyncio.gather(*readers)
        finally:
            for task in readers:
                task.cancel()
        returncode = await proc.wait()
    except BaseException:
        await _stop_process(proc)
        raise
    return returncode, list(tail)


async def _read_lines(stream: asyncio.StreamReader, on_line: Callable[[str], None]) -> None:
    # Chunks rather than readline(): an overlong stderr line must not abort the encode.
    pending = b""
    while chunk := await stream.read(1 << 16):
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            on_line(line.rstrip(b"\r").decode("utf-8", "replace"))
    if pending:
        on_line(pending.rstrip(b"\r").decode("utf-8", "replace"))


async def _stop_process(proc: asyncio.subprocess.Process) -> None:
    """Terminate ffmpeg's process group, kill it after the grace, and wait until it is gone."""
    if proc.returncode is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), TERMINATE_GRACE_S)
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            # Cancelled again while stopping: still never leave ffmpeg running.
            _signal_group(proc, signal.SIGKILL if sys.platform != "win32" else signal.SIGTERM)
            raise
    if sys.platform != "win32":
        _signal_group(proc, signal.SIGKILL)
    elif proc.returncode is None:  # pragma: no cover - Windows only
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    await proc.wait()


def _signal_group(proc: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        return
    # ffmpeg leads its own session, so its pid is the group id; once the group is empty the
    # call fails harmlessly.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


async def _probe_duration(exe: str, path: Path) -> float | None:
    """The movie's duration from its header (`ffmpeg -i`), without decoding it."""
    command = [exe, "-hide_banner", "-nostdin", "-loglevel", "level+info", "-i", str(path)]
    proc = await _spawn(command, stdout=asyncio.subprocess.DEVNULL)
    try:
        _out, err = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_S)
    except TimeoutError:
        await _stop_process(proc)
        raise EncodeError(
            f"input: ffmpeg could not open {path} within {PROBE_TIMEOUT_S:g} s"
        ) from None
    except BaseException:
        await _stop_process(proc)
        raise
    text = err.decode("utf-8", "replace")
    if "Input #0" not in text:
        raise EncodeError(
            f"input: ffmpeg cannot read {path.name}: {_reason(text.splitlines())}",
            log_tail=text.splitlines()[-STDERR_TAIL_LINES:],
        )
    match = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    if match is None:
        return None  # e.g. "Duration: N/A": progress then shows no percent
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


# Follow-on errors ffmpeg prints after the real cause.
_CASCADE = re.compile(
    r"Task finished with error code|Terminating thread with return code|"
    r"Error opening (?:output|input) file |Error sending frames to consumers|"
    r"Could not open encoder before EOF|Nothing was written into output file|"
    r"Conversion failed|Error while filtering|At least one output file must be specified"
)
_LEVEL = re.compile(r"\[(?:error|fatal|panic)\] (.*)")


def _reason(lines: Sequence[str]) -> str:
    """ffmpeg's cause of failure from its stderr lines: the first distinct error messages."""
    errors: list[str] = []
    for line in lines:
        match = _LEVEL.search(line)
        if match and match.group(1).strip() not in errors:
            errors.append(match.group(1).strip())
    causes = [error for error in errors if not _CASCADE.search(error)] or errors
    if causes:
        return "; ".join(causes[:3])
    meaningful = [line.strip() for line in lines if line.strip()]
    return "; ".join(meaningful[-3:]) or "no error message"
