"""The filter over the job table: each filter alone and together, live updates, sorting."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.table_model import JobTableModel
from tests.gui.conftest import make_job


def _jobs() -> list[Job]:
    return [
        make_job(0, batch_id="batch-aaa111"),
        make_job(1, raw_status="rendering", progress=40.0, batch_id="batch-aaa111"),
        make_job(2, raw_status="failed", error="aerender ERROR: No comp was found named 'Main'"),
        make_job(3, raw_status="finished", progress=100.0, output="/renders/Intro_FINAL.mov"),
        make_job(4, raw_status="cancelled", batch_id="batch-bbb222"),
        make_job(5).with_changes(connection="farm", name="Outro v2"),
        make_job(6, raw_status="cancelled").with_changes(connection="farm"),
    ]


@pytest.fixture
def model() -> JobTableModel:
    source = JobTableModel()
    source.set_jobs(_jobs())
    return source


@pytest.fixture
def proxy(model: JobTableModel) -> JobFilterModel:
    filtered = JobFilterModel()
    filtered.setSourceModel(model)
    return filtered


def _ids(proxy: JobFilterModel) -> list[str]:
    return sorted(proxy.job_at(r).id for r in range(proxy.rowCount()))


def _names(proxy: JobFilterModel) -> list[str]:
    return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]


def test_without_filters_every_job_shows(proxy: JobFilterModel) -> None:
    assert proxy.rowCount() == 7
    assert not proxy.is_filtering


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("OUTRO", ["job-00005"], id="name, any case"),
        pytest.param("farm", ["job-00005", "job-00006"], id="connection"),
        pytest.param("Failed", ["job-00002"], id="status"),
        pytest.param("no comp was found", ["job-00002"], id="error"),
        pytest.param("intro_final", ["job-00003"], id="output"),
        pytest.param("aaa111", ["job-00000", "job-00001"], id="batch"),
        pytest.param("farm cancelled", ["job-00006"], id="every term must match"),
        pytest.param("  ", [f"job-{n:05d}" for n in range(7)], id="blank shows all"),
    ],
)
def test_text_filter_matches_the_fields_a_user_would_search(
    proxy: JobFilterModel, text: str, expected: list[str]
) -> None:
    proxy.set_text_filter(text)
    assert _ids(proxy) == expected
    assert proxy.text_filter == text


def test_text_never_matches_across_two_fields(proxy: JobFilterModel) -> None:
    # "local" ends one field and "queued" starts another: typed together they match nothing.
    proxy.set_text_filter("localqueued")
    assert proxy.rowCount() == 0


def test_status_filter_shows_only_the_chosen_statuses(proxy: JobFilterModel) -> None:
    proxy.set_status_filter({JobStatus.FAILED, JobStatus.FINISHED})
    assert _ids(proxy) == ["job-00002", "job-00003"]
    proxy.set_status_filter(set())
    assert proxy.rowCount() == 0
    proxy.set_status_filter(None)
    assert proxy.rowCount() == 7


def test_connection_filter_shows_one_connection(proxy: JobFilterModel) -> None:
    proxy.set_connection_filter("farm")
    assert _ids(proxy) == ["job-00005", "job-00006"]
    proxy.set_connection_filter(None)
    assert proxy.rowCount() == 7


def test_batch_filter_shows_one_batch(proxy: JobFilterModel) -> None:
    proxy.set_batch_filter("batch-aaa111")
    assert _ids(proxy) == ["job-00000", "job-00001"]
    proxy.set_batch_filter("batch-aaa")  # an exact id, not a prefix
    assert proxy.rowCount() == 0


def test_hide_cancelled_hides_them_without_removing_them(
    proxy: JobFilterModel, model: JobTableModel
) -> None:
    proxy.set_hide_cancelled(True)
    assert "job-00004" not in _ids(proxy)
    assert "job-00006" not in _ids(proxy)
    assert proxy.rowCount() == 5
    assert model.rowCount() == 7  # still there, for their logs
    proxy.set_hide_cancelled(False)
    assert proxy.rowCount() == 7


def test_filters_combine_and_clear_together(proxy: JobFilterModel) -> None:
    proxy.set_connection_filter("farm")
    proxy.set_hide_cancelled(True)
    assert _ids(proxy) == ["job-00005"]
    proxy.set_text_filter("outro")
    proxy.set_status_filter({JobStatus.QUEUED})
    assert _ids(proxy) == ["job-00005"]
    proxy.set_text_filter("intro")
    assert proxy.rowCount() == 0

    proxy.clear_filters()
    assert proxy.rowCount() == 7
    assert not proxy.is_filtering
    assert proxy.text_filter == ""


def test_counts_follow_the_filters(proxy: JobFilterModel) -> None:
    proxy.set_connection_filter("local")
    proxy.set_hide_cancelled(True)
    counts = proxy.counts()
    shown = Counter(proxy.job_at(r).status for r in range(proxy.rowCount()))
    assert counts == {status: shown[status] for status in JobStatus}
    assert counts[JobStatus.CANCELLED] == 0
    assert counts[JobStatus.QUEUED] == 1
    assert sum(counts.values()) == proxy.rowCount() == 4


def test_a_job_enters_and_leaves_the_filter_as_it_changes(
    proxy: JobFilterModel, model: JobTableModel
) -> None:
    proxy.set_status_filter({JobStatus.FAILED})
    assert _ids(proxy) == ["job-00002"]

    model.upsert([make_job(1, raw_status="failed", error="aerender crashed")])
    assert _ids(proxy) == ["job-00001", "job-00002"]

    proxy.set_text_filter("crashed")
    assert _ids(proxy) == ["job-00001"]
    # A renamed or re-errored job is searched by its new text, not a stale copy.
    model.upsert([make_job(1, raw_status="failed", error="out of memory")])
    assert proxy.rowCount() == 0

    model.remove(["job-00001"])
    proxy.set_text_filter("")
    assert _ids(proxy) == ["job-00002"]


def test_new_jobs_that_match_appear_and_others_stay_hidden(
    proxy: JobFilterModel, model: JobTableModel
) -> None:
    proxy.set_text_filter("promo_0001")
    assert proxy.rowCount() == 0
    model.upsert([make_job(10), make_job(20), make_job(11)])
    assert _ids(proxy) == ["job-00010", "job-00011"]


def test_the_window_filter_box_slot_still_filters(proxy: JobFilterModel) -> None:
    proxy.setFilterFixedString("OUTRO")
    assert _ids(proxy) == ["job-00005"]


def test_filtering_never_calls_into_the_model_per_row() -> None:
    """Typing in the filter box stays instant on a big table: the filter reads the model's
    jobs directly, never data() per row (Qt's default filter formats every cell)."""
    roles: Counter[int] = Counter()

    class CountingModel(JobTableModel):
        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
            roles[role] += 1
            return super().data(index, role)

    source = CountingModel()
    source.set_jobs([make_job(n) for n in range(500)])
    proxy = JobFilterModel()
    proxy.setSourceModel(source)
    assert proxy.rowCount() == 500
    roles.clear()

    proxy.set_text_filter("promo_000")
    assert proxy.rowCount() == 100
    proxy.set_status_filter({JobStatus.QUEUED})
    assert proxy.rowCount() == 100
    assert roles == {}


def test_proxy_passes_the_qt_model_tester_through_filter_and_data_changes(
    qtmodeltester: ModelTester, proxy: JobFilterModel, model: JobTableModel
) -> None:
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_hide_cancelled(True)
    proxy.set_text_filter("promo")
    model.upsert([make_job(0, raw_status="cancelled"), make_job(30), make_job(31)])
    proxy.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    model.remove(["job-00003"])
    proxy.set_connection_filter("local")
    qtmodeltester.check(proxy, force_py=True)
    assert _ids(proxy) == ["job-00001", "job-00002", "job-00030", "job-00031"]


# -- sorting through the view -----------------------------------------------------------------


def _view(qtbot: QtBot, proxy: JobFilterModel) -> QTableView:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    return view


def test_clicking_a_header_sorts_the_filtered_rows(
    qtbot: QtBot, proxy: JobFilterModel, model: JobTableModel
) -> None:
    view = _view(qtbot, proxy)
    proxy.set_connection_filter("local")
    view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    # Newest first; jobs 0 and 1 are one batch: together, in their rows' order.
    assert _names(proxy) == [f"promo_{n:05d}" for n in (4, 3, 2, 0, 1)]

    view.sortByColumn(Column.STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [proxy.job_at(r).status for r in range(proxy.rowCount())]
    assert statuses == sorted(statuses, key=list(JobStatus).index)
    assert model.sort_column() == Column.STATUS


def test_selection_survives_sorting_and_refreshes(
    qtbot: QtBot, proxy: JobFilterModel, model: JobTableModel
) -> None:
    view = _view(qtbot, proxy)
    view.sortByColumn(Column.PROGRESS, Qt.SortOrder.DescendingOrder)
    row = next(r for r in range(proxy.rowCount()) if proxy.job_at(r).id == "job-00005")
    view.selectionModel().select(
        proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )

    view.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    model.upsert([make_job(5, raw_status="rendering", progress=99.0), make_job(40)])
    view.sortByColumn(Column.PROGRESS, Qt.SortOrder.DescendingOrder)

    selected = view.selectionModel().selectedRows()
    assert [i.data(JOB_ROLE).id for i in selected] == ["job-00005"]
    assert selected[0].row() == 1  # behind the finished job at 100 %


def test_a_new_job_shows_on_top_when_newest_are_first(
    qtbot: QtBot, proxy: JobFilterModel, model: JobTableModel
) -> None:
    view = _view(qtbot, proxy)
    view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    model.upsert([make_job(50)])
    assert proxy.index(0, Column.NAME).data() == "promo_00050"


def test_selection_survives_narrowing_the_filter(qtbot: QtBot, proxy: JobFilterModel) -> None:
    view = _view(qtbot, proxy)
    row = next(r for r in range(proxy.rowCount()) if proxy.job_at(r).id == "job-00002")
    view.selectionModel().select(
        proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )

    proxy.set_status_filter({JobStatus.FAILED, JobStatus.QUEUED})
    proxy.set_text_filter("promo")

    selected = view.selectionModel().selectedRows()
    assert [i.data(JOB_ROLE).id for i in selected] == ["job-00002"]
    proxy.set_text_filter("outro")  # hides it: nothing selected is left on screen
    assert view.selectionModel().selectedRows() == []


def test_a_reload_of_every_job_reaches_the_filtered_view(qtlog: Any) -> None:
    model = JobTableModel()
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    seen: list[int] = []
    proxy.modelReset.connect(lambda: seen.append(proxy.rowCount()))
    for jobs in (_jobs(), _jobs()[:3], [], _jobs()):
        model.set_jobs(jobs)
        proxy.set_hide_cancelled(not proxy.hide_cancelled)
    # Cancelled jobs hidden on the second and fourth loads: 2 of the 7 are cancelled.
    assert seen == [7, 3, 0, 5]
    assert proxy.rowCount() == 7
    unfinished = [m.message for m in qtlog.records if "endResetModel" in m.message]
    assert unfinished == []


# -- the rows shown, against a plain reading of the filters ---------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_shown_rows_follow_every_kind_of_source_change(
    qtmodeltester: ModelTester, seed: int
) -> None:
    """Filters set and cleared while jobs arrive, change, leave, are reloaded and re-sorted:
    the rows shown are always exactly the source's matching rows, in the source's order."""
    rng = random.Random(seed)
    statuses = ["queued", "rendering", "failed", "finished", "cancelled"]

    def job(n: int) -> Job:
        return make_job(
            n,
            raw_status=rng.choice(statuses),
            connection=rng.choice(["local", "farm"]),
            batch_id=rng.choice([None, "b1", "b2"]),
        ).with_changes(name=f"{rng.choice(['intro', 'outro', 'promo'])}_{n:05d}")

    model = JobTableModel()
    model.set_jobs([job(n) for n in range(60)])
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    next_id = 60
    for _step in range(60):
        action = rng.randrange(10)
        if action == 0:
            proxy.set_text_filter(rng.choice(["", "o", "ou", "outro", "pro 1", "in"]))
        elif action == 1:
            proxy.set_status_filter(rng.choice([None, {JobStatus.FAILED}, set(JobStatus)]))
        elif action == 2:
            proxy.set_connection_filter(rng.choice([None, "farm"]))
        elif action == 3:
            proxy.set_batch_filter(rng.choice([None, "b1"]))
        elif action == 4:
            proxy.set_hide_cancelled(rng.random() < 0.5)
        elif action == 5:
            ids = [j.id for j in model.jobs()]
            model.remove(rng.sample(ids, min(len(ids), rng.randrange(1, 6))))
        elif action == 6:
            model.upsert([job(next_id + k) for k in range(rng.randrange(1, 8))])
            next_id += 8
        elif action == 7:
            known = [int(j.id[4:]) for j in model.jobs()]
            model.upsert([job(n) for n in rng.sample(known, min(len(known), 10))])
        elif action == 8:
            model.replace_jobs([*model.jobs()[::2], job(next_id)])  # a full reload
            next_id += 1
        else:
            model.sort(rng.choice([-1, Column.NAME, Column.STATUS, Column.CREATED]),
                       rng.choice(list(Qt.SortOrder)))  # fmt: skip
        expected = [j.id for j in model.jobs() if proxy.accepts(j)]
        assert [proxy.job_at(r).id for r in range(proxy.rowCount())] == expected
        names = [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]
        assert names == [j.name for j in model.jobs() if proxy.accepts(j)]


def test_a_painted_cell_gets_every_role_in_one_call_and_the_same_as_data(
    proxy: JobFilterModel,
) -> None:
    """Qt's delegate asks a cell for its roles through multiData: the answers are those
    of data(), for the rows shown."""
    proxy.set_hide_cancelled(True)
    roles = [
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.DecorationRole),
        int(Qt.ItemDataRole.ForegroundRole),
        int(Qt.ItemDataRole.TextAlignmentRole),
        int(Qt.ItemDataRole.FontRole),
        JOB_ROLE,
    ]
    for row in range(proxy.rowCount()):
        for column in (Column.NAME, Column.STATUS, Column.PROGRESS):
            index = proxy.index(row, column)
            for role in roles:
                asked = QModelRoleData(role)
                proxy.multiData(index, QModelRoleDataSpan(asked))
                got, expected = asked.data(), index.data(role)
                if isinstance(expected, QIcon):  # icons compare by their cache key
                    got, expected = got.cacheKey(), expected.cacheKey()
                assert got == expected, (row, column, role)
    name = QModelRoleData(int(Qt.ItemDataRole.DisplayRole))
    proxy.multiData(proxy.index(0, Column.NAME), QModelRoleDataSpan(name))
    assert name.data() == proxy.job_at(0).name


