"""The Connections dialog's "Team view" option: offered for Nexrender Cloud only, and saved."""

from __future__ import annotations

import qasync
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.ui.connections.dialog import ConnectionsDialog
from tests.fakes.nexrender_cloud import TOKEN


def _run(loop: qasync.QEventLoop, dialog: ConnectionsDialog, step: object) -> object:
    async def scenario() -> object:
        result = await step  # type: ignore[misc]
        await dialog._tasks.wait_idle()
        return result

    return loop.run_until_complete(scenario())


def test_team_view_is_offered_for_nexrender_cloud_only(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ConnectionsDialog(AppServices(ctx))
    qtbot.addWidget(dialog)
    form = dialog.form
    for kind in BackendKind:
        form.kind_combo.setCurrentIndex(form.kind_combo.findData(kind))
        assert form.team_view_check.isHidden() is (kind is not BackendKind.NEXRENDER_CLOUD)


def test_team_view_is_saved_with_the_connection_and_shown_again(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.keychain.set("cloud", TOKEN)
    dialog = ConnectionsDialog(AppServices(ctx))
    qtbot.addWidget(dialog)
    _run(qloop, dialog, dialog.reload(select="cloud"))
    form = dialog.form
    assert not form.team_view_check.isChecked()

    form.team_view_check.click()
    assert dialog.unsaved() == ["cloud"]
    assert _run(qloop, dialog, dialog.save()) is True

    assert ctx.connections.get("cloud").team_view is True
    _run(qloop, dialog, dialog.reload(select="local"))
    _run(qloop, dialog, dialog.reload(select="cloud"))
    assert dialog.form.team_view_check.isChecked()
