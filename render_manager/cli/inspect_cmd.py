"""`renderctl inspect PROJECT.aep [--json]`: what an After Effects project holds.

Read without After Effects (render_manager.projects). A file that is not a readable
.aep is bad input: exit 2 and one line on stderr naming the file and what is wrong.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import TextIO

from render_manager.cli.errors import EXIT_OK, BadInput
from render_manager.cli.formatting import print_table
from render_manager.projects import (
    Composition,
    LayerType,
    ProjectInfo,
    ProjectUnreadable,
    RenderQueueItem,
    read_project,
)
from render_manager.projects.json_view import project_json
from render_manager.services.context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the inspect command."""
    inspect = commands.add_parser(
        "inspect",
        help="show what an After Effects project (.aep) holds",
        description=(
            "Read an .aep without After Effects (CC 2014 and newer) and show its "
            "compositions (size, frame rate, duration, work area, layers), its render "
            "queue, its footage and the fonts its text uses. With --json: ae_version, "
            "compositions[].layers[] (index from 1, type: text, footage, solid, precomp, "
            "shape, null, camera, light or other), render_queue[] (frames start and end "
            "inclusive), footage[] (missing: not found on this machine) and fonts[]."
        ),
    )
    inspect.add_argument("project", metavar="PROJECT.aep", type=Path, help="the project file")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(handler=_inspect)


def _inspect(_ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    try:
        info = read_project(args.project)
    except ProjectUnreadable as exc:
        raise BadInput(str(exc)) from exc
    if args.json:
        json.dump(project_json(info), out, indent=2)
        out.write("\n")
    else:
        _print_text(args.project, info, out)
    return EXIT_OK


def _print_text(path: Path, info: ProjectInfo, out: TextIO) -> None:
    print(f"{path.name}: After Effects {info.ae_version}", file=out)
    print(f"\nCompositions ({len(info.compositions)})", file=out)
    if info.compositions:
        print_table(_composition_rows(info.compositions), out)
    print(f"\nRender queue ({len(info.render_queue)})", file=out)
    if info.render_queue:
        print_table(_queue_rows(info.render_queue), out)
    missing = sum(f.missing for f in info.footage)
    found_here = f", {missing} not found here" if info.footage else ""
    print(f"\nFootage ({len(info.footage)}{found_here})", file=out)
    if info.footage:
        rows = [["STATUS", "NAME", "FILE"]]
        rows += [
            ["missing" if f.missing else "found", f.name, f.file or "(placeholder)"]
            for f in info.footage
        ]
        print_table(rows, out)
    print(
        f"\nFonts ({len(info.fonts)})" + (f": {', '.join(info.fonts)}" if info.fonts else ""),
        file=out,
    )


def _composition_rows(comps: tuple[Composition, ...]) -> list[list[str]]:
    rows = [["NAME", "SIZE", "FPS", "DURATION", "WORK AREA", "LAYERS"]]
    for c in comps:
        end = c.work_area_start + c.work_area_duration
        rows.append([
            c.name,
            f"{c.width}x{c.height}",
            _number(c.frame_rate),
            f"{_number(c.duration)} s ({c.frames} frames)",
            f"{_number(c.work_area_start)}-{_number(end)} s",
            _layer_counts(c),
        ])  # fmt: skip
    return rows


def _layer_counts(comp: Composition) -> str:
    counts = Counter(layer.type for layer in comp.layers)
    by_type = ", ".join(f"{counts[t]} {t}" for t in LayerType if counts[t])
    return f"{len(comp.layers)}" + (f": {by_type}" if by_type else "")


def _queue_rows(items: tuple[RenderQueueItem, ...]) -> list[list[str]]:
    rows = [["#", "COMP", "STATUS", "FRAMES", "RENDER SETTINGS", "OUTPUT MODULE -> OUTPUT"]]
    for item in items:
        outputs = "; ".join(
            f"{m.template} -> {m.output or '(not set)'}" for m in item.output_modules
        )
        rows.append([
            str(item.index),
            item.comp,
            str(item.status),
            f"{item.frame_start}-{item.frame_end}",
            item.render_settings,
            outputs,
        ])  # fmt: skip
    return rows


def _number(value: float) -> str:
    """29.970001220703125 as 29.97, 60.0 as 60: how After Effects shows them."""
    return f"{round(value, 3):g}"
