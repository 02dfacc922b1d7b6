#!/usr/bin/env python3
"""A fake ``aerender`` for engine tests: real process, real aerender-shaped output, no AE.

Run it as ``python tests/fake_aerender.py -project P -comp C -output O [...]``. It takes
aerender's flags (-project, -comp, -rqindex, -output, -OMtemplate, -RStemplate, -s, -e, -i,
-mem_usage A B, -mfr ON|OFF [percent], -mp, -reuse, -continueOnMissingFootage,
-close [DO_NOT_SAVE_CHANGES|SAVE_CHANGES|DO_NOT_CLOSE], -sound ON|OFF, -v LEVEL, -log FILE,
-version) plus nexrender's ``-r script.jsx`` (a patched aerender's), case-insensitively. It
prints a console-shape log for frames ``-s``..``-e`` of a 50-frame 25 fps comp, writes the
output file and exits 0. Every line is flushed as it is printed.

- ``-output`` is written after the last frame (a few bytes); a path containing ``[###]``
  gets one file per frame, the frame number zero-padded to the count of ``#``. The folder
  must exist, as for After Effects: otherwise an ``aerender ERROR`` line and exit 1.
- ``-log FILE`` sends the log to FILE (appended) instead of stdout.
- ``-v ERRORS`` prints only errors.
- ``-version`` prints ``aerender version ...`` and exits 0.
- A missing or nonexistent ``-project`` file, an unknown flag or a flag without its value:
  an ``aerender ERROR`` line and exit 1 (the wording is modelled, not copied from AE).

Environment variables:

FAKE_AERENDER_MODE
    ``ok`` (default) - render and exit 0.
    ``error-no-comp`` - print ``aerender ERROR: No comp was found with the given name.``
    and exit 1 without rendering.
    ``hang`` - print FAKE_AERENDER_FAIL_AFTER frames, then sleep without output.
    ``crash`` - print FAKE_AERENDER_FAIL_AFTER frames, then die of SIGSEGV (return code
    -11 from subprocess, 139 in a shell; exit code 139 where there are no signals).
    ``no-output`` - render and exit 0 but write no output file.
    ``child`` - first start a child process (a stand-in for ``aerendercore``) that keeps
    running and inherits stdout/stderr, holding them open; then render and exit 0. The
    child stays in this process's process group.
    ``no-exit`` - render, print ``Finished composition`` and the total time, never exit.
    ``replay`` - copy the file FAKE_AERENDER_REPLAY to the log line by line, bytes
    verbatim, with the frame delay between lines; write the output only if the exit code
    is 0; exit with FAKE_AERENDER_EXIT. Needs no project file.
FAKE_AERENDER_FRAME_DELAY
    Seconds spent on each frame (and between replayed lines). Default 0.01.
FAKE_AERENDER_FAIL_AFTER
    Frames printed before ``hang`` or ``crash`` strike. Default 3.
FAKE_AERENDER_CHILD_PID_FILE
    ``child`` mode writes the child's pid there (atomically: the file appears complete).
FAKE_AERENDER_REPLAY
    The log file ``replay`` mode plays back.
FAKE_AERENDER_EXIT
    Exit code of ``replay`` mode. Default 0.
FAKE_AERENDER_COMP_FRAMES, FAKE_AERENDER_FPS
    Length in frames (default 50) and integer frame rate (default 25) of the fake comp.
FAKE_AERENDER_OUTPUT_FROM
    A real media file whose bytes become the (single-file) output, so that postrender
    actions such as encoding get a movie they can read.
FAKE_AERENDER_COMPS
    Comma-separated names of the project's compositions; rendering any other ``-comp``
    behaves as ``error-no-comp``. Unset: every name exists.
FAKE_AERENDER_MOVIE_GROWS
    ``1`` creates a single-file ``-output`` before the first frame and finishes it after
    the last, as After Effects writes a movie: a render stopped midway leaves a partial one.
FAKE_AERENDER_STOCK
    ``1`` is a stock aerender: ``-r`` is an unknown flag (an ``aerender ERROR`` line, exit 1).
FAKE_AERENDER_RECEIVED
    A file the fake appends the ``-project`` path it was given to, one line per run.
FAKE_AERENDER_CRLF
    ``1`` ends lines with CRLF, as a Windows console does. Default LF.
FAKE_AERENDER_MAX_LIFETIME
    Seconds after which ``hang``, ``no-exit`` and the ``child`` exit anyway, so a test that
    forgets to clean up leaves nothing running for long. Default 600.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

VERSION = "24.2.1x2"
MODES = ("ok", "error-no-comp", "hang", "crash", "no-output", "child", "no-exit", "replay")
_CLOSE_VALUES = {"DO_NOT_SAVE_CHANGES", "SAVE_CHANGES", "DO_NOT_CLOSE"}
_SEQUENCE = re.compile(r"\[(#+)\]")


class UsageError(Exception):
    """A command line aerender would refuse."""


@dataclass
class Args:
    """The flags the fake looks at (the others are accepted and ignored)."""

    project: str | None = None
    comp: str | None = None
    output: str | None = None
    om_template: str | None = None
    rs_template: str | None = None
    start: int | None = None
    end: int | None = None
    increment: int = 1
    log: str | None = None
    verbosity: str = "ERRORS_AND_PROGRESS"
    script: str | None = None
    version: bool = False


def _int(flag: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{flag} needs a whole number, not {value!r}") from None


def _on_off(flag: str, value: str) -> str:
    if value.upper() not in ("ON", "OFF"):
        raise UsageError(f"{flag} takes ON or OFF, not {value!r}")
    return value


# Flags with one value: the Args field they set (None: checked, then ignored) and a converter.
_VALUED: dict[str, tuple[str | None, Callable[[str, str], object]]] = {
    "-project": ("project", lambda _f, v: v),
    "-comp": ("comp", lambda _f, v: v),
    "-output": ("output", lambda _f, v: v),
    "-omtemplate": ("om_template", lambda _f, v: v),
    "-rstemplate": ("rs_template", lambda _f, v: v),
    "-s": ("start", _int),
    "-e": ("end", _int),
    "-i": ("increment", lambda f, v: max(_int(f, v), 1)),
    "-log": ("log", lambda _f, v: v),
    "-v": ("verbosity", lambda _f, v: v.upper()),
    "-r": ("script", lambda _f, v: v),  # only a patched aerender (nexrender's) knows -r
    "-rqindex": (None, _int),
    "-sound": (None, _on_off),
    "-mfr": (None, _on_off),
}
_SWITCHES = {"-reuse", "-continueonmissingfootage", "-mp", "-close", "-version"}


def parse_args(argv: list[str]) -> Args:
    """aerender's command line; raises UsageError for what aerender would reject."""
    args = Args()
    rest = list(argv)
    while rest:
        token = rest.pop(0)
        flag = token.lower()
        if flag in _VALUED:
            if not rest:
                raise UsageError(f"the flag {token} needs a value")
            name, convert = _VALUED[flag]
            converted = convert(token, rest.pop(0))
            if name is not None:
                setattr(args, name, converted)
            if flag == "-mfr" and rest and rest[0].isdigit():
                rest.pop(0)  # the optional maximum CPU percentage
        elif flag == "-mem_usage":
            if len(rest) < 2:
                raise UsageError("-mem_usage needs two values")
            _int(token, rest.pop(0))
            _int(token, rest.pop(0))
        elif flag in _SWITCHES:
            args.version = args.version or flag == "-version"
            if flag == "-close" and rest and rest[0].upper() in _CLOSE_VALUES:
                rest.pop(0)
        else:
            raise UsageError(f"unknown flag {token!r}")
    return args


