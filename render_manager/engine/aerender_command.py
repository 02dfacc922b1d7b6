"""The aerender command line for a staged job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class AerenderArgs:
    """Everything aerender is told about one render."""

    project: Path
    composition: str
    output: Path
    output_module: str | None = None
    settings_template: str | None = None
    frame_start: int | None = None
    frame_end: int | None = None
    frame_increment: int | None = None
    continue_on_missing: bool = False
    multi_frame: bool | None = None
    multi_frame_percent: int | None = None
    mem_usage: tuple[int, int] | None = None
    sound: bool | None = None
    script: Path | None = None
    extra_args: Sequence[str] = ()


def build_aerender_command(aerender: Path, args: AerenderArgs) -> list[str]:
    """aerender's argument list (never a shell string): errors and progress verbosity."""
    cmd = [
        str(aerender),
        "-project", str(args.project),
        "-comp", args.composition,
        "-output", str(args.output),
    ]  # fmt: skip
    if args.output_module:
        cmd += ["-OMtemplate", args.output_module]
    if args.settings_template:
        cmd += ["-RStemplate", args.settings_template]
    if args.frame_start is not None:
        cmd += ["-s", str(args.frame_start)]
    if args.frame_end is not None:
        cmd += ["-e", str(args.frame_end)]
    if args.frame_increment is not None and args.frame_increment != 1:
        cmd += ["-i", str(args.frame_increment)]
    if args.multi_frame is not None:
        cmd += ["-mfr", "ON" if args.multi_frame else "OFF"]
        if args.multi_frame and args.multi_frame_percent is not None:
            cmd.append(str(args.multi_frame_percent))
    if args.mem_usage is not None:
        cmd += ["-mem_usage", str(args.mem_usage[0]), str(args.mem_usage[1])]
    if args.continue_on_missing:
        cmd.append("-continueOnMissingFootage")
    if args.sound is not None:
        cmd += ["-sound", "ON" if args.sound else "OFF"]
    if args.script is not None:
        # Only understood by an aerender whose commandLineRenderer.jsx was patched (with
        # the user's consent) to run a script before rendering.
        cmd += ["-r", str(args.script)]
    cmd += ["-v", "ERRORS_AND_PROGRESS", *args.extra_args]
    return cmd
