"""The cancel confirmation and the outcome panel, as the user sees them."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QDialog, QToolTip, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.domain.results import CancelSummary
from render_manager.domain.status import BackendKind
from render_manager.services.cancel_plan import CancelPlan, plan_cancel
from render_manager.ui.cancel.dialog import SECTION_TITLES, WHY_COLUMN, CancelDialog, Section
from render_manager.ui.cancel.outcome_panel import OutcomePanel
from tests.gui.conftest import make_job

KINDS: Mapping[str, BackendKind] = {
    "local": BackendKind.LOCAL,
    "cloud": BackendKind.NEXRENDER_CLOUD,
    "farm": BackendKind.NEXRENDER_SERVER,
}


def remote_job(job_id: str, raw_status: str, connection: str, parent: str | None = None) -> Job:
    """A job on a remote connection, named after its id."""
    return Job.from_raw(
        kind=KINDS[connection],
        id=job_id,
        connection=connection,
        name=job_id.replace("-", "_"),
        raw_status=raw_status,
        created_at=make_job(0).created_at,
        parent_id=parent,
    )


def mixed_jobs() -> tuple[list[Job], list[Job]]:
    """Everything in the store, and the user's selection (the children are not selected)."""
    everything = [
        make_job(1),
        make_job(2, raw_status="rendering", progress=40.0),
        remote_job("cloud-parent", "queued", "cloud"),
        remote_job("cloud-child-a", "queued", "cloud", parent="cloud-parent"),
        remote_job("cloud-child-b", "queued", "cloud", parent="cloud-parent"),
        remote_job("cloud-busy", "render:dorender", "cloud"),
        make_job(3, raw_status="finished"),
        remote_job("farm-picked", "picked", "farm"),
    ]
    return everything, [j for j in everything if "child" not in j.id]


def groups(dialog: CancelDialog) -> dict[str, list[tuple[str, str]]]:
    """Each group heading shown, with (job name, why) for each of its rows."""
    shown: dict[str, list[tuple[str, str]]] = {}
    for section in Section:
        head = dialog.section(section)
        if head is None:
            continue
        rows = [texts(head.child(i)) for i in range(head.childCount())]
        shown[head.text(0)] = [(row[0], row[WHY_COLUMN]) for row in rows]
    return shown


def texts(item: QTreeWidgetItem | None) -> tuple[str, ...]:
    """What a row shows, column by column."""
    assert item is not None
    return tuple(item.text(c) for c in range(item.columnCount()))


def none_refs_lost(action: Callable[[], object]) -> int:
    """How many references to None `action` drops for good.

    PySide6 6.12 on Python 3.11 drops one on many calls to methods returning void; one such
    call per row would crash the app a little later (see cancel_dialog._row).
    """
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None)
        action()
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    return before - after


def make_dialog(qtbot: QtBot, plan: CancelPlan) -> CancelDialog:
    dialog = CancelDialog(plan)
    qtbot.addWidget(dialog)
    return dialog


def test_mixed_selection_is_listed_group_by_group_with_reasons(qtbot: QtBot) -> None:
    everything, selected = mixed_jobs()
    dialog = make_dialog(qtbot, plan_cancel(selected, KINDS, everything))

    assert dialog.summary_label.text() == (
        "2 jobs will be cancelled, 1 render will be stopped, "
        "2 nested jobs will be cancelled with them; 3 cannot be cancelled."
    )
    assert groups(dialog) == {
        "Will be cancelled — 2 jobs": [("promo_00001", ""), ("cloud_parent", "")],
        "Running renders that will be stopped — 1 job": [
            ("promo_00002", "rendering now, 40 % done")
        ],
        "Cancelled with them (nested jobs) — 2 jobs": [
            ("cloud_child_a", "nested in cloud_parent"),
            ("cloud_child_b", "nested in cloud_parent"),
        ],
        "Cannot be cancelled — 3 jobs": [
            ("cloud_busy", "Nexrender Cloud cancels only queued and pending jobs"),
            ("promo_00003", "it has already finished"),
            ("farm_picked", "a worker is rendering it, and removing it would break the worker"),
        ],
    }
    assert dialog.confirm_button.text() == "Cancel 5 jobs"
    assert dialog.confirm_button.isEnabled()


