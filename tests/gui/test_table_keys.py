"""Keyboard moves in the job table of the real window: rows, never columns."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from render_manager.services.context import AppContext
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.columns import Column
from tests.gui.conftest import make_job, open_window


def test_ctrl_end_and_ctrl_home_go_to_the_last_and_first_job_without_scrolling_sideways(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([make_job(n) for n in range(60)])
    window = open_window(qtbot, qloop, ctx)
    table = window.table
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() > 0)  # columns overflow
    table.setFocus()
    table.selectRow(0)
    column = table.currentIndex().column()
    sideways = table.horizontalScrollBar().value()

    for key, modifier in (
        (Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier),
    ):
        qtbot.keyClick(table, key, modifier)
        last = key == Qt.Key.Key_End
        current = table.currentIndex()
        assert current.row() == (window.proxy.rowCount() - 1 if last else 0)
        assert current.column() == column
        assert table.horizontalScrollBar().value() == sideways
        selected = [i.data(JOB_ROLE).id for i in table.selectionModel().selectedRows()]
        # Newest first: the last row is the oldest job.
        assert selected == (["job-00000"] if last else ["job-00059"])
        assert table.isColumnHidden(Column.NAME) is False
