"""Light and dark follow the desktop, and what the window paints stays readable in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.delegates import install_delegates
from render_manager.ui.jobs.status_icons import STATUS_COLOURS
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.qt.appearance import Appearance, apply_appearance, dark_palette, is_dark
from tests.gui.conftest import make_job


@pytest.fixture
def appearance(qapp: QApplication) -> Iterator[Appearance]:
    """The app following the desktop's scheme; the platform's palette comes back after."""
    style = qapp.style().name()
    follower = apply_appearance(qapp)
    yield follower
    follower.release()
    qapp.setStyle(style)
    qapp.processEvents()


@pytest.fixture
def table(qtbot: QtBot) -> QTableView:
    """The job table as the window shows it: statuses, progress bars, alternating rows."""
    model = JobTableModel()
    model.set_jobs(
        [
            make_job(1, raw_status="rendering", progress=30.0),
            make_job(2, raw_status="failed"),
            make_job(3, raw_status="finished", progress=100.0),
        ]
    )
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    install_delegates(view)
    view.setColumnWidth(Column.PROGRESS, 160)
    view.resize(900, 200)
    qtbot.addWidget(view)
    view.show()
    return view


def desktop_turns(qapp: QApplication, scheme: Qt.ColorScheme) -> None:
    """The desktop announces a new colour scheme, as the platform theme does."""
    qapp.styleHints().colorSchemeChanged.emit(scheme)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_window_turns_dark_and_back_with_the_desktop(
    qapp: QApplication, appearance: Appearance, table: QTableView, qtbot: QtBot
) -> None:
    assert not is_dark(table.palette())
    desktop_turns(qapp, Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: is_dark(table.palette()))
    assert table.palette().color(QPalette.ColorRole.Base).lightness() < 64
    assert table.palette().color(QPalette.ColorRole.Text).lightness() > 192
    desktop_turns(qapp, Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: not is_dark(table.palette()))
    assert not appearance.own_palette


def test_a_style_that_stays_light_is_replaced_by_fusion(qapp: QApplication) -> None:
    style = qapp.style().name()
    qapp.setStyle("Windows")
    try:
        follower = apply_appearance(qapp)
        follower.release()
        assert qapp.style().name().lower() == "fusion"
    finally:
        qapp.setStyle(style)


def test_status_words_stay_readable_on_dark_rows(
    qapp: QApplication, appearance: Appearance, table: QTableView, qtbot: QtBot
) -> None:
    desktop_turns(qapp, Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: is_dark(QGuiApplication.palette()))
    palette = table.palette()
    model = table.model()
    for row in (1, 2):  # failed (red) and finished (green) have colours of their own
        colour = model.index(row, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole)
        assert isinstance(colour, QColor)
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
            assert contrast(colour, palette.color(role)) >= 4.5


@pytest.mark.parametrize("status", list(JobStatus))
def test_status_glyphs_stand_out_on_dark_rows(status: JobStatus) -> None:
    palette = dark_palette()
    glyph = QColor(STATUS_COLOURS[status])
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        # WCAG asks 3:1 of graphics that carry meaning.
        assert contrast(glyph, palette.color(role)) >= 3.0


def test_progress_bars_are_dark_with_light_text_in_dark_mode(
    qapp: QApplication, appearance: Appearance, table: QTableView, qtbot: QtBot
) -> None:
    desktop_turns(qapp, Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: is_dark(table.palette()))
    cell = table.visualRect(table.model().index(0, Column.PROGRESS))
    image = table.viewport().grab(cell).toImage()
    # The unfilled right end of the 30 % bar, away from its border and its label.
    groove = [
        image.pixelColor(x, image.height() // 2).lightness()
        for x in range(image.width() * 3 // 4, image.width() - 6)
    ]
    assert max(groove) < 100
    # The "30 %" label: light pixels in the middle of the bar.
    label = [
        image.pixelColor(x, y).lightness()
        for x in range(image.width() // 3, image.width() * 2 // 3)
        for y in range(image.height())
    ]
    assert max(label) > 180


@pytest.mark.gui
def test_a_scheme_requested_from_qt_turns_the_window_dark(
    qapp: QApplication, appearance: Appearance, table: QTableView, qtbot: QtBot
) -> None:
    hints = qapp.styleHints()
    hints.setColorScheme(Qt.ColorScheme.Dark)
    try:
        if hints.colorScheme() != Qt.ColorScheme.Dark:
            pytest.skip("this platform does not take colour scheme requests")
        qtbot.waitUntil(lambda: is_dark(table.palette()))
    finally:
        hints.unsetColorScheme()
