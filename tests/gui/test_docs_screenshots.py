"""The cancel and Connections dialogs as a user meets them, grabbed to docs/ for the README."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch
from render_manager.domain.status import BackendKind
from render_manager.services.context import AppContext
from render_manager.ui.cancel.dialog import Section
from render_manager.ui.jobs.columns import Column
from render_manager.ui.retry.flow import RetrySection
from tests.gui.conftest import open_window
from tests.gui.test_screenshot import _BATCH, _NOW, _jobs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _until(qloop: qasync.QEventLoop, condition: Callable[[], object]) -> None:
    """Run the window's loop (its background steps need it) until `condition` holds."""

    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(wait(), 10))


def _save(widget: QWidget, name: str) -> QImage:
    image = widget.grab().toImage()
    DOCS.mkdir(exist_ok=True)
    assert image.save(str(DOCS / name))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, f"{name} rendered as a flat image"
    return image


@pytest.mark.gui
def test_cancel_dialog_screenshot(qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    jobs = _jobs()
    ctx.jobs.add_batch(Batch(_BATCH, "local", "spring_promo.csv", _NOW), jobs)
    window = open_window(qtbot, qloop, ctx)
    window.model.upsert([job for job in jobs if job.frames_done is not None])
    # Everything but the finished jobs: queued, rendering, failed and cancelled ones.
    wanted = {"Spring promo 9x16 (EN)", "Lower third: Dr. Anna Weber", "Title card (old comp)"}
    wanted |= {"Lower third: Marc Dubois", "Sports bumper v3", "Spring promo 9x16 (DE)"}
    selection = window.table.selectionModel()
    for row in range(window.proxy.rowCount()):
        if window.proxy.index(row, Column.NAME).data() in wanted:
            selection.select(
                window.proxy.index(row, 0),
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )
    assert len(window.selected_jobs()) == len(wanted)
    window.commands.cancel.trigger()  # Delete; the keys themselves are tested elsewhere
    _until(qloop, lambda: window.cancel_flow.dialog is not None)
    dialog = window.cancel_flow.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qloop.run_until_complete(asyncio.sleep(0.3))

    _save(dialog, "cancel-dialog.png")
    # What the user is told before anything happens: two queued jobs cancelled, two renders
    # stopped, and the ended ones refused with the reason.
    counts = {s: dialog.section(s) for s in (Section.CANCEL, Section.STOP, Section.REFUSED)}
    assert {s: item.childCount() if item else 0 for s, item in counts.items()} == {
        Section.CANCEL: 2,
        Section.STOP: 2,
        Section.REFUSED: 2,
    }
    dialog.reject()


@pytest.mark.gui
def test_connections_dialog_screenshot(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    ctx.connections.add(Connection(name="studio-cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.keychain.set("studio-cloud", "nx_docs_screenshot_token")
    ctx.connections.add(
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://farm.local:3050")
    )
    ctx.connections.add(Connection(name="rendley", kind=BackendKind.RENDLEY))
    window = open_window(qtbot, qloop, ctx)
    dialog = window.dialogs.connections("local")
    qtbot.waitExposed(dialog)
    _until(qloop, lambda: dialog.model.rowCount() == 4)
    qloop.run_until_complete(asyncio.sleep(0.3))

    _save(dialog, "connections-dialog.png")
    names = [dialog.model.index(r).data().split("\n")[0] for r in range(dialog.model.rowCount())]
    assert sorted(names) == ["farm", "local", "rendley", "studio-cloud"]
    # The user is in Connections already: the fix named is the field, not the dialog.
    rendley = dialog.model.index(dialog.model.names().index("rendley")).data()
    assert rendley == "rendley\nToken missing: fill in API token"
    assert not dialog.list_view.horizontalScrollBar().isVisible()
    dialog.close()


@pytest.mark.gui
def test_retry_dialog_screenshot(qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    jobs = _jobs()
    ctx.jobs.add_batch(Batch(_BATCH, "local", "spring_promo.csv", _NOW), jobs)
    window = open_window(qtbot, qloop, ctx)
    selection = window.table.selectionModel()
    for row in range(window.proxy.rowCount()):
        selection.select(
            window.proxy.index(row, 0),
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
        )
    window.commands.retry.trigger()  # Ctrl+R; the keys themselves are tested elsewhere
    _until(qloop, lambda: window.retry_flow.dialog is not None)
    dialog = window.retry_flow.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qloop.run_until_complete(asyncio.sleep(0.3))

    _save(dialog, "retry-dialog.png")
    # The failed and cancelled jobs go back to the queue; every other one says why not.
    failed_or_cancelled = [j for j in jobs if j.status.value in ("failed", "cancelled")]
    requeue = dialog.section(RetrySection.REQUEUE)
    assert requeue is not None
    assert requeue.childCount() == len(failed_or_cancelled)
    refused = dialog.section(RetrySection.REFUSED)
    assert refused is not None
    assert refused.childCount() == len(jobs) - len(failed_or_cancelled)
    dialog.reject()
