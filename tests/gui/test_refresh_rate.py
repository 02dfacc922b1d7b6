"""The refresh rate the user picks is remembered and paces the remote refresh loops."""

from __future__ import annotations

import qasync
from pytestqt.qtbot import QtBot

from render_manager.services.context import AppContext
from render_manager.services.refresh import Cadence
from tests.gui.conftest import open_window


def test_a_chosen_refresh_rate_is_announced_and_remembered(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    window = open_window(qtbot, qloop, ctx)
    assert window.refresh_rate.cadence == Cadence(), "automatic by default"
    chosen: list[Cadence] = []
    window.refresh_rate.changed.connect(chosen.append)
    window.refresh_rate.actions[60].trigger()
    assert chosen == [Cadence(active_s=60.0, idle_s=60.0)]
    window.close()

    again = open_window(qtbot, qloop, ctx)
    assert again.refresh_rate.cadence.active_s == 60.0
    assert again.refresh_rate.actions[60].isChecked()
