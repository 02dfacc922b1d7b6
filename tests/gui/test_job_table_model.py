"""The job table model: Qt's own consistency checks, in-place updates, columns and sorting."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QStyleFactory, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE, SORT_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.delegates import ProgressDelegate, install_delegates
from render_manager.ui.jobs.status_icons import status_icon, status_text_colour
from render_manager.ui.jobs.table_model import JobTableModel
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


def test_a_refresh_planned_on_a_worker_thread_changes_nothing_until_applied() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(n) for n in range(10)])
    changed: list[list[Job]] = []
    model.jobs_changed.connect(changed.append)
    refreshed = [make_job(4, raw_status="rendering", progress=55.0), make_job(10)]

    with ThreadPoolExecutor(1) as worker:
        plan = worker.submit(model.plan_upsert, refreshed).result()
    assert model.index(4, Column.PROGRESS).data() == "0 %"
    assert model.rowCount() == 10

    model.apply_upsert(plan)
    assert model.index(4, Column.PROGRESS).data() == "55 %"
    assert model.rowCount() == 11
    assert changed == [[refreshed[0]]]
    assert model.counts()[JobStatus.RENDERING] == 1


def test_a_plan_made_before_rows_were_removed_updates_the_jobs_where_they_are_now() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(n) for n in range(10)])
    plan = model.plan_upsert([make_job(6, raw_status="rendering", progress=30.0)])

    model.remove(["job-00001", "job-00002"])  # job 6 moves from row 6 to row 4
    model.apply_upsert(plan)

    assert model.job_at(4).id == "job-00006"
    assert model.index(4, Column.PROGRESS).data() == "30 %"
    assert [model.job_at(r).progress for r in range(model.rowCount())].count(30.0) == 1
    assert model.counts()[JobStatus.RENDERING] == 1


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


def _counted(model: JobTableModel) -> dict[JobStatus, int]:
    counts = dict.fromkeys(JobStatus, 0)
    for row in range(model.rowCount()):
        counts[model.job_at(row).status] += 1
    return counts


def test_counts_stay_true_through_every_kind_of_change() -> None:
    model = JobTableModel()
    model.sort(Column.STATUS)
    model.set_jobs([make_job(n) for n in range(6)])
    model.upsert(
        [
            make_job(0, raw_status="rendering", progress=5.0),
            make_job(0, raw_status="rendering", progress=9.0),  # twice in one refresh
            make_job(1, raw_status="failed", error="aerender ERROR"),
            make_job(2),  # unchanged
            make_job(7, raw_status="rendering"),  # new
            make_job(7, raw_status="finished", progress=100.0),  # new, its last copy wins
        ]
    )
    assert model.counts() == _counted(model)
    assert model.counts()[JobStatus.FINISHED] == 1
    model.remove(["job-00000", "job-00003", "missing"])
    assert model.counts() == _counted(model)
    assert model.counts()[JobStatus.RENDERING] == 0
    shown = model.counts()
    shown[JobStatus.QUEUED] += 100  # a caller's copy: the model's counts do not move
    assert model.counts() == _counted(model)
    model.set_jobs([make_job(9, raw_status="cancelled")])
    assert model.counts() == {**dict.fromkeys(JobStatus, 0), JobStatus.CANCELLED: 1}


def test_header_names_every_column() -> None:
    model = JobTableModel()
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) for c in Column
    ]
    assert headers[:4] == ["Name", "Connection", "Status", "Progress"]
    assert all(headers)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


# -- columns, roles and formats -----------------------------------------------------------


T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DISPLAY = Qt.ItemDataRole.DisplayRole


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _rendering(n: int, progress: float, **fields: object) -> Job:
    return make_job(n, raw_status="rendering", progress=progress, started_at=T0, **fields)


def _cell(model: JobTableModel, job_id: str, column: Column, role: int = DISPLAY) -> object:
    row = model.row_of(job_id)
    assert row is not None
    return model.index(row, column).data(role)


def test_columns_come_in_the_documented_order() -> None:
    model = JobTableModel()
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert headers == [
        "Name", "Connection", "Status", "Progress", "ETA", "Frames",
        "Batch", "Created", "Started", "Duration", "Output", "Error",
    ]  # fmt: skip
    assert model.columnCount() == len(Column) == 12


def test_every_model_state_passes_the_qt_model_tester(qtmodeltester: ModelTester) -> None:
    clock = FakeClock()
    model = JobTableModel(clock=clock, now=lambda: T0 + timedelta(minutes=5))
    model.set_jobs(
        [
            _rendering(0, 10.0, frames_done=25, total_frames=250, batch_id="batch-7f3a9c21"),
            make_job(1, raw_status="finished", progress=100.0, started_at=T0, finished_at=T0),
            make_job(2, raw_status="failed", error="aerender ERROR: No comp\nsecond line"),
            make_job(3, raw_status="cancelled", output="/renders/x.mov"),
            _rendering(4, 50.0, eta_seconds=12.5),
        ]
    )
    qtmodeltester.check(model, force_py=True)
    model.sort(Column.PROGRESS, Qt.SortOrder.DescendingOrder)
    clock.now += 30
    model.upsert([_rendering(0, 90.0), make_job(5), make_job(6, raw_status="rendering")])
    model.tick()
    model.remove(["job-00002"])
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 6


def test_status_cells_carry_a_glyph_and_failed_or_finished_colours() -> None:
    model = JobTableModel()
    model.set_jobs(
        [
            make_job(0, raw_status="failed"),
            make_job(1, raw_status="finished", progress=100.0),
            make_job(2, raw_status="rendering"),
        ]
    )
    icons = [model.index(r, Column.STATUS).data(Qt.ItemDataRole.DecorationRole) for r in range(3)]
    assert all(isinstance(i, QIcon) and not i.isNull() for i in icons)
    assert model.index(0, Column.NAME).data(Qt.ItemDataRole.DecorationRole) is None

    failed, finished, rendering = (
        model.index(r, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole) for r in range(3)
    )
    assert isinstance(failed, QColor)
    assert isinstance(finished, QColor)
    assert failed.red() > 2 * max(failed.green(), failed.blue())
    assert finished.green() > 1.5 * max(finished.red(), finished.blue())
    assert rendering is None  # the palette's own text colour


def test_eta_shows_the_engines_figure_as_a_clock() -> None:
    model = JobTableModel()
    model.set_jobs(
        [
            _rendering(0, 10.0, eta_seconds=5025.0),
            _rendering(1, 80.0, eta_seconds=245.0),
            make_job(2, raw_status="finished", progress=100.0, eta_seconds=0.0),
            make_job(3),
        ]
    )
    assert [model.index(r, Column.ETA).data() for r in range(4)] == ["1:23:45", "4:05", "", ""]
    assert "render engine" in str(model.index(0, Column.ETA).data(Qt.ItemDataRole.ToolTipRole))


def test_eta_is_estimated_from_the_progress_rate_seen_across_refreshes() -> None:
    clock = FakeClock()
    model = JobTableModel(clock=clock)
    model.set_jobs([_rendering(0, 10.0), make_job(1)])
    assert _cell(model, "job-00000", Column.ETA) == ""  # one sample: no rate yet

    clock.now += 60
    model.upsert([_rendering(0, 20.0)])  # 10 % a minute: 80 % left is 8 minutes
    assert _cell(model, "job-00000", Column.ETA) == "8:00"
    assert "estimated" in str(_cell(model, "job-00000", Column.ETA, Qt.ItemDataRole.ToolTipRole))

    clock.now += 60
    model.upsert([_rendering(0, 25.0)])  # slowed down: 15 % in 2 minutes, 75 % left
    assert _cell(model, "job-00000", Column.ETA) == "10:00"

    clock.now += 60
    model.upsert([_rendering(0, 2.0)])  # the render started over: the old rate is void
    assert _cell(model, "job-00000", Column.ETA) == ""
    clock.now += 30
    model.upsert([_rendering(0, 12.0)])  # 10 % in 30 s, measured from the restart only
    assert _cell(model, "job-00000", Column.ETA) == "4:24"  # 88 % left

    clock.now += 60
    model.upsert([make_job(0, raw_status="finished", progress=100.0)])
    assert _cell(model, "job-00000", Column.ETA) == ""


def test_a_job_twice_in_one_refresh_shows_its_last_copy_and_keeps_both_samples() -> None:
    clock = FakeClock()
    model = JobTableModel(clock=clock)
    model.set_jobs([_rendering(0, 10.0), _rendering(1, 50.0)])

    clock.now += 60
    # A refresh can carry a job twice (two writes since the last look), and a retry
    # starting over within the same refresh.
    model.upsert([_rendering(0, 20.0), _rendering(1, 5.0), _rendering(0, 30.0)])

    assert _cell(model, "job-00000", Column.PROGRESS) == "30 %"
    assert _cell(model, "job-00000", Column.ETA) == "3:30"  # 20 % a minute, 70 % left
    assert _cell(model, "job-00001", Column.ETA) == ""  # started over: no rate yet
    assert model.counts()[JobStatus.RENDERING] == 2


def test_sorting_by_eta_puts_the_soonest_first_and_unknown_last() -> None:
    model = JobTableModel()
    model.set_jobs(
        [make_job(0), _rendering(1, 5.0, eta_seconds=900.0), _rendering(2, 50.0, eta_seconds=30.0)]
    )
    model.sort(Column.ETA, Qt.SortOrder.AscendingOrder)
    assert [model.job_at(r).id for r in range(3)] == ["job-00002", "job-00001", "job-00000"]


def test_frames_read_done_over_total_and_sort_by_length() -> None:
    model = JobTableModel()
    model.set_jobs(
        [
            _rendering(0, 4.8, frames_done=12, total_frames=250),
            _rendering(1, 0.0, total_frames=96),
            make_job(2),
            _rendering(3, 50.0, frames_done=48, total_frames=96),
        ]
    )
    assert [model.index(r, Column.FRAMES).data() for r in range(4)] == [
        "12 / 250",
        "? / 96",
        "",
        "48 / 96",
    ]
    model.sort(Column.FRAMES, Qt.SortOrder.DescendingOrder)
    assert [model.job_at(r).id for r in range(4)] == [
        "job-00000",  # the longest render
        "job-00003",  # 96 frames, further along
        "job-00001",
        "job-00002",  # no frame count
    ]


def test_batch_shows_its_name_with_the_id_on_hover() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(0, batch_id="batch-20261102-7f3a9c"), make_job(1)])
    batch = model.index(0, Column.BATCH)
    # Until the name is read from the store: the tail of the id, the whole id on hover.
    assert batch.data() == "7f3a9c"
    assert batch.data(Qt.ItemDataRole.ToolTipRole) == "batch-20261102-7f3a9c"
    changed: list[tuple[int, int, int]] = []
    model.dataChanged.connect(lambda tl, br, _r: changed.append((tl.row(), br.row(), tl.column())))
    model.set_batch_names({"batch-20261102-7f3a9c": "Spring promo (EN, DE, FR).csv"})
    assert batch.data() == "Spring promo (EN, DE, FR).csv"
    assert batch.data(Qt.ItemDataRole.ToolTipRole) == (
        "Spring promo (EN, DE, FR).csv\nBatch id: batch-20261102-7f3a9c"
    )
    assert changed == [(0, 1, Column.BATCH)]
    assert model.index(1, Column.BATCH).data() == ""
    assert model.index(1, Column.BATCH).data(Qt.ItemDataRole.ToolTipRole) is None


def test_sorting_by_batch_follows_the_names_shown() -> None:
    model = JobTableModel()
    model.set_jobs([
        make_job(0, batch_id="b-1"),
        make_job(1, batch_id="b-2"),
        make_job(2, batch_id="b-1"),
    ])  # fmt: skip
    model.set_batch_names({"b-1": "zebra.csv", "b-2": "alpha.csv"})
    model.sort(Column.BATCH, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, Column.BATCH).data() for r in range(3)] == [
        "alpha.csv",
        "zebra.csv",
        "zebra.csv",
    ]
    model.set_batch_names({"b-2": "zulu.csv"})  # renamed: the order follows at once
    assert [model.job_at(r).id for r in range(3)] == ["job-00000", "job-00002", "job-00001"]


def test_duration_runs_until_the_job_ends_and_tick_repaints_only_running_rows() -> None:
    now = [T0 + timedelta(minutes=4, seconds=5)]
    model = JobTableModel(now=lambda: now[0])
    finished = make_job(
        1,
        raw_status="finished",
        progress=100.0,
        started_at=T0,
        finished_at=T0 + timedelta(hours=1, minutes=2, seconds=3),
    )
    model.set_jobs([_rendering(0, 40.0), finished, make_job(2), _rendering(3, 5.0)])
    assert [model.index(r, Column.DURATION).data() for r in range(4)] == [
        "0:04:05",
        "1:02:03",
        "",
        "0:04:05",
    ]
    assert str(model.index(1, Column.DURATION).data(Qt.ItemDataRole.ToolTipRole)).startswith(
        "Finished "
    )

    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _roles=(): changed.append((a.row(), b.row(), a.column(), b.column()))
    )
    now[0] += timedelta(seconds=10)
    model.tick()
    duration = Column.DURATION
    assert changed == [(0, 0, duration, duration), (3, 3, duration, duration)]
    assert model.index(0, Column.DURATION).data() == "0:04:15"
    assert model.index(1, Column.DURATION).data() == "1:02:03"


def test_progress_reads_whole_percents_and_reaches_100_only_when_complete() -> None:
    model = JobTableModel()
    model.set_jobs([_rendering(0, 99.6), make_job(1, raw_status="finished", progress=100.0)])
    assert model.index(0, Column.PROGRESS).data() == "99 %"
    assert model.index(1, Column.PROGRESS).data() == "100 %"
    assert model.index(0, Column.PROGRESS).data(PROGRESS_ROLE) == pytest.approx(99.6)


def test_status_tooltip_names_the_back_ends_own_word() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(0, raw_status="encoding"), make_job(1, raw_status="rendering")])
    assert model.index(0, Column.STATUS).data() == "Rendering"
    assert model.index(0, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole) == (
        "Rendering (local: encoding)"
    )
    assert model.index(1, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole) is None


# -- sorting --------------------------------------------------------------------------------


def _varied_jobs() -> list[Job]:
    return [
        _rendering(0, 30.0, frames_done=3, total_frames=10, eta_seconds=70.0, batch_id="b-2"),
        make_job(1, raw_status="failed", error="Zebra error", output="/r/b.mov"),
        make_job(
            2,
            raw_status="finished",
            progress=100.0,
            started_at=T0,
            finished_at=T0 + timedelta(seconds=30),
            output="/r/a.mov",
            batch_id="b-1",
        ),
        make_job(3, raw_status="cancelled", error="apple"),
        _rendering(4, 80.0, eta_seconds=5.0).with_changes(name="AAA first", connection="farm"),
    ]


@pytest.mark.parametrize("column", list(Column))
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_every_column_sorts_by_its_sort_key(column: Column, order: Qt.SortOrder) -> None:
    model = JobTableModel(now=lambda: T0 + timedelta(minutes=1))
    model.set_jobs(_varied_jobs())
    model.sort(column, order)
    keys = [model.index(r, column).data(SORT_ROLE) for r in range(model.rowCount())]
    assert len({type(k) for k in keys}) == 1  # one key type per column: always comparable
    assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)
    assert model.sort_column() == column


def test_text_columns_sort_without_regard_to_case() -> None:
    model = JobTableModel()
    model.set_jobs(_named("b", "C", "a"))
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert [model.job_at(r).name for r in range(3)] == ["a", "b", "C"]
    model.sort(-1)  # back to arrival order
    assert [model.job_at(r).name for r in range(3)] == ["b", "C", "a"]


def _named(*names: str) -> list[Job]:
    return [make_job(n).with_changes(name=name) for n, name in enumerate(names)]


def test_a_changed_row_moves_to_its_sorted_place_keeping_its_selection() -> None:
    model = JobTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_jobs([_rendering(n, float(10 * n)) for n in range(5)])
    model.sort(Column.PROGRESS, Qt.SortOrder.DescendingOrder)
    selected = QPersistentModelIndex(model.index(model.row_of("job-00001") or 0, Column.NAME))
    resets: list[None] = []
    model.modelReset.connect(lambda: resets.append(None))

    model.upsert([_rendering(1, 95.0)])

    assert [model.job_at(r).id for r in range(5)][:2] == ["job-00001", "job-00004"]
    assert selected.row() == 0
    assert selected.data() == "promo_00001"
    assert resets == []


def test_new_jobs_land_in_sorted_place_in_one_insert() -> None:
    model = JobTableModel()
    model.set_jobs([make_job(n) for n in range(5)])
    model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    inserts: list[tuple[int, int]] = []
    layouts: list[None] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.layoutChanged.connect(lambda: layouts.append(None))

    model.upsert([make_job(7), make_job(6)])

    assert inserts == [(0, 1)]  # newest first: both at the top, together
    assert layouts == []
    assert [model.job_at(r).id for r in range(3)] == ["job-00007", "job-00006", "job-00004"]
    assert model.row_of("job-00000") == 6


def test_many_scattered_new_jobs_still_end_in_order() -> None:
    model = JobTableModel()
    model.set_jobs(_named(*(f"job {n:03d}" for n in range(0, 200, 2))))
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    odd = [make_job(1000 + n).with_changes(name=f"job {n:03d}") for n in range(1, 200, 2)]
    model.upsert(odd)
    names = [model.job_at(r).name for r in range(model.rowCount())]
    assert names == [f"job {n:03d}" for n in range(200)]
    assert all(model.row_of(model.job_at(r).id) == r for r in range(model.rowCount()))


# -- the progress bar ----------------------------------------------------------------------


def _filled(view: QTableView, image: QImage, row: int) -> int:
    """How many pixels across the middle of a Progress cell are the bar's fill colour."""
    rect = view.visualRect(view.model().index(row, Column.PROGRESS))
    y = rect.center().y()
    colours = [image.pixelColor(x, y) for x in range(rect.left(), rect.right())]
    return sum(1 for c in colours if c.blue() - c.red() > 60)


