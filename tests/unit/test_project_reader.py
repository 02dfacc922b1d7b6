"""Projects made here with py-aep, for what the real fixtures do not cover: every layer
type, unicode text, footage found or not, render-queue items and their frames, fonts, a
project from a newer After Effects, a file the parser fails on, and reading off the main
thread. Each is checked through `renderctl inspect --json`, as a script would read it.
"""

from __future__ import annotations

import json
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import py_aep
import pytest

from render_manager.projects import read_project
from tests.unit.cli_runner import Renderctl, renderctl_runner
from tests.unit.helpers.aep_fixtures import PROJECTS

UNICODE_TEXT = 'Bonjour «monde» 日本語\n"quoted" line'


@pytest.fixture
def run(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Renderctl:
    return renderctl_runner(monkeypatch, capsys)


def _png(path: Path) -> Path:
    """A real 1x1 PNG file (py-aep reads the image header when importing it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return path


def _make_project(folder: Path) -> Path:
    """A project with one layer of every kind, two render-queue items and footage."""
    app = py_aep.new()
    project = app.project
    root = project.root_folder
    inner = root.add_comp("Inner «précomp»", 640, 360, 1.0, 4.0, 25.0)
    main = root.add_comp("Main 16x9", 1920, 1080, 1.0, 10.0, 25.0)
    main.work_area_start = 2.0
    main.work_area_duration = 3.0
    title = main.add_text(UNICODE_TEXT)
    document = title.text.source_text.value
    document.font = "Arial-BoldMT"
    title.text.source_text.value = document
    main.add_text("second line of copy")
    main.add_solid([1.0, 0.0, 0.0], "Red Solid")
    main.add_null()
    main.add_shape()
    main.add_camera("Camera 1")
    main.add_light("Key light")
    main.add(inner)
    logo = project.import_file(py_aep.ImportOptions(_png(folder / "footage" / "logo.png")))
    main.add(logo)
    main.add(project.import_placeholder("Missing shot", 100, 100, 25.0, 2.0))

    queued = project.render_queue.add(main)
    queued.output_modules[0].file = "/renders/[compName].mov"
    queued.render = True
    queued.time_span_start_frame = 10
    queued.time_span_end_frame = 20  # py-aep's end: the first frame after the span
    unticked = project.render_queue.add(inner)
    unticked.render = False
    path = folder / "made.aep"
    project.save(path)
    return path


def _inspect(run: Renderctl, path: Path) -> dict[str, Any]:
    result = run("inspect", str(path), "--json")
    assert (result.code, result.err) == (0, ""), result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_every_layer_type_with_its_text_and_footage(run: Renderctl, tmp_path: Path) -> None:
    data = _inspect(run, _make_project(tmp_path))

    main = next(c for c in data["compositions"] if c["name"] == "Main 16x9")
    # Top layer first, index from 1, as After Effects numbers them (the properties are
    # checked in test_project_properties).
    layers = [{k: v for k, v in layer.items() if k != "properties"} for layer in main["layers"]]
    assert layers == [
        {"index": 1, "name": "Missing shot", "type": "footage", "footage": None},
        {
            "index": 2,
            "name": "logo.png",
            "type": "footage",
            "footage": str(tmp_path / "footage" / "logo.png"),
        },
        {"index": 3, "name": "Inner «précomp»", "type": "precomp"},
        {"index": 4, "name": "Key light", "type": "light"},
        {"index": 5, "name": "Camera 1", "type": "camera"},
        {"index": 6, "name": "Shape Layer 1", "type": "shape"},
        {"index": 7, "name": "Null 1", "type": "null"},
        {"index": 8, "name": "Red Solid", "type": "solid"},
        {"index": 9, "name": "second line of copy", "type": "text", "text": "second line of copy"},
        {"index": 10, "name": UNICODE_TEXT, "type": "text", "text": UNICODE_TEXT},
    ]


def test_comp_timing_and_work_area(run: Renderctl, tmp_path: Path) -> None:
    data = _inspect(run, _make_project(tmp_path))

    main = next(c for c in data["compositions"] if c["name"] == "Main 16x9")
    assert (main["width"], main["height"], main["frame_rate"]) == (1920, 1080, 25.0)
    assert (main["duration"], main["frames"]) == (10.0, 250)
    assert main["work_area"] == {"start": 2.0, "duration": 3.0}


def test_render_queue_items_with_inclusive_frames_and_outputs(
    run: Renderctl, tmp_path: Path
) -> None:
    data = _inspect(run, _make_project(tmp_path))

    queued, unticked = data["render_queue"]
    assert queued["index"] == 1
    assert (queued["comp"], queued["status"], queued["render"]) == ("Main 16x9", "queued", True)
    # Frames 10 to 19: ten frames, as aerender -s 10 -e 19 renders them.
    assert queued["frames"] == {"start": 10, "end": 19}
    assert [om["output"] for om in queued["output_modules"]] == ["/renders/Main 16x9.mov"]
    assert queued["output_modules"][0]["template"]
    assert queued["render_settings"] == "Best Settings"
    assert (unticked["index"], unticked["comp"]) == (2, "Inner «précomp»")
    assert (unticked["status"], unticked["render"]) == ("unqueued", False)
    # The whole of the 4 s comp at 25 fps: frames 0 to 99.
    assert unticked["frames"] == {"start": 0, "end": 99}
    assert [om["output"] for om in unticked["output_modules"]] == [None]


def test_footage_found_here_or_missing(run: Renderctl, tmp_path: Path) -> None:
    path = _make_project(tmp_path)
    logo = tmp_path / "footage" / "logo.png"

    assert _inspect(run, path)["footage"] == [
        {"name": "logo.png", "file": str(logo), "missing": False},
        {"name": "Missing shot", "file": None, "missing": True},
    ]
    logo.rename(tmp_path / "elsewhere.png")
    assert _inspect(run, path)["footage"][0]["missing"] is True
    # Moved beside the project: After Effects looks there, and finds it.
    (tmp_path / "elsewhere.png").rename(tmp_path / "logo.png")
    assert _inspect(run, path)["footage"][0]["missing"] is False


def test_fonts_of_every_text_layer(run: Renderctl, tmp_path: Path) -> None:
    fonts = _inspect(run, _make_project(tmp_path))["fonts"]

    # The title was set in Arial Bold; the other text keeps a new project's default font.
    assert "Arial-BoldMT" in fonts
    assert len(fonts) == 2
    assert fonts == sorted(fonts)


def _head_body_offset(data: bytes) -> int:
    return data.index(b"head", 12) + 8


def test_a_project_from_a_newer_after_effects_is_exit_2(run: Renderctl, tmp_path: Path) -> None:
    made = bytearray(_make_project(tmp_path).read_bytes())
    body = _head_body_offset(made)
    made[body + 1] += 1  # the file format one past the newest py-aep knows
    (word,) = struct.unpack_from(">I", made, body + 4)
    major = 27
    word = (word & ~(0x1F << 26) & ~(0x07 << 19)) | (major // 8) << 26 | (major % 8) << 19
    struct.pack_into(">I", made, body + 4, word)
    newer = tmp_path / "from the future.aep"
    newer.write_bytes(bytes(made))

    result = run("inspect", str(newer))

    assert result.code == 2
    line = result.error_line()
    assert str(newer) in line
    assert "was saved by After Effects 27.0x67, newer than the project reader knows" in line


def test_a_file_the_parser_fails_on_is_exit_2_without_a_traceback(
    run: Renderctl, tmp_path: Path
) -> None:
    # A real project's header, then a chunk that claims more bytes than the file holds.
    real = PROJECTS[0].read_bytes()
    head_end = _head_body_offset(real) + struct.unpack_from(">I", real, real.index(b"head") + 4)[0]
    body = real[12:head_end] + b"LIST" + struct.pack(">I", 4096) + b"Layr" + b"\x00" * 16
    broken = tmp_path / "damaged.aep"
    broken.write_bytes(b"RIFX" + struct.pack(">I", 4 + len(body)) + b"Egg!" + body)

    result = run("inspect", str(broken), "--json")

    assert result.code == 2
    line = result.error_line()
    assert line.startswith(f"renderctl: error: {broken}: the After Effects ")
    assert "project could not be read" in line
    assert "Traceback" not in result.err


def test_reading_on_worker_threads_gives_what_reading_in_turn_gives() -> None:
    in_turn = [read_project(p) for p in PROJECTS]

    with ThreadPoolExecutor(max_workers=3) as pool:
        on_threads = list(pool.map(read_project, PROJECTS))

    assert on_threads == in_turn