class Log:
    """Prints lines to stdout or the -log file, flushing each one at once."""

    def __init__(self, stream: BinaryIO, *, crlf: bool, errors_only: bool) -> None:
        self._stream = stream
        self._eol = b"\r\n" if crlf else b"\n"
        self._errors_only = errors_only

    def raw(self, data: bytes) -> None:
        self._stream.write(data)
        self._stream.flush()

    def line(self, text: str, *, progress: bool = True) -> None:
        if progress and self._errors_only:
            return
        self.raw(text.encode("utf-8") + self._eol)

    def error(self, message: str) -> None:
        self.line(f"aerender ERROR: {message}", progress=False)


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def timecode(frame: int, fps: int) -> str:
    """aerender's non-drop H:MM:SS:FF."""
    seconds, frames = divmod(frame, fps)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    return f"{hours}:{mins:02d}:{secs:02d}:{frames:02d}"


def _stamp() -> str:
    # US console style, as in the AE CC 2017 log: 5/7/2018 6:22:38 PM
    now = dt.datetime.now()
    return f"{now.month}/{now.day}/{now.year} {now.hour % 12 or 12}:{now:%M:%S %p}"


def _write_output(log: Log, output: str | None, frame: int | None) -> bool:
    """Write the output (one frame of a sequence when frame is given); False after an error."""
    if output is None:
        return True
    path = frame_path(output, frame) if frame is not None else Path(output)
    try:
        # Never creates folders: a missing output folder fails the render, as in AE.
        source = os.environ.get("FAKE_AERENDER_OUTPUT_FROM")
        if source and frame is None:
            path.write_bytes(Path(source).read_bytes())
        else:
            path.write_bytes(b"FAKE" if frame is None else f"FAKE FRAME {frame}".encode())
    except OSError as exc:
        log.error(f"Unable to write the output file {path}: {exc.strerror or exc}")
        return False
    return True