def test_keep_jobs_is_the_focused_default_and_escape_or_enter_keep(qtbot: QtBot) -> None:
    everything, selected = mixed_jobs()
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        dialog = make_dialog(qtbot, plan_cancel(selected, KINDS, everything))
        sent: list[list[str]] = []
        dialog.confirmed.connect(sent.append)
        dialog.open()
        qtbot.waitExposed(dialog)
        assert dialog.focusWidget() is dialog.keep_button
        assert dialog.keep_button.isDefault()
        assert not dialog.confirm_button.isDefault()

        qtbot.keyClick(dialog.focusWidget(), key)

        assert not dialog.isVisible()
        assert dialog.result() == QDialog.DialogCode.Rejected
        assert sent == []


def test_keep_jobs_button_sends_nothing(qtbot: QtBot) -> None:
    everything, selected = mixed_jobs()
    dialog = make_dialog(qtbot, plan_cancel(selected, KINDS, everything))
    sent: list[list[str]] = []
    dialog.confirmed.connect(sent.append)
    dialog.open()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert sent == []


def test_confirm_sends_the_selected_cancellable_ids_not_the_cascades(qtbot: QtBot) -> None:
    everything, selected = mixed_jobs()
    dialog = make_dialog(qtbot, plan_cancel(selected, KINDS, everything))
    dialog.open()
    with qtbot.waitSignal(dialog.confirmed, timeout=1000) as signal:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert signal.args == [["job-00001", "cloud-parent", "job-00002"]]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()


def test_nothing_cancellable_disables_confirm_and_says_why(qtbot: QtBot) -> None:
    plan = plan_cancel(
        [make_job(1, raw_status="finished"), remote_job("busy", "render:dorender", "cloud")],
        KINDS,
        [],
    )
    dialog = make_dialog(qtbot, plan)
    sent: list[list[str]] = []
    dialog.confirmed.connect(sent.append)
    dialog.open()

    assert not dialog.confirm_button.isEnabled()
    assert dialog.confirm_button.text() == "Nothing to cancel"
    assert dialog.summary_label.text() == "None of the 2 selected jobs can be cancelled."
    assert "says why it cannot be cancelled" in dialog.note_label.text()
    assert list(groups(dialog)) == ["Cannot be cancelled — 2 jobs"]
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert sent == []
    assert dialog.isVisible()


def test_empty_selection_says_so(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, plan_cancel([], KINDS, []))
    assert dialog.summary_label.text() == "No jobs are selected."
    assert not dialog.confirm_button.isEnabled()
    assert groups(dialog) == {}


def test_a_running_render_is_called_out(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, plan_cancel([make_job(1, raw_status="encoding")], KINDS, []))
    assert dialog.confirm_button.text() == "Cancel 1 job"
    assert "killed at once, part-way through" in dialog.note_label.text()
    assert SECTION_TITLES[Section.STOP] in next(iter(groups(dialog)))


def _long_reasons_far_down() -> CancelPlan:
    """Thirty jobs refused with a short reason, then two with the longest ones."""
    everything = [make_job(10 + n, raw_status="cancelled") for n in range(30)]
    everything += [remote_job("cloud-busy", "render:dorender", "cloud")]
    everything += [remote_job("farm-picked", "picked", "farm")]
    return plan_cancel(everything, KINDS, everything)


def _refused_rows(dialog: CancelDialog) -> list[QTreeWidgetItem]:
    head = dialog.section(Section.REFUSED)
    assert head is not None
    return [item for i in range(head.childCount()) if (item := head.child(i)) is not None]