def test_text_filter_finds_jobs_by_their_batch_name_even_when_it_arrives_later(
    proxy: JobFilterModel, model: JobTableModel
) -> None:
    proxy.set_text_filter("spring")
    assert proxy.rowCount() == 0
    model.set_batch_names({"batch-aaa111": "Spring promo.csv"})  # read from the store
    assert _ids(proxy) == ["job-00000", "job-00001"]
    model.set_batch_names({"batch-bbb222": "Spring teaser.csv"})
    assert _ids(proxy) == ["job-00000", "job-00001", "job-00004"]
    proxy.set_text_filter("spring teaser")
    assert _ids(proxy) == ["job-00004"]


def test_the_clock_moving_duration_on_reaches_the_filtered_rows_without_refiltering(
    proxy: JobFilterModel, model: JobTableModel
) -> None:
    proxy.set_status_filter({JobStatus.RENDERING})
    model.upsert(
        [make_job(1, raw_status="rendering", progress=40.0, started_at=make_job(1).created_at)]
    )
    seen: list[tuple[int, int, int]] = []
    proxy.dataChanged.connect(lambda tl, br, _r: seen.append((tl.row(), br.row(), tl.column())))
    layouts: list[int] = []
    proxy.layoutChanged.connect(lambda *_a: layouts.append(1))
    model.tick()
    assert seen == [(0, 0, Column.DURATION)]
    assert layouts == []
