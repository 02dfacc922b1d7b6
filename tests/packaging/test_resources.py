"""What the app ships besides code: icons, the desktop entry and the AppStream metainfo.

Everything is read through importlib.resources, as the installed, editable and frozen app
reads it.
"""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from contextlib import AbstractContextManager
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from render_manager import __version__
from render_manager.ui.qt.icons import APP_ICON_SIZES, app_icon, resource_bytes

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
APPSTREAM_ID = "io.github.render_manager.RenderManager"
RESOURCES = files("render_manager.resources")


def _png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull(), "not a PNG Qt can decode"
    return image.width(), image.height()


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(resource_bytes("linux/render-manager.desktop").decode("utf-8"))
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    # The file is the project's own, not outside input.
    return ET.fromstring(resource_bytes(f"linux/{APPSTREAM_ID}.metainfo.xml"))  # noqa: S314


@pytest.mark.parametrize("size", APP_ICON_SIZES)
def test_each_icon_size_is_a_png_of_that_size(size: int) -> None:
    data = resource_bytes(f"icons/render-manager-{size}.png")
    assert _png_size(data) == (size, size)


def test_the_app_icon_offers_every_size_and_is_not_blank(qapp: QApplication) -> None:
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} == set(APP_ICON_SIZES)
    image = icon.pixmap(QSize(48, 48)).toImage()
    assert len({image.pixel(x, y) for x in range(0, 48, 3) for y in range(0, 48, 3)}) > 3


def test_the_windows_icon_holds_a_png_per_size() -> None:
    data = resource_bytes("icons/render-manager.ico")
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, *_, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        image = data[offset : offset + length]
        side = width or 256
        assert _png_size(image) == (side, height or 256)
        sizes.append(side)
    assert {16, 32, 48, 256} <= set(sizes)


def test_the_macos_icon_holds_pngs_up_to_512() -> None:
    data = resource_bytes("icons/render-manager.icns")
    magic, total = struct.unpack_from(">4sI", data)
    assert (magic, total) == (b"icns", len(data))
    offset, seen = 8, {}
    while offset < len(data):
        code, length = struct.unpack_from(">4sI", data, offset)
        seen[code] = _png_size(data[offset + 8 : offset + length])[0]
        offset += length
    # 1x and 2x entries as Finder and the Dock ask for them.
    assert seen[b"ic07"] == 128
    assert seen[b"ic09"] == 512
    assert seen[b"ic14"] == 512


def test_the_desktop_entry_starts_the_window_with_its_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Render Manager"
    assert entry["Exec"].split()[0] in PYPROJECT["project"]["gui-scripts"]
    assert entry["Icon"] == "render-manager"
    assert RESOURCES.joinpath("icons/render-manager.svg").is_file()
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    # Window managers match the running window to this entry by this name.
    assert entry["StartupWMClass"] == "render-manager"


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.fail("desktop-file-validate is missing: scripts/setup --test installs it")
    with _as_path("linux/render-manager.desktop") as path:
        result = subprocess.run([validate, str(path)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_the_metainfo_describes_the_app_and_its_programs() -> None:
    root = _metainfo()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APPSTREAM_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == PYPROJECT["project"]["license"]
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.findtext("summary")
    assert root.find("description/p") is not None
    launchable = root.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert RESOURCES.joinpath("linux", launchable.text or "").is_file()
    binaries = {b.text for b in root.findall("provides/binary")}
    project = PYPROJECT["project"]
    assert binaries == set(project["scripts"]) | set(project["gui-scripts"])


def test_the_metainfo_lists_this_version_as_its_latest_release() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == __version__


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    appstreamcli = shutil.which("appstreamcli")
    if appstreamcli is None:
        pytest.fail("appstreamcli is missing: scripts/setup --test installs it (apt: appstream)")
    with _as_path(f"linux/{APPSTREAM_ID}.metainfo.xml") as path:
        result = subprocess.run(
            [appstreamcli, "validate", "--no-net", "--no-color", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_version_is_defined_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "render_manager.__version__"


def test_every_resource_file_is_listed_in_the_package_data() -> None:
    # A file the globs miss would be in the checkout but not in the wheel or the app folder.
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["render_manager.resources"]
    folder = ROOT / "resources"
    on_disk = {
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    unlisted = sorted(str(p) for p in on_disk if not any(p.match(g) for g in globs))
    assert unlisted == []


def _as_path(relative: str) -> AbstractContextManager[Path]:
    """A real path to a resource, for tools that take file names."""
    return as_file(RESOURCES.joinpath(relative))


def test_every_package_of_the_code_is_in_the_wheel() -> None:
    # The package list is explicit (resources are mapped in from outside the package), so a
    # new folder of code that is not listed would be missing from every installed app.
    code = ROOT / "render_manager"
    found = {
        ".".join(("render_manager", *init.parent.relative_to(code).parts))
        for init in code.rglob("__init__.py")
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert found - listed == set()
