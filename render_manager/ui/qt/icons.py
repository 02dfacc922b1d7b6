"""Icons shipped in `render_manager.resources`, loaded so they work installed, editable or frozen.

Files are read as bytes through importlib.resources, so no real path is needed: the same
code works from a wheel, a checkout, a zip or a PyInstaller bundle.
"""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtGui import QIcon, QPixmap

RESOURCES_PACKAGE = "render_manager.resources"
APP_ICON_NAME = "render-manager"
# The PNG sizes rendered from the SVG by packaging/make_icons.py.
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resource_bytes(relative: str) -> bytes:
    """The content of a file inside `render_manager.resources`, e.g. "icons/x.png"."""
    return files(RESOURCES_PACKAGE).joinpath(relative).read_bytes()


def app_icon() -> QIcon:
    """The application icon, one pre-rendered PNG per size.

    PNGs rather than the SVG: Qt decodes PNG without a plugin, so the icon shows even where
    the SVG image-format plugin is missing, and small sizes stay crisp.
    """
    icon = QIcon()
    for size in APP_ICON_SIZES:
        pixmap = QPixmap()
        if pixmap.loadFromData(resource_bytes(f"icons/{APP_ICON_NAME}-{size}.png"), "PNG"):
            icon.addPixmap(pixmap)
    return icon
