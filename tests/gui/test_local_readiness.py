"""A workstation without After Effects: the window says so where the user looks, and says
what works instead. With an aerender to run, it says which one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.ui.connections.dialog import ConnectionsDialog
from render_manager.ui.connections.model import ConnectionState
from tests.gui.conftest import open_window

SET_HINT = "renderctl connection set local --aerender PATH"


@pytest.fixture
def no_after_effects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing names aerender and none is on PATH (Linux has no install folders)."""
    monkeypatch.delenv("RENDER_MANAGER_AERENDER", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture
def aerender_on_path(monkeypatch: pytest.MonkeyPatch, fake_aerender: Path) -> Path:
    monkeypatch.delenv("RENDER_MANAGER_AERENDER", raising=False)
    monkeypatch.setenv("PATH", f"{fake_aerender.parent}{os.pathsep}{os.environ['PATH']}")
    return fake_aerender


def _run(loop: qasync.QEventLoop, dialog: ConnectionsDialog, step: object) -> object:
    async def scenario() -> object:
        result = await step  # type: ignore[misc]
        await dialog._tasks.wait_idle()
        return result

    return loop.run_until_complete(scenario())


@pytest.mark.usefixtures("no_after_effects")
def test_the_side_panel_shows_local_as_not_ready_with_the_reason_and_the_fix(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    model = window.side_panel.connections
    row = model.row("local")
    assert row is not None
    assert row.state is ConnectionState.LOCAL_NOT_READY
    index = model.index(model.names().index("local"))
    assert index.data() == "local\naerender not found: encodes only"
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "auto-detect" not in tooltip
    assert "Why: no aerender on PATH or in the usual After Effects install folders" in tooltip
    assert "Not ready for After Effects renders (encode jobs run)" in tooltip
    assert SET_HINT in tooltip


@pytest.mark.usefixtures("no_after_effects")
def test_the_empty_table_says_what_works_without_after_effects(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    hint = window.empty_hint.label
    assert hint.isVisible()
    text = hint.text()
    assert "After Effects was not found" in text
    assert "encode jobs" in text
    sample = next(word for word in text.split() if word.endswith("encode-sample.json"))
    assert Path(sample).is_file(), "the command names the bundled sample where it is"
    assert "renderctl submit -c local" in text
    assert "Nexrender Cloud, Rendley or a nexrender server" in text


def test_with_after_effects_the_panel_and_the_hint_say_nothing_is_missing(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, aerender_on_path: Path
) -> None:
    window = open_window(qtbot, qloop, ctx)
    model = window.side_panel.connections
    index = model.index(model.names().index("local"))
    assert index.data() == "local\nLocal engine"
    assert f"aerender found: {aerender_on_path} (on PATH)" in index.data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert window.empty_hint.label.text().startswith("No jobs yet.\nNew batch (Ctrl+N)")


@pytest.mark.usefixtures("no_after_effects")
def test_the_aerender_field_says_not_found_and_test_connection_says_the_same(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    dialog = ConnectionsDialog(AppServices(ctx))
    qtbot.addWidget(dialog)
    _run(qloop, dialog, dialog.reload(select="local"))
    form = dialog.form
    assert form.aerender_edit.placeholderText() == "Not found: type or browse to aerender"
    assert form.aerender_state.text().startswith(
        "aerender not found: no aerender on PATH or in the usual After Effects install folders"
    )
    result = _run(qloop, dialog, dialog.test())
    assert result is not None
    assert dialog.message.text().startswith("local: aerender not found: no aerender on PATH")
    assert "encode jobs still do" in dialog.message.text()


def test_the_aerender_field_names_the_one_found(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, aerender_on_path: Path
) -> None:
    dialog = ConnectionsDialog(AppServices(ctx))
    qtbot.addWidget(dialog)
    _run(qloop, dialog, dialog.reload(select="local"))
    assert dialog.form.aerender_edit.placeholderText() == f"Found: {aerender_on_path}"
    assert dialog.form.aerender_state.text() == f"aerender found: {aerender_on_path} (on PATH)."