def test_every_reason_shows_in_full_even_far_down_the_list(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, _long_reasons_far_down())
    dialog.open()
    qtbot.waitExposed(dialog)

    tree = dialog.tree
    metrics = tree.fontMetrics()
    longest = max(_refused_rows(dialog), key=lambda item: len(item.text(WHY_COLUMN)))
    assert longest.text(WHY_COLUMN) == (
        "a worker is rendering it, and removing it would break the worker"
    )
    why_width = tree.columnWidth(WHY_COLUMN)
    assert why_width > metrics.horizontalAdvance(longest.text(WHY_COLUMN))
    # The whole column is on screen, next to the names, without scrolling sideways.
    header = tree.header()
    right_edge = header.sectionViewportPosition(WHY_COLUMN) + why_width
    assert right_edge <= tree.viewport().width()


def test_a_reason_has_a_tooltip_with_its_full_text(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, _long_reasons_far_down())
    dialog.open()
    qtbot.waitExposed(dialog)

    tree = dialog.tree
    item = _refused_rows(dialog)[0]
    index = tree.indexFromItem(item, WHY_COLUMN)
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    event = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), tree.viewport().mapToGlobal(rect.center())
    )
    QApplication.sendEvent(tree.viewport(), event)

    assert QToolTip.isVisible()
    assert QToolTip.text() == "it has already been cancelled"
    QToolTip.hideText()


def test_ten_thousand_jobs_open_quickly_and_scroll(qtbot: QtBot) -> None:
    jobs = [make_job(n) for n in range(10_000)]
    plan = plan_cancel(jobs, KINDS, jobs)
    started = time.perf_counter()
    dialogs: list[CancelDialog] = []
    assert none_refs_lost(lambda: dialogs.append(make_dialog(qtbot, plan))) < 100
    dialog = dialogs[0]
    dialog.open()
    qtbot.waitExposed(dialog)
    elapsed = time.perf_counter() - started

    head = dialog.section(Section.CANCEL)
    assert head is not None
    assert head.text(0) == "Will be cancelled — 10000 jobs"
    assert head.childCount() == 10_000
    assert dialog.confirm_button.text() == "Cancel 10000 jobs"
    assert dialog.tree.verticalScrollBar().maximum() > 0
    # Generous: the point is that it is not minutes (one repaint per row would be).
    assert elapsed < 5.0


def test_outcome_panel_shows_counts_and_each_job_with_its_reason(qtbot: QtBot) -> None:
    panel = OutcomePanel()
    qtbot.addWidget(panel)
    assert panel.header_label.text() == "No cancel or retry yet."
    assert not panel.clear_button.isEnabled()

    summary = CancelSummary(
        cancelled=["job-1", "job-2", "job-2"],
        skipped=[("job-3", "it has already finished"), ("ghost", "no such job")],
    )
    many = CancelSummary(cancelled=[f"x{n}" for n in range(5000)])
    assert none_refs_lost(lambda: panel.show_outcome(many, {})) < 100
    panel.show_outcome(summary, {"job-1": "promo_1", "job-2": "promo_2", "job-3": "promo_3"})

    assert panel.header_label.text() == "Cancel finished: 2 cancelled, 2 not cancelled."
    rows = [texts(panel.tree.topLevelItem(i)) for i in range(panel.tree.topLevelItemCount())]
    assert rows == [
        ("promo_3", "Not cancelled", "it has already finished", "job-3"),
        ("ghost", "Not cancelled", "no such job", "ghost"),
        ("promo_1", "Cancelled", "", "job-1"),
        ("promo_2", "Cancelled", "", "job-2"),
    ]

    panel.show_outcome(CancelSummary(cancelled=["job-9"]), {})
    assert panel.header_label.text() == "Cancel finished: 1 cancelled."
    assert panel.tree.topLevelItemCount() == 1

    with qtbot.waitSignal(panel.cleared, timeout=1000):
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert panel.tree.topLevelItemCount() == 0
    assert panel.header_label.text() == "No cancel or retry yet."
    assert not panel.clear_button.isEnabled()
