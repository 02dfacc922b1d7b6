"""Text that shortens to its width: at words for messages, in the middle for names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from render_manager.ui.qt.elided_label import (
    ELLIPSIS,
    ElidedLabel,
    ElidingToolButton,
    elide_at_words,
)

_TEXT = "Submitted 50 jobs to nexrender-cloud, batch spring_promo.csv is queued"


def _metrics() -> QFontMetrics:
    return QFontMetrics(QFont())


def test_text_that_fits_is_left_whole() -> None:
    metrics = _metrics()
    assert elide_at_words(_TEXT, metrics, metrics.horizontalAdvance(_TEXT)) == _TEXT


def test_text_is_cut_after_the_last_whole_word_that_fits() -> None:
    metrics = _metrics()
    width = metrics.horizontalAdvance("Submitted 50 jobs to nexrender-cloud, bat")
    shown = elide_at_words(_TEXT, metrics, width)
    # The comma goes with the cut: "…cloud,…" reads as a typo.
    assert shown == "Submitted 50 jobs to nexrender-cloud" + ELLIPSIS
    assert metrics.horizontalAdvance(shown) <= width


def test_a_first_word_too_long_on_its_own_is_cut_inside_it() -> None:
    metrics = _metrics()
    path = "/Volumes/Projects/2026/spring_promo/renders/final/result.mov"
    width = metrics.horizontalAdvance(path) // 2
    shown = elide_at_words(path, metrics, width)
    assert shown.endswith(ELLIPSIS)
    assert path.startswith(shown.removesuffix(ELLIPSIS))
    assert metrics.horizontalAdvance(shown) <= width


def test_a_label_asks_for_little_width_and_tells_the_whole_text_when_cut(qtbot: QtBot) -> None:
    short, long_ = ElidedLabel("Details"), ElidedLabel(_TEXT * 3)
    assert long_.minimumSizeHint().width() == short.minimumSizeHint().width()
    assert long_.minimumSizeHint().width() < long_.fontMetrics().horizontalAdvance("Details") * 2
    qtbot.addWidget(long_)
    long_.show()
    long_.set_own_tooltip("What this is")
    long_.resize(200, 20)
    assert long_.is_elided()
    assert long_.shown_text().endswith(ELLIPSIS)
    assert long_.toolTip() == _TEXT * 3
    assert long_.text() == _TEXT * 3
    long_.setText("Short")
    assert not long_.is_elided()
    assert long_.toolTip() == "What this is"


def test_a_path_label_keeps_both_ends(qtbot: QtBot) -> None:
    path = "Log: /home/me/.local/share/render-manager/jobs/job-00042/aerender.log"
    label = ElidedLabel(path, mode=Qt.TextElideMode.ElideMiddle)
    qtbot.addWidget(label)
    label.show()
    label.resize(label.fontMetrics().horizontalAdvance(path) // 2, 20)
    shown = label.shown_text()
    assert shown.startswith("Log: /")
    assert shown.endswith("aerender.log")
    assert ELLIPSIS in shown


def test_a_chip_gives_up_its_label_then_shortens_the_name_and_asks_the_same_width(
    qtbot: QtBot,
) -> None:
    row = QWidget()
    qtbot.addWidget(row)
    layout = QHBoxLayout(row)
    chip = ElidingToolButton(row)
    layout.addWidget(chip)
    row.show()
    chip.set_parts("Batch: ", "a.csv", "  ✕")
    small = chip.minimumSizeHint().width()
    name = "spring_promo_2026_localised_versions_final_approved_v12.csv"
    chip.set_parts("Batch: ", name, "  ✕")
    assert chip.minimumSizeHint().width() == small, "a longer name asks for more room"
    assert chip.text() == f"Batch: {name}  ✕"
    metrics = chip.fontMetrics()
    chip.resize(chip.sizeHint().width() - metrics.horizontalAdvance("Batch"), 30)
    assert chip.shown_text() == f"{name}  ✕", "the label did not give way to the name"
    chip.resize(small + 20, chip.sizeHint().height())
    shown = chip.shown_text()
    assert shown.endswith("  ✕")
    assert ELLIPSIS in shown
    assert shown.startswith(name[:2])
    assert metrics.horizontalAdvance(shown) <= small + 20
    assert name in chip.toolTip()
    chip.set_own_tooltip("Click to show every batch")
    assert chip.toolTip() == f"Batch: {name}  ✕\nClick to show every batch"
    chip.resize(chip.sizeHint())
    assert chip.shown_text() == chip.text()
    assert chip.toolTip() == "Click to show every batch"
