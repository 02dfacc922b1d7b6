"""Shipped icons load from the installed package."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from render_manager.ui.qt.icons import app_icon


def test_application_icon_loads_from_package_resources(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    assert image.width() == 64
    # Not a blank square: the icon has several distinct colours.
    assert len({image.pixel(x, y) for x in range(0, 64, 4) for y in range(0, 64, 4)}) > 3
