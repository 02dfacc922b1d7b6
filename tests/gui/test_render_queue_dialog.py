"""Import render queue: the dialog lists every item of a real project's queue, the Queued
ones ticked; the keyboard ticks more and submits; the jobs land as one batch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.ui.render_queue.dialog import NO_LOCAL_CONNECTION, RenderQueueDialog
from render_manager.ui.render_queue.drop import DROP_HINT
from render_manager.ui.render_queue.model import QueueColumn, RenderQueueModel
from tests.engine.fixtures import Engine
from tests.gui.conftest import open_window
from tests.render_queue_projects import render_queue_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return render_queue_project(tmp_path / "shots" / "promo_v3.aep", tmp_path / "out")


def _dialog(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, path: Path
) -> RenderQueueDialog:
    dialog = RenderQueueDialog(AppServices(engine.ctx), path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qloop.run_until_complete(dialog.settled())
    return dialog


def _ticks(model: RenderQueueModel) -> list[bool]:
    column = QueueColumn.INDEX
    states = [model.index(r, column).data(Qt.ItemDataRole.CheckStateRole) for r in range(4)]
    return [state == Qt.CheckState.Checked for state in states]


def test_the_model_is_a_sound_qt_model(
    qtmodeltester: ModelTester, qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine,
    project: Path,
) -> None:  # fmt: skip
    dialog = _dialog(qtbot, qloop, engine, project)
    qtmodeltester.check(dialog.model)


def test_every_item_is_listed_and_only_the_queued_ones_are_ticked(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    dialog = _dialog(qtbot, qloop, engine, project)
    model = dialog.model
    assert model.rowCount() == 4
    rows = [[model.index(r, c).data() for c in QueueColumn] for r in range(4)]
    assert rows[0][:4] == ["1", "Main", "queued", "10-49"]
    assert rows[1][:3] == ["2", "Lower third", "done"]
    assert rows[2][:3] == ["3", "Main", "unqueued"]
    assert rows[0][5] == str(project.parents[1] / "out" / "main.mov")
    assert rows[3][4] == "TIFF Sequence with Alpha (+1)"
    # An image sequence and a module without a path render into the job folder.
    assert (
        rows[3][5] == f"job folder ({project.parents[1] / 'out' / 'lower_[#####].tif'}); job folder"
    )
    tip = model.index(3, QueueColumn.OUTPUT).data(Qt.ItemDataRole.ToolTipRole)
    assert "no output path in the project: rendered into the job folder" in tip
    assert _ticks(model) == [True, False, False, True]
    assert dialog.summary.text() == (
        "4 render-queue items: 2 queued, 1 unqueued, 1 done. The queued ones are ticked."
    )
    assert dialog.connection.currentText() == "local"
    assert dialog.submit_button.text() == "&Submit 3 jobs"


def test_space_ticks_a_done_item_and_ctrl_return_submits_one_batch(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    dialog = _dialog(qtbot, qloop, engine, project)
    submitted: list[list[str]] = []
    dialog.submitted.connect(submitted.append)
    table = dialog.table
    assert table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)  # item 2, done
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert _ticks(dialog.model) == [True, True, False, True]
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.keyClick(table, Qt.Key.Key_Space)  # and off again
    assert _ticks(dialog.model) == [True, True, False, True]
    assert dialog.submit_button.text() == "&Submit 4 jobs"
    qtbot.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(dialog.settled())
    jobs = engine.ctx.jobs.list()
    assert sorted(job.name for job in jobs) == [
        "Lower third (render queue #2)",
        "Lower third (render queue #4, output 1)",
        "Lower third (render queue #4, output 2)",
        "Main (render queue #1)",
    ]
    assert len({job.batch_id for job in jobs}) == 1
    (batch,) = engine.ctx.jobs.batches()
    assert batch.name == "promo_v3.aep"
    assert submitted == [dialog.created]
    assert sorted(dialog.created) == sorted(job.id for job in jobs)
    assert not dialog.isVisible()


def test_nothing_ticked_cannot_be_submitted(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    dialog = _dialog(qtbot, qloop, engine, project)
    dialog.table.selectAll()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # ticks all: two were unticked
    assert _ticks(dialog.model) == [True] * 4
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert _ticks(dialog.model) == [False] * 4
    assert not dialog.submit_button.isEnabled()
    assert "Tick at least one item" in dialog.status.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(dialog.settled())
    assert engine.ctx.jobs.list() == []


def test_an_unreadable_project_says_why_and_offers_no_submit(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.aep"
    notes.write_text("not a project", encoding="utf-8")
    dialog = _dialog(qtbot, qloop, engine, notes)
    assert dialog.summary.text() == "This project cannot be read."
    assert dialog.status.text() == (
        f"{notes}: is not an After Effects project (an .aep file starts with a RIFX header)"
    )
    assert not dialog.submit_button.isEnabled()
    assert dialog.model.rowCount() == 0


def _drop(window: object, path: Path, modifiers: Qt.KeyboardModifier) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.LeftButton, modifiers)  # fmt: skip
    window.project_drops.eventFilter(window, event)  # type: ignore[attr-defined]


def test_file_menu_and_shift_drop_open_the_import(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    window = open_window(qtbot, qloop, engine.ctx)
    action = window.commands.import_render_queue
    assert action in window.menus["file"].actions()
    assert action.shortcut().toString() == "Ctrl+I"
    assert "Shift-drop" in action.statusTip()
    _drop(window, project, Qt.KeyboardModifier.NoModifier)
    assert window.dialogs.current("render-queue") is None
    assert window.statusBar().currentMessage() == DROP_HINT
    _drop(window, project, Qt.KeyboardModifier.ShiftModifier)
    dialog = window.dialogs.current("render-queue")
    assert isinstance(dialog, RenderQueueDialog)
    assert dialog.project == project
    qloop.run_until_complete(dialog.settled())
    assert dialog.model.rowCount() == 4
    dialog.reject()


def test_a_refused_submission_says_why_per_item_and_queues_nothing(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    engine.ctx.connections.update(replace(engine.connection, aerender="/nowhere/aerender"))
    dialog = _dialog(qtbot, qloop, engine, project)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(dialog.settled())
    text = dialog.status.text()
    assert text.startswith("Nothing was queued:\nMain (render queue #1): ")
    assert "\nLower third (render queue #4, output 2): " in text
    assert "/nowhere/aerender" in text
    assert dialog.isVisible()
    assert dialog.submit_button.isEnabled(), "fix the connection and submit again"
    assert engine.ctx.jobs.list() == []


def test_only_local_connections_are_offered(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, project: Path
) -> None:
    farm = Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://127.0.0.1:9")
    dialog = RenderQueueDialog(AppServices(engine.ctx), project, connections=[farm])
    qtbot.addWidget(dialog)
    dialog.show()
    qloop.run_until_complete(dialog.settled())
    assert dialog.connection.count() == 0
    assert dialog.status.text() == NO_LOCAL_CONNECTION
    assert not dialog.submit_button.isEnabled()
    assert dialog.model.rowCount() == 4, "the queue is still shown"
