"""Start-up over a big home: the jobs added last show at once, the table says it is
loading until every job is read, and what the user selects meanwhile stays selected."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Batch
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.store.jobs import JobChanges
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window import main_window
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job, open_window


@pytest.fixture
def gate(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Holds the window's full read of the store until set (a slow disk, a big home)."""
    opened = threading.Event()
    read_all: Callable[[], JobChanges] = ctx.jobs.everything

    def slow_read_all() -> JobChanges:
        opened.wait(10)
        return read_all()

    monkeypatch.setattr(ctx.jobs, "everything", slow_read_all)
    return opened


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 5)


def _names(window: MainWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]


def test_an_empty_table_says_loading_until_the_jobs_are_read(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, gate: threading.Event
) -> None:
    window = MainWindow(AppServices(ctx))
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> None:
        load = asyncio.ensure_future(window.load())
        await _until(lambda: "Loading" in window.empty_hint.label.text())
        assert window.empty_hint.label.isVisible()
        assert "No jobs yet" not in window.empty_hint.label.text()
        assert window.counts_label.text() == "Loading jobs…"
        gate.set()
        await load

    qloop.run_until_complete(scenario())
    assert "No jobs yet" in window.empty_hint.label.text()
    assert "Total: 0" in window.counts_label.text()


def test_the_jobs_added_last_show_first_and_a_selection_survives_the_full_load(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    gate: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(main_window, "FIRST_PAGE", 3)
    ctx.jobs.upsert_many([make_job(n) for n in range(8)])
    window = MainWindow(AppServices(ctx))
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> None:
        load = asyncio.ensure_future(window.load())
        await _until(lambda: window.proxy.rowCount() > 0)
        assert _names(window) == ["promo_00007", "promo_00006", "promo_00005"]
        assert window.counts_label.text() == "Loading jobs…"
        assert not window.empty_hint.label.isVisible()
        window.table.selectionModel().select(
            window.proxy.index(1, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        gate.set()
        await load

    qloop.run_until_complete(scenario())
    assert _names(window) == [f"promo_{n:05d}" for n in range(7, -1, -1)]
    selected = window.table.selectionModel().selectedRows()
    assert [i.data(JOB_ROLE).id for i in selected] == ["job-00006"]
    assert "Total: 8" in window.counts_label.text()


def test_batches_read_in_the_full_load_are_listed_and_named_in_the_table(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(main_window, "FIRST_PAGE", 1)
    jobs = [make_job(1, batch_id="01JD8S7Q2M4X"), make_job(2, batch_id="01JD8S7Q2M4X")]
    ctx.jobs.add_batch(Batch("01JD8S7Q2M4X", "local", "spring_promo.csv", jobs[0].created_at), jobs)
    ctx.jobs.upsert_many([make_job(3)])  # added last: the first page holds only this one
    window = open_window(qtbot, qloop, ctx)

    assert window.side_panel.batches.batch_ids() == ["01JD8S7Q2M4X"]
    proxy = window.proxy
    qtbot.waitUntil(lambda: proxy.index(1, Column.BATCH).data() == "spring_promo.csv")
    assert proxy.index(2, Column.BATCH).data() == "spring_promo.csv"
    assert "01JD8S7Q2M4X" in proxy.index(1, Column.BATCH).data(Qt.ItemDataRole.ToolTipRole)
    assert proxy.index(0, Column.BATCH).data() == ""