def frame_path(output: str, frame: int) -> Path:
    """The file an image-sequence pattern names for one frame (the pattern itself if none)."""
    return Path(_SEQUENCE.sub(lambda m: f"{frame:0{len(m.group(1))}d}", output))


def _sleep_until_lifetime_ends() -> None:
    deadline = time.monotonic() + _env_float("FAKE_AERENDER_MAX_LIFETIME", 600.0)
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))


def _crash() -> None:
    sys.stdout.flush()
    if hasattr(signal, "SIGSEGV") and os.name == "posix":
        # Python may have installed a handler (faulthandler); die the way AE would.
        signal.signal(signal.SIGSEGV, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGSEGV)
    os._exit(139)


def _start_child() -> None:
    lifetime = _env_float("FAKE_AERENDER_MAX_LIFETIME", 600.0)
    code = f"import time\ntime.sleep({lifetime!r})\n"
    # Inherits stdout and stderr (holding them open) and the process group, as aerendercore
    # does; it is deliberately never waited for.
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL)
    pid_file = os.environ.get("FAKE_AERENDER_CHILD_PID_FILE")
    if pid_file:
        tmp = Path(pid_file + ".tmp")
        tmp.write_text(str(child.pid), encoding="ascii")
        tmp.replace(pid_file)


def render(args: Args, log: Log, mode: str) -> int:
    """Print a render of args' frame range; return the exit code."""
    fps = max(_env_int("FAKE_AERENDER_FPS", 25), 1)
    comp_frames = max(_env_int("FAKE_AERENDER_COMP_FRAMES", 50), 1)
    delay = _env_float("FAKE_AERENDER_FRAME_DELAY", 0.01)
    fail_after = _env_int("FAKE_AERENDER_FAIL_AFTER", 3)
    comp = args.comp or "Comp 1"
    first = args.start if args.start is not None else 0
    last = args.end if args.end is not None else comp_frames - 1
    if last < first:
        log.error("The end frame is before the start frame.")
        return 1
    if args.script:
        log.line(f"Running Script: {args.script}", progress=False)
    log.line("PROGRESS: Adding specified comp to Render Queue")
    if mode == "error-no-comp":
        log.error("No comp was found with the given name.")
        return 1
    started = time.monotonic()
    log.line(f'PROGRESS:  {_stamp()}: Starting composition "{comp}".')
    log.line("PROGRESS:  ")
    log.line(f"PROGRESS:  Render Settings: {args.rs_template or 'Best Settings'}")
    log.line("PROGRESS:      Quality: Best")
    log.line("PROGRESS:      Resolution: Full")
    log.line(f"PROGRESS:      Frame Rate: {fps:.2f} (comp)")
    log.line(f"PROGRESS:  Output Module: {args.om_template or 'Lossless'}")
    if args.output:
        log.line(f"PROGRESS:      Output To: {args.output}")
    log.line("PROGRESS:  ")
    log.line(f"PROGRESS:  Start: {timecode(first, fps)}")
    log.line(f"PROGRESS:  End: {timecode(last, fps)}")
    log.line(f"PROGRESS:  Duration: {timecode(last - first + 1, fps)}")
    log.line(f"PROGRESS:  Frame Rate: {fps:.2f} (comp)")
    sequence = args.output is not None and _SEQUENCE.search(args.output) is not None
    write = args.output is not None and mode != "no-output"
    if write and not sequence and os.environ.get("FAKE_AERENDER_MOVIE_GROWS") == "1":
        Path(str(args.output)).write_bytes(b"FAKE PARTIAL MOVIE")
    for count, frame in enumerate(range(first, last + 1, args.increment), start=1):
        if mode in ("hang", "crash") and count > fail_after:
            if mode == "crash":
                _crash()
            _sleep_until_lifetime_ends()
            return 0
        time.sleep(delay)
        if write and sequence and not _write_output(log, args.output, frame):
            return 1
        log.line(f"PROGRESS:  {timecode(frame, fps)} ({count}): {round(delay)} Seconds")
    if write and not sequence and not _write_output(log, args.output, None):
        return 1
    elapsed = round(time.monotonic() - started)
    log.line(f'PROGRESS:  {_stamp()}: Finished composition "{comp}".')
    log.line("PROGRESS:  ")
    log.line(f"PROGRESS:  Total Time Elapsed: {elapsed} Seconds")
    if mode == "no-exit":
        _sleep_until_lifetime_ends()
    return 0


