"""The Import render queue dialog as a user meets it, grabbed to docs/ for the README."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.ui.render_queue.dialog import RenderQueueDialog
from tests.engine.fixtures import Engine
from tests.gui.test_docs_screenshots import _save
from tests.render_queue_projects import render_queue_project


@pytest.mark.gui
def test_import_render_queue_screenshot(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    # Output paths as a studio's project names them (the folder need not exist here).
    project = render_queue_project(
        tmp_path / "Spring promo" / "spring_promo_v3.aep", Path("/Volumes/Renders/spring_promo")
    )
    dialog = RenderQueueDialog(AppServices(engine.ctx), project)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qloop.run_until_complete(dialog.settled())
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # the done item ticked by hand
    image = _save(dialog, "import-render-queue.png")
    assert image.width() >= 800
    assert dialog.submit_button.text() == "&Submit 4 jobs"
