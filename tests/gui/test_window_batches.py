"""The window's side panel over a real store: what a batch card says after a cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import qasync
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch, Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.ui.jobs.cell_roles import PROGRESS_ROLE
from render_manager.ui.side.batches_model import BATCH_COUNTS_ROLE, BatchColumn
from tests.gui.conftest import open_window

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _store_batch(ctx: AppContext, batch_id: str, name: str, statuses: list[JobStatus]) -> None:
    jobs = [
        Job(
            id=f"{batch_id}-{n:02d}",
            connection="cloud",
            name=f"{name} row {n}",
            status=status,
            raw_status=status.value,
            created_at=T0 + timedelta(seconds=n),
            batch_id=batch_id,
        )
        for n, status in enumerate(statuses)
    ]
    ctx.jobs.add_batch(Batch(batch_id, "cloud", name, T0), jobs)


def test_a_mostly_cancelled_batch_reads_what_finished_and_what_was_cancelled(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    _store_batch(
        ctx, "b50", "spring_promo.csv", [JobStatus.FINISHED] * 8 + [JobStatus.CANCELLED] * 42
    )

    window = open_window(qtbot, qloop, ctx)

    view = window.side_panel.batch_view
    model = view.model()
    qtbot.waitUntil(lambda: model.index(0, BatchColumn.NAME).data() == "spring_promo.csv")
    assert model.index(0, BatchColumn.NAME).data(BATCH_COUNTS_ROLE) == (
        "8 of 50 finished · 42 cancelled"
    )
    assert model.index(0, BatchColumn.PROGRESS).data() == "100 %"
    assert model.index(0, BatchColumn.ETA).data() == "done"
    # The card has room for its three lines: name and ETA, the bar, the counts.
    card = view.visualRect(model.index(0, BatchColumn.NAME))
    assert card.height() >= 3 * QFontMetrics(view.font()).height()
    assert card.width() >= view.viewport().width() - 2


def test_a_batch_whose_jobs_were_all_cancelled_reads_cancelled_not_100(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    _store_batch(ctx, "b5", "mistake.csv", [JobStatus.CANCELLED] * 5)

    window = open_window(qtbot, qloop, ctx)

    model = window.side_panel.batch_view.model()
    qtbot.waitUntil(lambda: model.index(0, BatchColumn.NAME).data() == "mistake.csv")
    assert model.index(0, BatchColumn.PROGRESS).data() == "cancelled"
    assert model.index(0, BatchColumn.PROGRESS).data(PROGRESS_ROLE) is None
    assert (
        model.index(0, BatchColumn.NAME).data(BATCH_COUNTS_ROLE) == "0 of 5 finished · 5 cancelled"
    )


def test_a_job_s_details_name_its_batch_as_the_table_does(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    _store_batch(ctx, "01JD8S7Q2M4X", "spring_promo.csv", [JobStatus.QUEUED] * 2)
    window = open_window(qtbot, qloop, ctx)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 2)

    window.table.selectRow(0)

    batch = window.details.values["Batch"]
    qtbot.waitUntil(lambda: batch.text() == "spring_promo.csv (01JD8S7Q2M4X)")
