"""Edit and resubmit from the window: Ctrl+E is offered only on one failed or cancelled job
with a stored body (the tooltip says why not), opens New render filled with that job's
body, and what is sent after the fix is a new job linked to the failed one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.engine_host import EngineHost
from render_manager.services.resubmit_source import ResubmitSource
from render_manager.ui.jobs.columns import Column
from render_manager.ui.submit.dialog import DATA, PREVIEW, BatchDialog
from render_manager.ui.submit.resubmit_action import SELECT_ONE
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.gui.conftest import make_job, open_window
from tests.unit.helpers.comp_projects import Comp, make_comp_project


def _select(window: MainWindow, names: set[str]) -> None:
    selection = window.table.selectionModel()
    selection.clear()
    for row in range(window.proxy.rowCount()):
        if window.proxy.index(row, Column.NAME).data() in names:
            index = window.proxy.index(row, 0)
            flags = QItemSelectionModel.SelectionFlag
            selection.select(index, flags.Select | flags.Rows)
            selection.setCurrentIndex(index, flags.NoUpdate)


async def _until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _resubmit_dialog(window: MainWindow, job_id: str) -> BatchDialog | None:
    dialog = window.dialogs.current(f"resubmit:{job_id}")
    return dialog if isinstance(dialog, BatchDialog) else None


def _cloud_job(n: int, raw_status: str) -> Job:
    return Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id=f"cloud-{n}",
        connection="cloud",
        name=f"cloud_{n}",
        raw_status=raw_status,
        created_at=datetime(2026, 11, 2, 10, n, tzinfo=UTC),
        error="Layer 'Title' not found" if raw_status == "error" else None,
    )


def test_edit_and_resubmit_is_offered_only_where_it_can_work_and_says_why_not(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([_cloud_job(1, "error"), _cloud_job(2, "error"), _cloud_job(3, "queued")])
    ctx.requests.save_bodies([("cloud-1", {"template": {"id": "tpl", "composition": "Main"}})])
    window = open_window(qtbot, qloop, ctx)
    resubmit = window.commands.resubmit
    assert resubmit.shortcut().toString() == "Ctrl+E"
    assert resubmit in window.menus["jobs"].actions()
    assert not resubmit.isEnabled()
    assert resubmit.toolTip() == f"{SELECT_ONE} (Ctrl+E)"

    def offered(names: set[str]) -> tuple[bool, str]:
        _select(window, names)
        qloop.run_until_complete(window.resubmit_action.check_now())
        return resubmit.isEnabled(), resubmit.toolTip()

    assert offered({"cloud_1"}) == (
        True,
        "Open the selected failed or cancelled job in New render, to fix it and send it "
        "again (Ctrl+E)",
    )
    assert offered({"cloud_2"}) == (
        False,
        "its request is not stored (made elsewhere, or nested) (Ctrl+E)",
    )
    assert offered({"cloud_3"}) == (
        False,
        "only a failed or cancelled job can be resubmitted; this one is still queued (Ctrl+E)",
    )
    assert offered({"cloud_1", "cloud_2"}) == (False, f"{SELECT_ONE} (Ctrl+E)")


def test_a_remote_job_opens_with_its_body_and_its_text_values_to_edit(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.jobs.upsert_many([_cloud_job(1, "error")])
    body = {
        "template": {"id": "tpl", "composition": "Main"},
        "assets": [
            {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Helo"}
        ],
    }
    ctx.requests.save_bodies([("cloud-1", body)])
    window = open_window(qtbot, qloop, ctx)
    _select(window, {"cloud_1"})
    qloop.run_until_complete(window.resubmit_action.check_now())
    window.commands.resubmit.trigger()
    qloop.run_until_complete(_until(lambda: _resubmit_dialog(window, "cloud-1")))
    dialog = _resubmit_dialog(window, "cloud-1")
    assert dialog is not None

    assert dialog.windowTitle() == "Edit and resubmit — cloud_1"
    assert dialog.retry_note.text() == (
        "Sent as a retry of cloud_1 (cloud-1), which failed: Layer 'Title' not found. "
        "The new job is linked to it; that job keeps its error and log."
    )
    assert dialog.source.connection.currentData() == "cloud"
    assert not dialog.source.connection.isEnabled()
    assert dialog.source.forms.isHidden(), "no template picker starting from scratch"
    text = dialog.source.template_text()
    assert '"composition": "Main"' in text
    assert '"value": "{{Title}}"' in text
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == DATA
    assert dialog.data_page.edit("Title").text() == "Helo", "the value it was sent with"


@pytest.mark.usefixtures("fake_env")
def test_a_failed_local_job_fixed_and_resubmitted_renders_as_its_linked_retry(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    fake_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    project = make_comp_project(tmp_path / "work" / "promo.aep", [Comp("Main", duration=1.0)])
    # aerender finds no "Main": the comp was renamed in the project after submitting.
    fake_env.setenv("FAKE_AERENDER_COMPS", "Main v2")
    window = MainWindow(AppServices(engine.ctx))
    qtbot.addWidget(window)
    window.show()
    host = EngineHost(engine.ctx, command="render-manager", on_change=window.request_refresh)

    def status(job_id: str) -> str | None:
        row = window.model.row_of(job_id)
        return None if row is None else window.model.index(row, Column.STATUS).data()

    async def scenario() -> None:
        await window.load()
        await host.start()
        body = {
            "template": {
                "src": str(project),
                "composition": "Main",
                "frameStart": 0,
                "frameEnd": 9,
                "outputModule": "Lossless",
            },
            "name": "promo",
        }
        ((_, old),) = engine.submit(body).jobs
        await _until(lambda: status(old) == "Failed")
        make_comp_project(project, [Comp("Main v2", duration=1.0)])

        _select(window, {"promo"})
        await _until(window.commands.resubmit.isEnabled)
        window.activateWindow()
        await _until(window.isActiveWindow)
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        await _until(lambda: _resubmit_dialog(window, old))
        dialog = _resubmit_dialog(window, old)
        assert dialog is not None
        await _fix_and_send(qtbot, dialog, project)
        await _until(lambda: len(engine.ctx.jobs.list()) == 2)

        (new,) = [j.id for j in engine.ctx.jobs.list() if j.id != old]
        record = engine.local.get(new)
        assert record is not None
        assert record.spec["template"]["composition"] == "Main v2"
        assert record.spec["name"] == "promo", "what the form has no field for is kept"
        assert engine.ctx.requests.links([new])[new].retry_of == old
        await _until(lambda: status(new) == "Finished")
        assert status(old) == "Failed", "the old job keeps its failure"
        _select_id(window, new)
        await _until(lambda: window.details.values["Retry of"].text() == old)
        await host.stop()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 90))


async def _fix_and_send(qtbot: QtBot, dialog: BatchDialog, project: Path) -> None:
    """The dialog shows the failed job's fields; the composition is fixed and sent."""
    form = dialog.source.project_form
    assert form.aep.text() == str(project)
    assert form.composition.text() == "Main"
    assert (form.frame_start.text(), form.frame_end.text()) == ("0", "9")
    assert form.output_module.currentText() == "Lossless"
    assert "No comp was found" in dialog.retry_note.text()
    await _until(lambda: form.project is not None)
    assert form.composition_note.text() == (
        "“Main” is not a composition of promo.aep. Closest: “Main v2”."
    )

    form.composition.selectAll()
    qtbot.keyClicks(form.composition, "Main v2")
    assert form.composition_note.text() == ""
    assert (form.frame_start.text(), form.frame_end.text()) == ("0", "9"), "kept"
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == DATA
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await _until(lambda: dialog.pages.currentIndex() == PREVIEW)
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def _select_id(window: MainWindow, job_id: str) -> None:
    row = window.model.row_of(job_id)
    assert row is not None
    index = window.proxy.mapFromSource(window.model.index(row, 0))
    flags = QItemSelectionModel.SelectionFlag
    window.table.selectionModel().select(index, flags.ClearAndSelect | flags.Rows)
    window.table.selectionModel().setCurrentIndex(index, flags.NoUpdate)


def test_the_dialog_keeps_a_local_jobs_text_values_and_other_assets(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    del qloop  # the project is read on it
    job = make_job(1, raw_status="failed", error="aerender exited with 1")
    body = {
        "template": {
            "src": str(engine.project), "composition": "Main", "settingsTemplate": "Draft"
        },
        "assets": [
            {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hi"},
            {"type": "image", "src": "/media/logo.png", "layerName": "Logo"},
        ],
    }  # fmt: skip
    source = ResubmitSource(job, engine.connection, body)
    dialog = BatchDialog(
        AppServices(engine.ctx), connections=[engine.connection], single=True, resubmit=source
    )
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.source.project_form
    assert form.render_settings.currentText() == "Draft"
    assert form.text_layers.text() == "Title"
    assert '"src": "/media/logo.png"' in dialog.source.template_text()
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA
    assert dialog.data_page.edit("Title").text() == "Hi"
