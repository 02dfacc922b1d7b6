"""Icons shipped in `render_manager.resources`, loaded so they work installed or editable."""

from __future__ import annotations

from importlib.resources import as_file, files

from PySide6.QtGui import QIcon, QPixmap


def app_icon() -> QIcon:
    """The application icon."""
    resource = files("render_manager.resources").joinpath("icons/render-manager.svg")
    # QIcon needs a real path or bytes; as_file also works from a zip or a frozen bundle.
    with as_file(resource) as path:
        pixmap = QPixmap(str(path))
    return QIcon(pixmap)
