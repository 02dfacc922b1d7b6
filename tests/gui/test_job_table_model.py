"""The job table model: Qt's own consistency checks and in-place updates."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from render_manager.ui.job_table_model import Column, JobTableModel
from tests.gui.conftest import make_job


def test_model_passes_qt_model_tester_through_load_update_and_remove(
    qtmodeltester: ModelTester,
) -> None:
    model = JobTableModel()
    model.set_jobs([make_job(n) for n in range(20)])
    qtmodeltester.check(model, force_py=True)
    model.upsert([make_job(3, raw_status="rendering", progress=40.0), make_job(99)])
    model.remove(["job-00004", "job-00005", "job-00010", "missing"])
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 18


def test_refresh_updates_rows_in_place_without_reset(qtbot: QtBot) -> None:
    model = JobTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_jobs([make_job(n) for n in range(10)])
    resets: list[None] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(None))
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))

    model.upsert(
        [
            make_job(2, raw_status="rendering", progress=10.0),
            make_job(3, raw_status="rendering", progress=20.0),
            make_job(4, raw_status="rendering", progress=30.0),
            make_job(8, raw_status="failed", error="aerender ERROR: No comp was found"),
            make_job(9),  # unchanged: no signal for it
        ]
    )

    assert resets == []
    assert changed == [(2, 4), (8, 8)]
    assert model.index(3, Column.PROGRESS).data() == "20 %"
    assert model.index(8, Column.STATUS).data() == "Failed"
    assert model.index(8, Column.ERROR).data() == "aerender ERROR: No comp was found"


def test_new_jobs_are_appended_in_one_insert() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(0)])
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.upsert([make_job(1), make_job(2), make_job(3)])
    assert inserts == [(1, 3)]
    assert [model.job_at(r).id for r in range(4)] == [f"job-{n:05d}" for n in range(4)]
    assert model.row_of("job-00003") == 3


def test_removing_scattered_rows_keeps_the_rest_addressable() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(n) for n in range(8)])
    model.remove(["job-00001", "job-00002", "job-00006"])
    remaining = [model.job_at(r).id for r in range(model.rowCount())]
    assert remaining == ["job-00000", "job-00003", "job-00004", "job-00005", "job-00007"]
    assert all(model.row_of(job_id) == row for row, job_id in enumerate(remaining))


def test_counts_follow_statuses() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(0), make_job(1, raw_status="rendering"), make_job(2)])
    model.upsert([make_job(2, raw_status="finished", progress=100.0)])
    counts = model.counts()
    assert counts[JobStatus.QUEUED] == 1
    assert counts[JobStatus.RENDERING] == 1
    assert counts[JobStatus.FINISHED] == 1


def test_header_names_every_column() -> None:
    model = JobTableModel()
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) for c in Column
    ]
    assert headers[:4] == ["Name", "Connection", "Status", "Progress"]
    assert all(headers)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
