"""The Progress column's bar as the user sees it: a failed job's bar is not a finished one's
blue, and its label reads in one colour, never split at the fill's edge."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyleFactory, QTableView
from pytestqt.qtbot import QtBot

from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.delegates import install_delegates
from render_manager.ui.jobs.table_model import JobTableModel
from tests.gui.conftest import make_job


def _table(qtbot: QtBot, model: JobTableModel) -> tuple[QTableView, QImage]:
    view = QTableView()
    qtbot.addWidget(view)
    view.setStyle(QStyleFactory.create("Fusion"))
    view.setModel(model)
    install_delegates(view)
    # Narrow, as the column is by default: the label straddles the fill's edge.
    view.setColumnWidth(Column.PROGRESS, 90)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    return view, view.viewport().grab().toImage()


def _fill_pixels(view: QTableView, image: QImage, row: int, share: float) -> list[QColor]:
    """The label's middle line, over the fill only (the first `share` of the bar)."""
    rect = view.visualRect(view.model().index(row, Column.PROGRESS))
    y = rect.center().y()
    end = rect.left() + int(rect.width() * share) - 3
    return [image.pixelColor(x, y) for x in range(rect.left() + 4, end)]


def _fill_colour(view: QTableView, image: QImage, row: int) -> QColor:
    # Just right of the bar's left edge, above the label: the fill's own colour.
    rect = view.visualRect(view.model().index(row, Column.PROGRESS))
    return image.pixelColor(rect.left() + 5, rect.top() + 4)


def test_a_failed_bar_is_red_and_a_finished_one_is_not(qtbot: QtBot) -> None:
    failed = make_job(0, raw_status="failed", progress=37.0)
    finished = make_job(1, raw_status="finished", progress=100.0)
    model = JobTableModel()
    model.set_jobs([failed, finished])
    view, image = _table(qtbot, model)
    red = _fill_colour(view, image, model.row_of(failed.id) or 0)
    blue = _fill_colour(view, image, model.row_of(finished.id) or 0)
    assert red.red() > red.blue() + 30, red.name()
    assert blue.blue() > blue.red() + 30, blue.name()


def test_the_label_reads_in_one_colour_across_the_fill_edge(qtbot: QtBot) -> None:
    model = JobTableModel()
    # Half done: the fill's edge runs through the middle of the centred label.
    model.set_jobs([make_job(0, raw_status="rendering", progress=50.0)])
    view, image = _table(qtbot, model)
    fill = _fill_colour(view, image, 0)
    # Over the fill, the label's pixels are darker than the fill, none lighter (as a
    # white label over the fill, and a dark one over the groove, were).
    pixels = _fill_pixels(view, image, 0, 0.5)
    assert [p for p in pixels if p.lightness() < fill.lightness() - 60], "the label is drawn"
    assert [p for p in pixels if p.lightness() > fill.lightness() + 25] == []
