"""A refresh the size of a busy farm's: 10,000 changed rows reach the views in a few signals.

bench/gui_bench.py times this path; here only its shape is checked (no timings): no model
reset, a handful of signals, and the user's selection, scroll position and sort order
kept.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.table_model import JobTableModel
from tests.gui.conftest import make_job

ROWS = 20_000
EVERY = 2  # every other job renders: 10,000 changed rows in 10,000 separate runs


def _jobs(progress: float) -> list[Job]:
    return [
        make_job(n, raw_status="rendering", progress=progress)
        if n % EVERY == 0
        else make_job(n, raw_status="finished", progress=100.0)
        for n in range(ROWS)
    ]


def test_ten_thousand_changed_rows_arrive_in_few_signals_and_keep_the_view(
    qtbot: QtBot,
) -> None:
    model = JobTableModel()
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    model.set_jobs(_jobs(10.0))
    view.show()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(proxy.index(7, 0), flags)
    view.scrollTo(proxy.index(ROWS // 2, 0))
    scroll = view.verticalScrollBar().value()
    signals: list[str] = []
    for name in ("dataChanged", "layoutChanged", "modelReset", "rowsInserted", "rowsRemoved"):
        getattr(proxy, name).connect(lambda *_args, _name=name: signals.append(_name))

    model.upsert([job for job in _jobs(20.0) if job.progress < 100.0])

    assert "modelReset" not in signals
    assert "layoutChanged" not in signals  # Created did not change: no row moved
    assert 1 <= len(signals) <= 64
    rendering = [proxy.job_at(r) for r in range(0, 10)]
    assert [j.progress for j in rendering if j.progress < 100.0] == [20.0] * 5
    assert proxy.index(0, Column.PROGRESS).data() == "100 %"  # newest first, still
    assert proxy.index(1, Column.PROGRESS).data() == "20 %"
    assert proxy.job_at(0).id == f"job-{ROWS - 1:05d}"
    selected = view.selectionModel().selectedRows()
    assert [proxy.job_at(i.row()).id for i in selected] == [f"job-{ROWS - 8:05d}"]
    assert view.verticalScrollBar().value() == scroll


def test_a_filtered_table_still_follows_a_large_refresh(qtbot: QtBot) -> None:
    model = JobTableModel()
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    model.set_jobs(_jobs(10.0))
    proxy.set_text_filter("rendering")
    assert proxy.rowCount() == ROWS // EVERY

    # Half of the rendering jobs finish: the filter must drop them without a reset.
    finished = [
        make_job(n, raw_status="finished", progress=100.0) for n in range(0, ROWS, 2 * EVERY)
    ]
    model.upsert(finished)

    assert proxy.rowCount() == ROWS // EVERY - len(finished)
    proxy.clear_filters()
    assert proxy.rowCount() == ROWS
