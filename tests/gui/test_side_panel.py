"""The side panel: connection health at a glance, batch progress, filter and cancel by batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch, Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.app_services import AppServices
from render_manager.services.connections import ConnectionInfo, TokenState
from render_manager.services.context import AppContext
from render_manager.services.health import Health
from render_manager.ui.connections.model import ConnectionsModel, ConnectionState
from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.side.batch_card import bar_rect
from render_manager.ui.side.batches_model import BATCH_COUNTS_ROLE, BatchColumn, BatchesModel
from render_manager.ui.side.panel import SidePanel

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _info(
    name: str, kind: BackendKind, token: TokenState, error: str | None = None
) -> ConnectionInfo:
    url = "http://farm.local:3050" if kind is BackendKind.NEXRENDER_SERVER else None
    return ConnectionInfo(Connection(name=name, kind=kind, url=url), token, error)


def _job(n: int, batch: str | None, status: JobStatus = JobStatus.QUEUED, **fields: object) -> Job:
    return Job(
        id=f"job-{n:03d}",
        connection="cloud",
        name=f"shot {n}",
        status=status,
        raw_status=status.value,
        created_at=T0 + timedelta(minutes=n),
        batch_id=batch,
        **fields,  # type: ignore[arg-type]
    )


def _texts(model: ConnectionsModel) -> dict[str, str]:
    return {name: model.index(row).data() for row, name in enumerate(model.names())}


def test_connections_show_ok_unhealthy_with_the_error_and_token_missing(
    qtmodeltester: ModelTester,
) -> None:
    model = ConnectionsModel()
    qtmodeltester.check(model, force_py=True)
    model.set_connections(
        [
            _info("cloud", BackendKind.NEXRENDER_CLOUD, TokenState.SET),
            _info("rendley", BackendKind.RENDLEY, TokenState.MISSING),
            _info("farm", BackendKind.NEXRENDER_SERVER, TokenState.MISSING),
            _info("local", BackendKind.LOCAL, TokenState.NOT_NEEDED),
        ]
    )
    assert model.names() == ["cloud", "farm", "local", "rendley"]
    model.set_health(
        {
            "cloud": Health(True, None, T0),
            "farm": Health(False, "farm: GET jobs/status failed: timed out", T0),
        }
    )
    texts = _texts(model)
    assert texts["cloud"] == "cloud\nOK"
    assert texts["farm"] == "farm\nUnhealthy: farm: GET jobs/status failed: timed out"
    assert texts["rendley"] == "rendley\nToken missing: add it in Connections"
    assert texts["local"] == "local\nLocal engine"
    tooltip = model.index(model.names().index("farm")).data(Qt.ItemDataRole.ToolTipRole)
    assert "http://farm.local:3050" in tooltip
    assert "Last checked" in tooltip

    # A later success clears the error; a removed connection leaves; a new one arrives.
    model.set_health({"farm": Health(True, None, T0)})
    assert _texts(model)["farm"] == "farm\nOK"
    model.set_connections(
        [
            _info(
                "cloud", BackendKind.NEXRENDER_CLOUD, TokenState.UNKNOWN, "the keyring is locked"
            ),
            _info("alpha", BackendKind.RENDLEY, TokenState.SET),
        ]
    )
    assert model.names() == ["alpha", "cloud"]
    # The cloud's last exchange worked, but its token can no longer be read: the keyring says
    # why, before the next request fails for it.
    cloud = model.row("cloud")
    assert cloud is not None
    assert cloud.state is ConnectionState.KEYRING_ERROR
    assert _texts(model)["cloud"] == "cloud\nKeyring: the keyring is locked"
    assert _texts(model)["alpha"] == "alpha\nNot checked yet"


def test_keyring_trouble_is_shown_when_nothing_else_is_known() -> None:
    model = ConnectionsModel()
    model.set_connections(
        [_info("cloud", BackendKind.NEXRENDER_CLOUD, TokenState.UNKNOWN, "no OS keyring")]
    )
    assert _texts(model)["cloud"] == "cloud\nKeyring: no OS keyring"


def test_batches_follow_the_job_table_row_by_row(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    jobs = JobTableModel()
    batches = BatchesModel(now=lambda: T0 + timedelta(hours=2))
    qtmodeltester.check(batches, force_py=True)
    jobs.set_jobs([_job(1, "b1"), _job(2, "b1"), _job(3, "b2"), _job(4, None)])
    batches.set_jobs(jobs.jobs())
    assert batches.batch_ids() == ["b2", "b1"]  # newest first
    with qtbot.waitSignal(batches.dataChanged) as changed:
        batches.update([_job(1, "b1", JobStatus.FINISHED, progress=100.0)])
    assert changed.args is not None
    assert changed.args[0].row() == batches.batch_ids().index("b1")
    b1 = batches.progress_of("b1")
    assert b1 is not None
    assert (b1.counts.finished, b1.counts.pending) == (1, 1)
    row = batches.batch_ids().index("b1")
    assert batches.index(row, BatchColumn.PROGRESS).data() == "50 %"
    assert batches.index(row, BatchColumn.PROGRESS).data(PROGRESS_ROLE) == 50.0
    assert batches.index(row, BatchColumn.NAME).data(BATCH_COUNTS_ROLE) == "1 of 2 finished"
    batches.update([_job(5, "b3")])
    assert batches.batch_ids() == ["b3", "b2", "b1"]
    batches.remove(["job-003"])
    assert batches.batch_ids() == ["b3", "b1"]


def _row_texts(batches: BatchesModel, batch_id: str) -> tuple[str, str, str, object]:
    row = batches.batch_ids().index(batch_id)
    bar = batches.index(row, BatchColumn.PROGRESS)
    return (
        batches.index(row, BatchColumn.NAME).data(BATCH_COUNTS_ROLE),
        bar.data(),
        batches.index(row, BatchColumn.ETA).data(),
        bar.data(PROGRESS_ROLE),
    )


def _ended(batch: str, first: int, **counts: int) -> list[Job]:
    statuses = [JobStatus(name) for name, count in counts.items() for _ in range(count)]
    return [_job(first + n, batch, status) for n, status in enumerate(statuses)]


def test_cancelled_jobs_are_never_counted_as_done(qtmodeltester: ModelTester) -> None:
    batches = BatchesModel(now=lambda: T0 + timedelta(hours=2))
    qtmodeltester.check(batches, force_py=True)
    batches.set_jobs(
        _ended("five", 0, finished=2, cancelled=3)
        + _ended("fifty", 10, finished=8, cancelled=42)
        + _ended("mixed", 100, finished=2, failed=1, cancelled=1)
        + _ended("gone", 200, cancelled=4)
        + _ended("broken", 300, failed=2, cancelled=1)
    )
    # Everything that was to render rendered: the bar is full, the words say what happened.
    assert _row_texts(batches, "five") == ("2 of 5 finished · 3 cancelled", "100 %", "done", 100.0)
    assert _row_texts(batches, "fifty") == (
        "8 of 50 finished · 42 cancelled",
        "100 %",
        "done",
        100.0,
    )
    assert _row_texts(batches, "mixed") == (
        "2 of 4 finished · 1 failed · 1 cancelled",
        "100 %",
        "ended",
        100.0,
    )
    # Nothing was left to render: no percentage at all, not 100 %.
    assert _row_texts(batches, "gone") == ("0 of 4 finished · 4 cancelled", "cancelled", "", None)
    assert _row_texts(batches, "broken") == (
        "0 of 3 finished · 2 failed · 1 cancelled",
        "failed",
        "",
        None,
    )
    tooltip = batches.index(batches.batch_ids().index("fifty"), 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "8 finished, 0 rendering, 0 queued, 0 failed, 42 cancelled" in tooltip


def test_a_running_batch_counts_its_progress_over_the_work_still_to_do() -> None:
    now = T0 + timedelta(minutes=40)
    batches = BatchesModel(now=lambda: now)
    started = {"started_at": T0}
    jobs = [_job(n, "b", JobStatus.FINISHED, progress=100.0, **started) for n in range(2)]
    jobs += [_job(n, "b", JobStatus.CANCELLED) for n in range(2, 5)]
    jobs += [_job(5, "b", JobStatus.RENDERING, progress=50.0, **started), _job(6, "b")]
    batches.set_jobs(jobs)
    # 2.5 of the 4 jobs that will render; 2.5 done in 40 minutes, 1.5 left: 24 minutes.
    counts, bar, eta, percent = _row_texts(batches, "b")
    assert (counts, bar, percent) == ("2 of 7 finished · 3 cancelled", "62 %", 62.5)
    assert eta == "24:00"


def _panel(qtbot: QtBot, ctx: AppContext) -> tuple[SidePanel, JobTableModel]:
    panel = SidePanel(AppServices(ctx))
    qtbot.addWidget(panel)
    model = JobTableModel()
    panel.watch(model)
    return panel, model


def test_panel_tracks_inserts_changes_and_removals_of_the_job_table(
    qtbot: QtBot, ctx: AppContext
) -> None:
    panel, model = _panel(qtbot, ctx)
    model.set_jobs([_job(1, "b1"), _job(2, "b1", JobStatus.RENDERING, progress=40.0)])
    assert panel.batches.batch_ids() == ["b1"]
    model.upsert([_job(3, "b2"), _job(1, "b1", JobStatus.FAILED)])
    b1 = panel.batches.progress_of("b1")
    assert b1 is not None
    assert (b1.counts.failed, b1.counts.pending) == (1, 1)
    assert panel.batches.batch_ids() == ["b2", "b1"]
    model.remove(["job-003"])
    assert panel.batches.batch_ids() == ["b1"]
    # The table's clock tick repaints durations only: the batches are not recomputed.
    with qtbot.assertNotEmitted(panel.batches.dataChanged):
        model.tick()


def test_clicking_a_batch_filters_to_it_and_show_all_clears(qtbot: QtBot, ctx: AppContext) -> None:
    panel, model = _panel(qtbot, ctx)
    model.set_jobs([_job(1, "b1"), _job(2, "b2", JobStatus.FINISHED)])
    panel.show()
    row = panel.batches.batch_ids().index("b1")
    rect = panel.batch_view.visualRect(panel.batches.index(row, 0))
    with qtbot.waitSignal(panel.batch_selected) as selected:
        qtbot.mouseClick(panel.batch_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == ["b1"]
    assert panel.show_all_button.isEnabled()
    with qtbot.waitSignal(panel.batch_selected) as cleared:
        panel.show_all_button.click()
    assert cleared.args == [None]


def test_cancel_batch_asks_the_window_for_that_batch_and_only_while_it_runs(
    qtbot: QtBot, ctx: AppContext
) -> None:
    panel, model = _panel(qtbot, ctx)
    model.set_jobs([_job(1, "running"), _job(2, "ended", JobStatus.FINISHED)])
    panel.select_batch("ended")
    assert not panel.cancel_batch_action.isEnabled()
    panel.select_batch("running")
    assert panel.cancel_batch_action.isEnabled()
    with qtbot.waitSignal(panel.cancel_batch_requested) as requested:
        panel.cancel_batch_action.trigger()
    assert requested.args == ["running"]


def test_panel_loads_connections_and_batch_names_off_the_gui_thread(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.add_batch(
        Batch(id="b1", connection="cloud", name="Holiday promos", created_at=T0),
        [_job(1, "b1")],
    )
    panel, model = _panel(qtbot, ctx)

    async def scenario() -> None:
        await panel.load_connections()
        model.set_jobs(ctx.jobs.list())
        await panel._tasks.wait_idle()  # the name lookup started by the reset

    qloop.run_until_complete(scenario())
    assert _texts(panel.connections)["cloud"] == "cloud\nToken missing: add it in Connections"
    assert panel.batches.index(0, BatchColumn.NAME).data() == "Holiday promos"


def test_a_batch_card_fills_its_bar_only_with_work_that_was_done(
    qtbot: QtBot, ctx: AppContext
) -> None:
    panel, model = _panel(qtbot, ctx)
    model.set_jobs(_ended("fifty", 0, finished=8, cancelled=42) + _ended("gone", 100, cancelled=5))
    panel.resize(260, 400)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.batch_view
    image = view.viewport().grab().toImage()
    highlight = view.palette().color(QPalette.ColorRole.Highlight)

    def bar_end_colour(batch_id: str) -> QColor:
        index = panel.batches.index(panel.batches.batch_ids().index(batch_id), BatchColumn.NAME)
        bar = bar_rect(view.visualRect(index), QFontMetrics(view.font()))
        ratio = image.devicePixelRatio()
        return image.pixelColor(int((bar.right() - 3) * ratio), int(bar.center().y() * ratio))

    # Every job that was to render did: full to the end. None was left: an empty groove.
    assert bar_end_colour("fifty") == highlight
    assert bar_end_colour("gone") != highlight