def replay(args: Args, log: Log) -> int:
    """Play back a recorded log byte for byte; return FAKE_AERENDER_EXIT."""
    source = os.environ.get("FAKE_AERENDER_REPLAY")
    if not source:
        log.error("FAKE_AERENDER_REPLAY names no log to replay.")
        return 1
    delay = _env_float("FAKE_AERENDER_FRAME_DELAY", 0.01)
    exit_code = _env_int("FAKE_AERENDER_EXIT", 0)
    for line in Path(source).read_bytes().splitlines(keepends=True):
        log.raw(line)
        time.sleep(delay)
    if exit_code == 0 and args.output and not _write_output(log, args.output, args.start or 0):
        return 1
    return exit_code


def run(argv: list[str], stdout: BinaryIO) -> int:
    """The fake's main program; returns the exit code."""
    crlf = os.environ.get("FAKE_AERENDER_CRLF") == "1"
    mode = os.environ.get("FAKE_AERENDER_MODE", "ok")
    console = Log(stdout, crlf=crlf, errors_only=False)
    try:
        args = parse_args(argv)
    except UsageError as exc:
        console.error(str(exc))
        console.line("Usage: aerender -project P -comp C -output O [...]", progress=False)
        return 1
    if mode not in MODES:
        console.error(f"FAKE_AERENDER_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        return 1
    if args.version:
        console.line(f"aerender version {VERSION}", progress=False)
        return 0
    if args.script is not None and os.environ.get("FAKE_AERENDER_STOCK") == "1":
        console.error("Unknown flag -r: this aerender runs no scripts (it is not patched).")
        return 1
    received = os.environ.get("FAKE_AERENDER_RECEIVED")
    if received and args.project is not None:
        with Path(received).open("a", encoding="utf-8") as fh:
            fh.write(args.project + "\n")
    log_file = Path(args.log).open("ab") if args.log else None  # noqa: SIM115 - open for life
    log = Log(log_file or stdout, crlf=crlf, errors_only=args.verbosity == "ERRORS")
    if mode == "replay":
        return replay(args, log)
    log.line(f"aerender version {VERSION}", progress=False)
    if args.project is None:
        log.error("No project was specified: use -project.")
        return 1
    if not Path(args.project).is_file():
        log.error(f"The project file could not be found: {args.project}")
        return 1
    log.line("PROGRESS: Launching After Effects...")
    log.line("PROGRESS: ...After Effects successfully launched")
    comps = os.environ.get("FAKE_AERENDER_COMPS")
    if comps and args.comp not in comps.split(","):
        mode = "error-no-comp"
    if mode == "child":
        _start_child()
    return render(args, log, mode)


def main() -> None:
    """Entry point: exit with what run returns."""
    sys.exit(run(sys.argv[1:], sys.stdout.buffer))


if __name__ == "__main__":
    main()
