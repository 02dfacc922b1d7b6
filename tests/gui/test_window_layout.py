"""The real window under Xvfb keeps its layout: nothing the user does not drag moves.

Choosing a batch, selecting jobs with long fields, cancelling and clearing the outcome
leave the window's size, the docks' widths and the table's columns where they were.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QStyle,
    QStyleOptionDockWidget,
)
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch, Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.side.batches_model import BatchColumn
from render_manager.ui.window.main_window import (
    DETAILS_DOCK_WIDTH,
    SIDE_DOCK_WIDTH,
    MainWindow,
)
from tests.gui.conftest import open_window

pytestmark = pytest.mark.gui

_FARM = "nexrender-cloud-production-eu"
_CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Names as data files and studios write them: long, and without a space to wrap at.
_PROMO, _THIRDS = "01JD8S7Q2M4X", "01JD8S7Q2M4Y"
_BATCHES = {_PROMO: "spring_promo.csv", _THIRDS: "lower_thirds_de.csv"}
_LONG_OUTPUT = (
    "/Volumes/Projects/2026/spring_promo_campaign/renders/localised_versions/final_approved/"
    "spring_promo_16x9_localised_de_final_approved_v12.mov"
)
_LONG_ERROR = (
    "aerender ERROR: No output module template was found with the given name "
    "'ProRes_4444_with_alpha_and_extra_long_template_name_for_the_studio'."
)


def _job(n: int, batch_id: str, **fields: object) -> Job:
    return Job.from_raw(
        kind=BackendKind.LOCAL,
        id=f"job-{n:03d}",
        connection="local",
        name=f"spring_promo_16x9_localised_{n:03d}_final_approved_version",
        raw_status=str(fields.pop("raw_status", "queued")),
        created_at=_CREATED + timedelta(minutes=n),
        batch_id=batch_id,
        **fields,
    )


def _fill_store(ctx: AppContext) -> None:
    # A farm named as studios name them: longer than "All connections".
    ctx.connections.add(Connection(name=_FARM, kind=BackendKind.NEXRENDER_CLOUD))
    # A 50-row batch: enough rows for the table's vertical scroll bar to take its width.
    promo = [_job(n, _PROMO) for n in range(50)]
    thirds = [
        _job(100 + n, _THIRDS, output=_LONG_OUTPUT, error=_LONG_ERROR, raw_status="failed")
        for n in range(3)
    ]
    thirds.append(_job(110, _THIRDS))
    ctx.jobs.add_batch(Batch(_PROMO, "local", _BATCHES[_PROMO], _CREATED), promo)
    ctx.jobs.add_batch(Batch(_THIRDS, "local", _BATCHES[_THIRDS], _CREATED), thirds)


def _settle(qloop: qasync.QEventLoop) -> None:
    """Deliver what the last action queued, whatever it is: layout requests passed up from
    widget to dock to window (each posts the next), zero timers and the loop's callbacks.
    """
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        qloop.run_until_complete(asyncio.sleep(0))


def _open(qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext) -> MainWindow:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    screen = QGuiApplication.primaryScreen().availableGeometry()
    # A window larger than its screen is moved and clamped by the window system.
    assert screen.width() >= 1300, "run under a screen of 1600x1000, as scripts/test does"
    assert screen.height() >= 800, "run under a screen of 1600x1000, as scripts/test does"
    window = open_window(qtbot, qloop, ctx)
    qtbot.waitExposed(window)
    # Keyboard shortcuts (Delete cancels) reach the active window only.
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.waitUntil(
        lambda: {window.side_panel.batch_name(b) for b in _BATCHES} == set(_BATCHES.values())
    )
    _settle(qloop)
    return window


def _layout(window: MainWindow) -> tuple[tuple[int, int], int, int]:
    return window.size().toTuple(), window.side_dock.width(), window.details_dock.width()


def _assert_layout_kept(window: MainWindow, before: tuple[tuple[int, int], int, int]) -> None:
    size, side, details = before
    assert window.size().toTuple() == size, "the window resized itself"
    assert abs(window.side_dock.width() - side) <= 2, "the side panel changed width"
    assert abs(window.details_dock.width() - details) <= 2, "Details changed width"


def _dock_title_elided(dock: QDockWidget) -> bool:
    option = QStyleOptionDockWidget()
    dock.initStyleOption(option)
    title_bar = QStyle.SubElement.SE_DockWidgetTitleBarText
    room = dock.style().subElementRect(title_bar, option, dock).width()
    return dock.fontMetrics().horizontalAdvance(dock.windowTitle()) > room


def _elided_batch_names(window: MainWindow) -> list[str]:
    view = window.side_panel.batch_view
    model = view.model()
    # An item's text has the style's focus-frame margin on each side.
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    elided = []
    for row in range(model.rowCount()):
        index = model.index(row, BatchColumn.NAME)
        name = index.data()
        if view.fontMetrics().horizontalAdvance(name) + margin > view.visualRect(index).width():
            elided.append(name)
    return elided


def _columns_out_of_view(window: MainWindow, columns: list[Column]) -> list[str]:
    header = window.table.horizontalHeader()
    width = window.table.viewport().width()
    return [
        c.name
        for c in columns
        if header.sectionViewportPosition(c) < 0
        or header.sectionViewportPosition(c) + header.sectionSize(c) > width
    ]


def _click_batch(qtbot: QtBot, window: MainWindow, batch_id: str) -> None:
    view = window.side_panel.batch_view
    row = window.side_panel.batches.batch_ids().index(batch_id)
    rect = view.visualRect(view.model().index(row, BatchColumn.NAME))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_job(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    table = window.table
    rows = range(window.proxy.rowCount())
    row = next(r for r in rows if window.proxy.index(r, 0).data(JOB_ROLE).id == job_id)
    table.scrollTo(window.proxy.index(row, Column.NAME), QAbstractItemView.ScrollHint.EnsureVisible)
    rect = table.visualRect(window.proxy.index(row, Column.NAME))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _cancel_current(qtbot: QtBot, qloop: qasync.QEventLoop, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    dialog = window.cancel_flow.dialog
    assert dialog is not None

    async def confirm() -> None:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        while not window.outcome_dock.isVisible():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(confirm(), 30))
    _settle(qloop)


def _grab(window: MainWindow, path: Path) -> None:
    assert window.grab().save(str(path))


def test_choosing_a_batch_a_long_job_and_cancelling_move_nothing(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, tmp_path: Path
) -> None:
    _fill_store(ctx)
    window = _open(qtbot, qloop, ctx)
    before = _layout(window)
    _grab(window, tmp_path / "before.png")
    # A first start's layout, not squeezed by what loaded after the window was shown.
    assert before == ((1280, 760), SIDE_DOCK_WIDTH, DETAILS_DOCK_WIDTH)
    assert not _dock_title_elided(window.side_dock), "the side panel's title is cut"
    assert _elided_batch_names(window) == []
    # The long connection name is shortened in the closed box, whole in its list.
    combo = window.filter_bar.connection
    assert combo.width() < combo.fontMetrics().horizontalAdvance(_FARM)
    assert combo.view().minimumWidth() > combo.fontMetrics().horizontalAdvance(_FARM)

    _click_batch(qtbot, window, _THIRDS)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 4)
    _settle(qloop)
    _assert_layout_kept(window, before)
    assert "lower_thirds_de.csv" in window.filter_bar.batch_button.text()

    # A failed job: long name, output path and error, none with a space to wrap at.
    _click_job(qtbot, window, "job-101")
    qtbot.waitUntil(lambda: window.details.title.text().endswith("_101_final_approved_version"))
    assert window.details.job is not None
    assert window.details.job.error == _LONG_ERROR
    _settle(qloop)
    _assert_layout_kept(window, before)
    assert _columns_out_of_view(window, [Column.ETA, Column.FRAMES]) == []

    _click_batch(qtbot, window, _PROMO)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 50)
    _settle(qloop)
    # The filter row has room for a usual batch name beside a long connection name.
    assert _BATCHES[_PROMO] in window.filter_bar.batch_button.shown_text()
    _click_job(qtbot, window, "job-049")
    _cancel_current(qtbot, qloop, window)
    _grab(window, tmp_path / "cancelled.png")
    _assert_layout_kept(window, before)
    # The outcome is read at a glance; the job table stays the larger part of the window.
    assert window.table.height() >= 2 * window.outcome_dock.height(), "the outcome took over"
    assert _columns_out_of_view(window, [Column.ETA, Column.FRAMES]) == []

    qtbot.mouseClick(window.outcome_panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.outcome_dock.isVisible())
    _settle(qloop)
    _grab(window, tmp_path / "after.png")
    _assert_layout_kept(window, before)
    assert not _dock_title_elided(window.side_dock), "the side panel's title is cut"
    assert _elided_batch_names(window) == []


def _drag_separator(qtbot: QtBot, window: MainWindow, dock: QDockWidget, delta: int) -> None:
    """Drag the separator beside a dock by `delta` pixels with the mouse, as the user does.

    A left dock's separator is on its right edge (dragged right); a bottom dock's is on its
    top edge (dragged up).
    """
    half = window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent) // 2
    geometry = dock.geometry()
    if window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea:
        start = QPoint(geometry.center().x(), geometry.top() - 1 - half)
        step = QPoint(0, -delta)
    else:
        start = QPoint(geometry.right() + 1 + half, geometry.center().y())
        step = QPoint(delta, 0)
    size = dock.size()
    qtbot.mousePress(window, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(window, pos=start + step)
    # The window moves its separator on a zero timer: let it run before the button is up.
    qtbot.waitUntil(lambda: dock.size() != size)
    qtbot.mouseRelease(window, Qt.MouseButton.LeftButton, pos=start + step)


def test_a_dock_the_user_resized_keeps_that_size_through_events_and_a_restart(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    _fill_store(ctx)
    window = _open(qtbot, qloop, ctx)
    first = window.side_dock.width()
    _drag_separator(qtbot, window, window.side_dock, -40)
    _settle(qloop)
    assert abs(window.side_dock.width() - (first - 40)) <= 2, "the drag did not resize the dock"
    before = _layout(window)

    _click_batch(qtbot, window, _THIRDS)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 4)
    _click_job(qtbot, window, "job-110")
    _cancel_current(qtbot, qloop, window)
    shown = window.outcome_dock.height()
    _drag_separator(qtbot, window, window.outcome_dock, 80)
    _settle(qloop)
    outcome_height = window.outcome_dock.height()
    assert abs(outcome_height - (shown + 80)) <= 2, "the drag did not resize the outcome"
    qtbot.mouseClick(window.outcome_panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.outcome_dock.isVisible())
    _settle(qloop)
    _assert_layout_kept(window, before)
    window.close()

    again = _open(qtbot, qloop, ctx)
    _assert_layout_kept(again, before)
    assert not again.outcome_dock.isVisible(), "an empty outcome panel came back on start"
    _click_batch(qtbot, again, _PROMO)
    qtbot.waitUntil(lambda: again.proxy.rowCount() == 50)
    _click_job(qtbot, again, "job-000")
    _cancel_current(qtbot, qloop, again)
    _assert_layout_kept(again, before)
    assert abs(again.outcome_dock.height() - outcome_height) <= 2, "the outcome lost its size"
    for job_id in ("job-110", "job-000"):
        cancelled = ctx.jobs.get(job_id)
        assert cancelled is not None
        assert cancelled.status is JobStatus.CANCELLED


def test_a_restart_does_not_bring_back_an_empty_outcome_panel(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    _fill_store(ctx)
    window = _open(qtbot, qloop, ctx)
    _click_job(qtbot, window, "job-110")
    _cancel_current(qtbot, qloop, window)
    assert window.outcome_dock.isVisible()
    window.close()  # the outcome still shown: the user never cleared it

    again = _open(qtbot, qloop, ctx)
    # Nothing to show yet (and Clear would be disabled): it comes back with the next cancel.
    assert not again.outcome_dock.isVisible()
    assert again.details_dock.isVisible()
    _click_job(qtbot, again, "job-049")
    _cancel_current(qtbot, qloop, again)
    assert again.outcome_dock.isVisible()
    assert "1 cancelled" in again.outcome_panel.header_label.text()
