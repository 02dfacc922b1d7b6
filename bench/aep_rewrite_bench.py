"""Project rewrite: versions written per second on one core (parse + edit + save + check).

Each version is what staging does for one job on a stock aerender: parse the template,
apply the row's values, save the job's copy, read it back and check every value landed
(`render_manager.projects.rewrite.write_rewritten`). One process, one thread: the figure
is per core. The template is made here with py-aep: a 1920x1080 comp with a text layer, a
solid with a Color Control, a Slider and a Checkbox, and a footage layer; each version sets
the text, the colour, the slider, the checkbox, the position and swaps the footage.

Run: .venv/bin/python bench/aep_rewrite_bench.py [--versions 200] [--template PROJECT.aep]
(with --template, each version sets the Source Text of the project's first text layer).
"""

from __future__ import annotations

import argparse
import statistics
import struct
import tempfile
import time
import zlib
from pathlib import Path

import py_aep

from render_manager.projects import LayerType, read_project
from render_manager.projects.edits import Edit, FootageEdit, PropertyEdit, TextEdit
from render_manager.projects.rewrite import write_rewritten

GOAL_PER_S = 25.0


def _png(path: Path, red: int) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, red, 0, 0]))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel))
    return path


def _effect(layer: py_aep.AVLayer, match_name: str, name: str) -> None:
    parade = next(g for g in layer.properties if g.match_name == "ADBE Effect Parade")
    parade.add_property(match_name).name = name


def _made_template(folder: Path) -> Path:
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 1920, 1080, 1.0, 10.0, 25.0)
    card = main.add_solid([1.0, 1.0, 1.0], "Card", 1920, 1080)
    _effect(card, "ADBE Color Control", "Brand Color")
    _effect(card, "ADBE Slider Control", "Size")
    _effect(card, "ADBE Checkbox Control", "Show")
    main.add_text("Hello").name = "Title"
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png", 0))))
    path = folder / "template.aep"
    app.project.save(path)
    return path


def _made_edits(folder: Path, n: int) -> list[Edit]:
    return [
        TextEdit("Title", f"Version {n} — été"),
        PropertyEdit("Card", ("Effects", "Brand Color", "Color"), f"#{n % 256:02X}8040"),
        PropertyEdit("Card", ("Effects", "Size", "Slider"), n * 0.5),
        PropertyEdit("Card", ("Effects", "Show", "Checkbox"), n % 2 == 0),
        PropertyEdit("Card", ("Position",), [100 + n, 200]),
        FootageEdit("logo.png", _png(folder / f"logo-{n}.png", n % 256)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--template", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.template:
            template = args.template
            info = read_project(template)
            title = next(
                layer.name
                for comp in info.compositions
                for layer in comp.layers
                if layer.type is LayerType.TEXT
            )
            edits_for = lambda n: [TextEdit(title, f"Version {n}")]  # noqa: E731
        else:
            template = _made_template(folder)
            edits_for = lambda n: _made_edits(folder, n)  # noqa: E731
        write_rewritten(template, folder / "warm.aep", edits_for(0))  # imports, caches
        times, cpu = [], 0.0
        for n in range(1, args.versions + 1):
            edits = edits_for(n)
            start, start_cpu = time.perf_counter(), time.process_time()
            write_rewritten(template, folder / f"v{n}.aep", edits)
            cpu += time.process_time() - start_cpu
            times.append(time.perf_counter() - start)
            (folder / f"v{n}.aep").unlink()
    total = sum(times)
    # Per core: versions over the CPU time this one thread used (other work on a shared
    # machine stretches the wall time, not the CPU time).
    rate = len(times) / cpu
    verdict = "met" if rate >= GOAL_PER_S else "NOT met"
    print(f"template: {template.name if args.template else 'made (6 values per version)'}")
    print(f"versions: {len(times)} in {total:.2f} s wall, {cpu:.2f} s CPU, one thread")
    print(
        f"per version (wall): median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.1f} ms"
    )
    print(f"rate: {rate:.1f} versions/s per core (goal >= {GOAL_PER_S:.0f}/s: {verdict})")
    print(f"wall rate: {len(times) / total:.1f} versions/s")


if __name__ == "__main__":
    main()
