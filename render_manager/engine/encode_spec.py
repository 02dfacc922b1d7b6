"""An encode described: `EncodeSpec`, parsing it from an encode action, and ffmpeg's command.

No process runs here; parsing only looks at the input on disk (a movie must exist, a
sequence must have its frames without a gap). `encode` runs the command and reads ffmpeg.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from render_manager.engine.outputs import is_sequence, sequence_frames
from render_manager.engine.staging import local_path

PRESETS = ("gif", "h264", "mp4", "prores")
"""Preset names `EncodeSpec.preset` accepts (`h264` is another name for `mp4`)."""

DEFAULT_FRAMERATE = 25.0
GIF_FPS = 15.0
GIF_MAX_WIDTH = 480

_PRESET_ARGS: dict[str, tuple[str, ...]] = {
    "mp4": (
        "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "192k",
        # The index goes first so players can start before the whole file has downloaded.
        "-movflags", "+faststart",
    ),
    "prores": (
        "-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0", "-pix_fmt", "yuv422p10le",
        "-c:a", "pcm_s16le",
    ),
    "gif": ("-an", "-loop", "0"),
}  # fmt: skip
_PRESET_ARGS["h264"] = _PRESET_ARGS["mp4"]

_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": (".mp4", ".m4v", ".mov", ".mkv"),
    "h264": (".mp4", ".m4v", ".mov", ".mkv"),
    "prores": (".mov",),
    "gif": (".gif",),
}

# Params that would take control away from the engine, and why.
FORBIDDEN_PARAMS: Mapping[str, str] = {
    "-i": "the encode has exactly one input, given as `input`",
    "-y": "overwriting is decided by `overwrite`",
    "-n": "overwriting is decided by `overwrite`",
    "-progress": "the engine reads ffmpeg's progress itself",
    "-loglevel": "the engine needs ffmpeg's error lines to report why an encode failed",
    "-v": "the engine needs ffmpeg's error lines to report why an encode failed",
}
# ffmpeg options that take no value, so the token after them must be another option.
_FLAG_OPTIONS = frozenset({
    "an", "vn", "sn", "dn", "shortest", "copyts", "start_at_zero", "stats", "nostats",
    "hide_banner", "nostdin", "stdin", "benchmark", "benchmark_all", "dump", "hex", "xerror",
    "ignore_unknown", "copy_unknown", "bitexact", "accurate_seek", "noaccurate_seek",
    "autorotate", "noautorotate", "autoscale", "noautoscale", "fix_sub_duration", "debug_ts",
    "psnr", "vstats", "report",
})  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SEQUENCE = re.compile(r"\[(#+)\]")
_KNOWN_KEYS = ("input", "output", "preset", "params", "fps", "framerate", "width", "overwrite")
# Keys of a job file or a nexrender action that describe the job, not the encode.
_IGNORED_KEYS = frozenset({"type", "name", "module"})


class EncodeError(Exception):
    """An encode cannot be set up or ffmpeg failed; the message is the reason for the user.

    `log_tail` holds ffmpeg's last stderr lines when ffmpeg ran.
    """

    def __init__(self, message: str, *, log_tail: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.log_tail = tuple(log_tail)


@dataclass(frozen=True, slots=True)
class EncodeSpec:
    """One encode, validated on construction (`EncodeError` names the faulty field).

    - `input`: a movie file, or an image-sequence pattern such as `/x/result_[#####].png`
      (the count of `#` is the zero padding).
    - `output`: the file to write; its extension must suit the preset.
    - `preset`: one of `PRESETS`, or None to rely on `params` alone (ffmpeg then picks the
      codecs from the output's extension).
    - `params`: ffmpeg output options placed after the preset's, so they override them
      (ffmpeg keeps the last value of a repeated option). See `check_params` for the limits.
    - `fps`: the output frame rate; None keeps the input's (the `gif` preset defaults to 15).
    - `width`: scale to this width keeping the aspect ratio; None keeps the size (the `gif`
      preset caps it at 480). Must be even except for GIFs: H.264 and ProRes need it.
    - `framerate`: the rate an image sequence's frames play at; None means `fps`, else 25.
    - `overwrite`: replace an existing output; otherwise an existing output is an error.
    - `start_number`: a sequence's first frame number. `parse_encode_action` and
      `run_encode` read it from disk; None lets ffmpeg search frames 0-4.
    """

    input: Path
    output: Path
    preset: str | None = None
    params: tuple[str, ...] = ()
    fps: float | None = None
    width: int | None = None
    framerate: float | None = None
    overwrite: bool = False
    start_number: int | None = None

    def __post_init__(self) -> None:
        if self.preset is not None:
            _check_preset(self.preset)
        if self.preset is None and not self.params:
            raise EncodeError("preset: give a preset or params (or both)")
        check_params(self.params)
        for name, rate in (("fps", self.fps), ("framerate", self.framerate)):
            if rate is not None and not 0 < rate <= 1000:
                raise EncodeError(f"{name}: {rate:g} is not a frame rate between 0 and 1000")
        if self.width is not None:
            if not 2 <= self.width <= 16384:
                raise EncodeError(f"width: {self.width} is not between 2 and 16384 pixels")
            if self.width % 2 and self.preset != "gif":
                raise EncodeError(f"width: {self.width} is odd; H.264 and ProRes need even sizes")
        if self.preset is not None:
            allowed = _EXTENSIONS[self.preset]
            if self.output.suffix.lower() not in allowed:
                raise EncodeError(
                    f"output: the {self.preset} preset writes {' or '.join(allowed)} files, "
                    f"not {self.output.name!r}"
                )
        if self.output == self.input:
            raise EncodeError("output: is the same file as the input")

    @property
    def sequence_rate(self) -> float:
        """The rate an image-sequence input plays at: `framerate`, else `fps`, else 25."""
        return self.framerate or self.fps or DEFAULT_FRAMERATE

    def to_options(self) -> dict[str, object]:
        """The spec as encode-action options with absolute paths (JSON-ready).

        `parse_encode_action(spec.to_options(), any_dir)` gives the spec back, so a job can be
        validated where it was written and stored for the engine to run elsewhere.
        """
        options: dict[str, object] = {"input": str(self.input), "output": str(self.output)}
        optional = {
            "preset": self.preset,
            "fps": self.fps,
            "width": self.width,
            "framerate": self.framerate,
        }
        options.update({key: value for key, value in optional.items() if value is not None})
        if self.params:
            options["params"] = list(self.params)
        if self.overwrite:
            options["overwrite"] = True
        return options


# -- parsing ----------------------------------------------------------------------------------


def _check_preset(preset: str) -> None:
    if preset not in PRESETS:
        raise EncodeError(
            f"preset: unknown preset {preset!r}; use one of {', '.join(PRESETS)} (or give params)"
        )


def check_params(params: Sequence[str]) -> None:
    """Reject explicit ffmpeg params the engine cannot allow.

    Params are output options only. `-i` (another input), `-y`/`-n` (overwriting is
    `overwrite`), `-progress` and `-loglevel`/`-v` (the engine reads progress and errors
    itself) are refused, and so is a bare word in place of an option, which ffmpeg would take
    as a second output file. This catches mistakes; it is no sandbox: ffmpeg has options that
    read or write other files, and params come from the user's own jobs.
    """
    index = 0
    while index < len(params):
        token = params[index]
        if not _is_option(token):
            raise EncodeError(
                f"params: {token!r} is not an option; params hold options and their values "
                "only (a bare word would be another output file)"
            )
        name = token.split(":", 1)[0]
        if name in FORBIDDEN_PARAMS:
            raise EncodeError(f"params: {name} is not allowed: {FORBIDDEN_PARAMS[name]}")
        index += 1
        takes_value = name[1:] not in _FLAG_OPTIONS
        if takes_value and index < len(params) and not _is_option(params[index]):
            index += 1


def _is_option(token: str) -> bool:
    return len(token) > 1 and token.startswith("-") and not _NUMBER.fullmatch(token)


def parse_encode_action(options: Mapping[str, object], work_dir: Path) -> EncodeSpec:
    """An `EncodeSpec` from an encode action or an encode job's JSON.

    Keys: `input` (required), `output` (default: the input's name with the preset's
    extension, in `work_dir`), `preset`, `params` (a list of strings, or nexrender's
    `{"-option": value}` object; a null or true value is a bare flag), `fps`, `framerate`,
    `width`, `overwrite`. `type`, `name` and `module` are ignored; any other key is an error.
    Relative paths (and file:// URLs) are resolved against `work_dir`, the job's work
    folder. The input must exist: a movie file, or an image sequence with at least one frame
    and no gap. Raises `EncodeError` starting with the faulty field's name.
    """
    unknown = sorted(set(options) - set(_KNOWN_KEYS) - _IGNORED_KEYS)
    if unknown:
        raise EncodeError(f"{unknown[0]}: unknown option (known: {', '.join(_KNOWN_KEYS)})")
    preset = _string(options, "preset")
    raw_input = _string(options, "input")
    if raw_input is None:
        raise EncodeError("input: missing; give a movie file or a pattern like result_[#####].png")
    source = _resolve("input", raw_input, work_dir)
    framerate = _number(options, "framerate")
    start_number = None
    if is_sequence(source):
        start_number, _count = sequence_range(source)
    else:
        check_movie(source)
        if framerate is not None:
            raise EncodeError(
                "framerate: applies to image sequences only; use fps to change a movie's rate"
            )
    raw_output = _string(options, "output")
    if raw_output is not None:
        output = _resolve("output", raw_output, work_dir)
    elif preset is None:
        raise EncodeError("output: missing; it is required when no preset is given")
    else:
        _check_preset(preset)
        output = _default_output(source, work_dir, _EXTENSIONS[preset][0])
    width = _number(options, "width")
    if width is not None and width != int(width):
        raise EncodeError(f"width: must be a whole number of pixels, got {width:g}")
    overwrite = options.get("overwrite", False)
    if not isinstance(overwrite, bool):
        raise EncodeError(f"overwrite: must be true or false, got {overwrite!r}")
    return EncodeSpec(
        input=source,
        output=output,
        preset=preset,
        params=_params(options.get("params")),
        fps=_number(options, "fps"),
        width=None if width is None else int(width),
        framerate=framerate,
        overwrite=overwrite,
        start_number=start_number,
    )


def _string(options: Mapping[str, object], key: str) -> str | None:
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EncodeError(f"{key}: must be a non-empty string, got {value!r}")
    return value.strip()


def _number(options: Mapping[str, object], key: str) -> float | None:
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EncodeError(f"{key}: must be a number, got {value!r}")
    if not value > 0:
        raise EncodeError(f"{key}: must be above 0, got {value!r}")
    return float(value)


def _params(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        # nexrender's form: {"-vcodec": "libx264", "-r": 25}; a null or true value is a flag.
        args: list[str] = []
        for key, item in value.items():
            if not isinstance(key, str) or not key.startswith("-"):
                raise EncodeError(f"params: option names start with '-', got {key!r}")
            args.append(key)
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                args.append(str(item))
            elif item is not None and item is not True:
                raise EncodeError(f"params: {key} needs a string or number, got {item!r}")
        return tuple(args)
    if isinstance(value, list | tuple):
        if not all(isinstance(item, str | int | float) for item in value):
            raise EncodeError("params: must be a list of strings (or numbers)")
        return tuple(str(item) for item in value)
    raise EncodeError(f"params: must be a list of ffmpeg arguments, got {value!r}")


def _resolve(key: str, raw: str, work_dir: Path) -> Path:
    path = local_path(raw)
    if path is None:
        raise EncodeError(f"{key}: {raw} is a URL; encodes read and write local files only")
    return path if path.is_absolute() else work_dir / path


def _default_output(source: Path, work_dir: Path, extension: str) -> Path:
    match = _SEQUENCE.search(source.name)
    stem = source.name[: match.start()].rstrip("_-. ") if match else source.stem
    output = work_dir / f"{stem or 'output'}{extension}"
    return output.with_name(f"{output.stem}-encoded{extension}") if output == source else output


def check_movie(path: Path) -> None:
    """Raise `EncodeError` unless `path` is an existing, non-empty file (a movie input)."""
    if path.is_dir():
        raise EncodeError(
            f"input: {path} is a folder; give a movie file or a pattern like result_[#####].png"
        )
    if not path.exists():
        hint = ""
        if re.search(r"%0?\d*d", path.name):
            hint = "; write image sequences as result_[#####].png"
        raise EncodeError(f"input: {path} does not exist{hint}")
    if path.stat().st_size == 0:
        raise EncodeError(f"input: {path} is empty (0 bytes)")


def sequence_range(pattern: Path) -> tuple[int, int]:
    """First frame number and frame count of a gap-free image sequence."""
    match = _SEQUENCE.search(pattern.name)
    if match is None:  # pragma: no cover - callers check is_sequence first
        raise EncodeError(f"input: {pattern.name} is not a sequence pattern")
    digits = len(match.group(1))
    head, tail = pattern.name[: match.start()], pattern.name[match.end() :]
    numbers = []
    for frame in sequence_frames(pattern):
        number = int(frame.name[len(head) : len(frame.name) - len(tail)])
        # ffmpeg reads each number printed with exactly this padding, nothing else.
        if frame.name == f"{head}{number:0{digits}d}{tail}":
            numbers.append(number)
    numbers.sort()
    if not numbers:
        raise EncodeError(f"input: no frames of {pattern.name} in {pattern.parent}")
    first, last = numbers[0], numbers[-1]
    if last - first + 1 != len(numbers):
        present = set(numbers)
        missing = next(n for n in range(first, last) if n not in present)
        raise EncodeError(
            f"input: frame {head}{missing:0{digits}d}{tail} is missing from the sequence "
            f"({len(numbers)} frames between {first} and {last}); ffmpeg would stop there"
        )
    return first, len(numbers)


# -- the command ------------------------------------------------------------------------------


def build_ffmpeg_command(spec: EncodeSpec, ffmpeg_exe: str) -> list[str]:
    """ffmpeg's argument list for a spec (never a shell string); touches no file.

    Always quiet and machine-readable (`-hide_banner -nostdin -loglevel level+warning
    -progress pipe:1 -nostats`), with `-y` only when `spec.overwrite`; then the input, the
    preset's options, the video filters (fps, scaling, GIF palette), `spec.params` and the
    output.
    """
    command = [
        ffmpeg_exe, "-hide_banner", "-nostdin",
        # level+ tags every line [warning]/[error]/[fatal], which is how failures are found.
        "-loglevel", "level+warning",
        "-progress", "pipe:1", "-nostats",
    ]  # fmt: skip
    if spec.overwrite:
        command.append("-y")
    if is_sequence(spec.input):
        command += ["-framerate", _num(spec.sequence_rate)]
        if spec.start_number is not None:
            command += ["-start_number", str(spec.start_number)]
        command += ["-i", _ffmpeg_pattern(spec.input)]
    else:
        command += ["-i", str(spec.input)]
    if spec.preset is not None:
        command += _PRESET_ARGS[spec.preset]
    video_filter = _video_filter(spec)
    if video_filter:
        command += ["-vf", video_filter]
    command += [*spec.params, str(spec.output)]
    return command


def _video_filter(spec: EncodeSpec) -> str:
    sequence = is_sequence(spec.input)
    fps = spec.fps
    if fps is None and spec.preset == "gif":
        fps = min(GIF_FPS, spec.sequence_rate) if sequence else GIF_FPS
    filters = []
    if fps is not None and not (sequence and fps == spec.sequence_rate):
        filters.append(f"fps={_num(fps)}")
    if spec.preset == "gif":
        width = str(spec.width) if spec.width else f"'min({GIF_MAX_WIDTH},iw)'"
        filters.append(f"scale={width}:-1:flags=lanczos")
        # One graph, two passes over the frames: an optimal palette, then the dithered GIF.
        return ",".join(filters) + ",split[a][b];[a]palettegen[p];[b][p]paletteuse"
    if spec.width is not None:
        filters.append(f"scale={spec.width}:-2")
    elif spec.preset in ("mp4", "h264"):
        # After Effects comps can have odd sizes; yuv420p H.264 needs even ones.
        filters.append("scale=trunc(iw/2)*2:trunc(ih/2)*2")
    return ",".join(filters)


def _ffmpeg_pattern(pattern: Path) -> str:
    match = _SEQUENCE.search(pattern.name)
    assert match is not None, "is_sequence was checked by the caller"
    # ffmpeg reads % in the whole path as a pattern, so literal ones are doubled.
    head = str(pattern.parent / pattern.name[: match.start()]).replace("%", "%%")
    tail = pattern.name[match.end() :].replace("%", "%%")
    return f"{head}%0{len(match.group(1))}d{tail}"


def _num(value: float) -> str:
    return f"{value:g}"