def test_progress_column_paints_a_bar_as_long_as_the_progress(qtbot: QtBot) -> None:
    model = JobTableModel()
    model.set_jobs([_rendering(0, 75.0), _rendering(1, 25.0), make_job(2)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setStyle(QStyleFactory.create("Fusion"))
    view.setModel(model)
    install_delegates(view)
    view.setColumnWidth(Column.PROGRESS, 200)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)

    assert isinstance(view.itemDelegateForColumn(Column.PROGRESS), ProgressDelegate)
    image = view.viewport().grab().toImage()
    three_quarters, quarter, empty = (_filled(view, image, r) for r in range(3))
    assert empty == 0  # not even a one-pixel sliver: nothing has rendered yet
    assert quarter > 20
    assert 2.5 < three_quarters / quarter < 3.5


# -- status icons --------------------------------------------------------------------------


def _centre_colour(icon: QIcon) -> QColor:
    image = icon.pixmap(32, 32).toImage()
    # Off the centre mark, inside the disc or ring.
    return image.pixelColor(6, 16)


def test_each_status_has_its_own_glyph_in_its_own_colour(qapp: QApplication) -> None:
    images = {s: status_icon(s).pixmap(16, 16).toImage() for s in JobStatus}
    assert all(not image.isNull() for image in images.values())
    assert len({bytes(image.constBits()) for image in images.values()}) == len(JobStatus)
    failed = _centre_colour(status_icon(JobStatus.FAILED))
    finished = _centre_colour(status_icon(JobStatus.FINISHED))
    rendering = _centre_colour(status_icon(JobStatus.RENDERING))
    assert failed.red() > failed.green() + 80
    assert finished.green() > finished.red() + 80
    assert rendering.blue() > rendering.red() + 80
    assert status_icon(JobStatus.FAILED) is status_icon(JobStatus.FAILED)  # drawn once


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _palette(base: str, alternate: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(alternate))
    return palette


@pytest.mark.parametrize(
    "palette",
    [
        pytest.param(("#ffffff", "#f7f7f7"), id="light"),
        pytest.param(("#2d2d2d", "#353535"), id="dark"),
        pytest.param(("#1e1e1e", "#262626"), id="darker"),
    ],
)
@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.FINISHED])
def test_status_text_stays_readable_on_light_and_dark_rows(
    qapp: QApplication, palette: tuple[str, str], status: JobStatus
) -> None:
    pal = _palette(*palette)
    colour = status_text_colour(status, pal)
    assert colour is not None
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        assert _contrast(colour, pal.color(role)) >= 4.5  # WCAG AA for body text


def test_the_model_follows_a_dark_palette(qapp: QApplication) -> None:
    model = JobTableModel()
    model.set_jobs([make_job(0, raw_status="failed")])
    light = model.index(0, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole)
    original = QGuiApplication.palette()
    QGuiApplication.setPalette(_palette("#2d2d2d", "#353535"))
    try:
        dark = model.index(0, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole)
    finally:
        QGuiApplication.setPalette(original)
    assert isinstance(light, QColor)
    assert isinstance(dark, QColor)
    assert dark.lightness() > light.lightness()
