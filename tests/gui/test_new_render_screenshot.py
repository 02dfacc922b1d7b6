"""New render with a project read, grabbed to docs/new-render.png for the README."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.ui.submit.dialog import BatchDialog
from tests.engine.fixtures import Engine
from tests.gui.test_docs_screenshots import _save, _until
from tests.unit.helpers.comp_projects import Comp, make_comp_project

SPOTS = [
    Comp("Spring promo 16x9", 1920, 1080, 25.0, 30.0, work_area=(0.0, 20.0)),
    Comp("Spring promo 9x16", 1080, 1920, 25.0, 30.0, work_area=(0.0, 15.0)),
    Comp("Spring promo 1x1", 1080, 1080, 25.0, 15.0),
    Comp("Lower third — name and title", 1920, 1080, 50.0, 8.0, work_area=(0.5, 6.0)),
    Comp("End card", 3840, 2160, 23.976, 5.0),
    Comp("Bumper (old)", 1280, 720, 29.97, 4.0),
]


@pytest.mark.gui
def test_new_render_screenshot(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, request: pytest.FixtureRequest
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    # A folder of the same name every run: the picture shows a path a user might have.
    folder = Path(tempfile.gettempdir()) / "render-manager-docs" / "Spring campaign"
    shutil.rmtree(folder.parent, ignore_errors=True)
    request.addfinalizer(lambda: shutil.rmtree(folder.parent, ignore_errors=True))
    project = make_comp_project(folder / "spring_campaign.aep", SPOTS, queued=["Spring promo 16x9"])
    services = AppServices(engine.ctx)
    dialog = BatchDialog(services, connections=engine.ctx.connections.list(), single=True)
    qtbot.addWidget(dialog)
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData("local"))
    dialog.show()
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _until(qloop, lambda: form.project is not None)
    qtbot.keyClicks(form.comp_filter, "promo")
    qtbot.keyClick(form.comp_filter, Qt.Key.Key_Down)
    qtbot.keyClick(form.comp_list, Qt.Key.Key_Down)
    qtbot.keyClick(form.comp_list, Qt.Key.Key_Return)
    assert form.composition.text() == "Spring promo 9x16"
    assert dialog.windowTitle() == "New render — spring_campaign.aep"
    # The templates the project's render queue uses, as offered in the boxes.
    form.output_module.setCurrentIndex(0)
    form.render_settings.setCurrentIndex(0)
    assert form.render_settings.currentText() == "Best Settings"
    _save(dialog, "new-render.png")
