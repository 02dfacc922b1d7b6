"""The first window: jobs from the store, changes from other processes, filter and counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QSplitter
from pytestqt.qtbot import QtBot

from render_manager.services.context import AppContext
from render_manager.ui.jobs.columns import Column
from tests.gui.conftest import make_job, open_window

# A separate process that marks one job as rendering, as `renderctl` or a headless engine would.
_OTHER_PROCESS = """
import sys
from render_manager.store import open_store
from render_manager.store.jobs import JobRepository
from tests.gui.conftest import make_job, open_window
db = open_store(__import__("pathlib").Path(sys.argv[1]))
JobRepository(db).upsert_many([make_job(1, raw_status="rendering", progress=55.0), make_job(7)])
db.close()
"""


def test_window_shows_the_jobs_in_the_store(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([make_job(n) for n in range(5)] + [make_job(5, raw_status="failed")])
    window = open_window(qtbot, qloop, ctx)
    assert window.windowTitle() == "Render Manager"
    assert window.proxy.rowCount() == 6
    assert "Queued: 5" in window.counts_label.text()
    assert "Failed: 1" in window.counts_label.text()
    # Newest first by default.
    assert window.proxy.index(0, Column.NAME).data() == "promo_00005"


def test_changes_from_another_process_appear_without_losing_selection(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, home: Path
) -> None:
    ctx.jobs.upsert_many([make_job(n) for n in range(5)])
    window = open_window(qtbot, qloop, ctx)
    row = next(
        r
        for r in range(window.proxy.rowCount())
        if window.proxy.index(r, Column.NAME).data() == "promo_00001"
    )
    window.table.selectionModel().select(
        window.proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )

    repo_root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, str(home)], check=True, cwd=repo_root, timeout=60
    )
    qloop.run_until_complete(window.refresh())

    assert window.proxy.rowCount() == 6
    selected = window.table.selectionModel().selectedRows()
    assert [i.data() for i in selected] == ["promo_00001"]
    assert window.proxy.index(selected[0].row(), Column.PROGRESS).data() == "55 %"
    assert window.proxy.index(selected[0].row(), Column.STATUS).data() == "Rendering"
    assert "Rendering: 1" in window.counts_label.text()


def test_filter_box_narrows_the_table_and_ctrl_f_focuses_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.jobs.upsert_many([make_job(n) for n in range(12)])
    window = open_window(qtbot, qloop, ctx)
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_edit.hasFocus()
    qtbot.keyClicks(window.filter_edit, "PROMO_0001")
    names = sorted(
        window.proxy.index(r, Column.NAME).data() for r in range(window.proxy.rowCount())
    )
    assert names == ["promo_00010", "promo_00011"]


def test_column_layout_is_remembered(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    window.table.horizontalHeader().moveSection(Column.ERROR, 0)
    window.table.setColumnHidden(Column.OUTPUT, True)
    window.close()

    again = open_window(qtbot, qloop, ctx)
    assert again.table.horizontalHeader().visualIndex(Column.ERROR) == 0
    assert again.table.isColumnHidden(Column.OUTPUT)


def test_docks_and_splitters_are_remembered(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    window.side_dock.toggleViewAction().trigger()
    splitter = window.details.findChild(QSplitter, "details-splitter")
    assert splitter is not None
    splitter.setSizes([300, 100])
    sizes = splitter.sizes()
    window.close()

    again = open_window(qtbot, qloop, ctx)
    assert not again.side_dock.isVisible()
    assert again.details_dock.isVisible()
    restored = again.details.findChild(QSplitter, "details-splitter")
    assert restored is not None
    assert restored.sizes() == sizes
