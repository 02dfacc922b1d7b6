"""Render the application icon's PNG sizes, .ico and .icns from resources/icons/render-manager.svg.

Run it after changing the SVG and commit what it writes: the app loads the files as they are
and needs no renderer at run time.

    .venv/bin/python packaging/make_icons.py

Qt's SVG renderer (PySide6-Essentials) draws each size; the .ico (Windows) and .icns (macOS)
containers are written here, holding PNG images, which both formats accept since Windows
Vista and Mac OS X 10.7.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage, QPainter, Qt
from PySide6.QtSvg import QSvgRenderer

ICON_NAME = "render-manager"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Windows picks among these for the taskbar, title bars, Explorer views and shortcuts.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (type code, pixel size): the PNG-holding icns entries, 1x and 2x (Retina) variants.
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
)

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a size x size transparent PNG."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"could not encode the {size} px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG per size (ICONDIR, ICONDIRENTRY array, image data)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        # Width and height are one byte each: 0 stands for 256.
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: the 'icns' header, then (type, length, PNG) entries, big-endian."""
    body = b"".join(
        code + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for code, size in ICNS_ENTRIES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(icons_dir: Path) -> dict[Path, bytes]:
    """Every generated file's path and content."""
    svg = icons_dir / f"{ICON_NAME}.svg"
    pngs = {size: render_png(svg, size) for size in PNG_SIZES}
    files = {icons_dir / f"{ICON_NAME}-{size}.png": data for size, data in pngs.items()}
    files[icons_dir / f"{ICON_NAME}.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
    files[icons_dir / f"{ICON_NAME}.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the icons (or, with --check, report which ones differ from the SVG's rendering)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons-dir", type=Path, default=ICONS_DIR)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is missing or stale"
    )
    args = parser.parse_args(argv)
    # Drawing needs a QGuiApplication, not a screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    files = build(args.icons_dir)
    stale = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(files[path])
        print(f"wrote {path}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
