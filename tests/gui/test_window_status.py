"""The status bar under Xvfb: a long message is cut at a word and keeps clear of the labels."""

from __future__ import annotations

import pytest
import qasync
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.services.context import AppContext
from render_manager.ui.qt.elided_label import ELLIPSIS
from tests.gui.conftest import open_window

# What the desktop notifier puts in the status bar when a batch ends: longer than the room
# left beside the counts at the default width.
_MESSAGE = (
    "Batch finished: spring_promo_2026_localised_versions.csv on nexrender-cloud-production "
    "— 48 finished, 2 failed (lower_third_DE and lower_third_FR: no output module template); "
    "the outputs are in /Volumes/Projects/2026/spring_promo/renders"
)
# Blank room the message leaves before "Updated N s ago", in pixels.
_GAP = 12


@pytest.mark.gui
def test_a_long_message_is_cut_at_a_word_and_never_runs_into_updated(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    window = open_window(qtbot, qloop, ctx)
    qtbot.waitExposed(window)
    assert window.width() == 1280
    window.note_remote_refresh("nexrender-cloud-production", ok=True)
    updated = window.status.updated_label
    assert updated.text().startswith("Updated ")
    bar = window.statusBar()
    bar.showMessage(_MESSAGE)
    qtbot.waitUntil(lambda: bar.currentMessage() == _MESSAGE)

    # Nothing is drawn in the strip just left of "Updated…": the message stops before it.
    image = bar.grab().toImage()
    left = updated.geometry().left()
    background = image.pixelColor(left - 1, 0)
    strip = {
        image.pixelColor(x, y).name()
        for x in range(left - _GAP, left)
        for y in range(image.height())
    }
    assert strip == {background.name()}, "the message runs into 'Updated N s ago'"

    label = window.status.message_label
    shown = label.shown_text()
    assert shown.endswith(ELLIPSIS), "the message does not say it is cut"
    kept = shown.removesuffix(ELLIPSIS)
    assert _MESSAGE.startswith(kept)
    # Cut where a word ends (a comma or dash there may go with the cut, never a letter).
    assert not (kept[-1].isalnum() and _MESSAGE[len(kept)].isalnum()), f"cut mid-word: {shown!r}"
    assert label.toolTip() == _MESSAGE, "the whole message is not in the tooltip"
    assert label.geometry().right() < left

    bar.showMessage("Loaded 54 jobs")
    qtbot.waitUntil(lambda: label.shown_text() == "Loaded 54 jobs")
    assert label.toolTip() == ""
    bar.clearMessage()
    qtbot.waitUntil(lambda: label.shown_text() == "")
