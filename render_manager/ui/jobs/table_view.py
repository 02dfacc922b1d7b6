"""The job table's view: sorting, selection, column widths, delegates and column menu."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget
from typing_extensions import override

from render_manager.services.health import LocalReadiness
from render_manager.ui.jobs.cell_roles import JOB_ROLE
from render_manager.ui.jobs.column_menu import install_column_menu
from render_manager.ui.jobs.columns import Column
from render_manager.ui.jobs.delegates import install_delegates
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.qt.icons import RESOURCES_PACKAGE

# Wide enough for typical content, so a first start shows whole dates and names; a
# user's own layout (restored from QSettings) replaces these.
_DEFAULT_WIDTHS = {
    Column.NAME: 230,
    Column.CONNECTION: 95,
    Column.STATUS: 100,
    Column.PROGRESS: 90,
    Column.ETA: 65,
    Column.FRAMES: 85,
    Column.BATCH: 120,
    Column.CREATED: 135,
    Column.STARTED: 135,
    Column.DURATION: 70,
    Column.OUTPUT: 220,
}
# Shown on demand: a first start keeps the table readable on a laptop screen.
_HIDDEN_BY_DEFAULT = (Column.STARTED,)


# Qt repaints a whole viewport for any dataChanged range longer than this many rows, even
# when none of them is on screen; beyond it, JobTableView repaints the rows itself.
_SMALL_RANGE = 16


class JobTableView(QTableView):
    """A QTableView that, after a large refresh, repaints only the visible rows that changed.

    A refresh announces thousands of scattered rows as one range over their span; Qt's own
    handling repaints the whole viewport for it (some 25 ms at 20 rows of progress bars),
    though usually two or three visible jobs changed. Rows are compared by the identity of
    their Job (a changed job is a new object), so unchanged rows are not repainted.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._seen: dict[int, object] = {}

    @override
    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # Rows are what this table selects: Home and End (with or without Ctrl) go to the
        # first or last job and stay in the current column, never jump sideways to the
        # first or last column as QTableView's cell navigation does.
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            model = self.model()
            rows = model.rowCount()
            if rows == 0:
                return QModelIndex()
            current = self.currentIndex()
            column = (
                current.column() if current.isValid() else self.horizontalHeader().logicalIndexAt(0)
            )
            row = 0 if cursorAction == QAbstractItemView.CursorAction.MoveHome else rows - 1
            return model.index(row, max(column, 0))
        return super().moveCursor(cursorAction, modifiers)

    @override
    def selectionCommand(
        self, index: QModelIndex | QPersistentModelIndex, event: QEvent | None = None
    ) -> QItemSelectionModel.SelectionFlag:
        # Ctrl+Home / Ctrl+End select the first or last job, as Home and End do; Qt would
        # only move the focus there (Ctrl means "move without selecting" to it).
        if (
            isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End)
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
        ):
            return (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
        return super().selectionCommand(index, event)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        # What each visible row shows now: the next large refresh compares against it.
        top = self.rowAt(event.rect().top())
        if top < 0:
            return
        bottom = self.rowAt(event.rect().bottom())
        if bottom < 0:
            bottom = self.model().rowCount() - 1
        index = self.model().index
        for row in range(top, bottom + 1):
            self._seen[row] = index(row, 0).data(JOB_ROLE)

    @override
    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        first, last = top_left.row(), bottom_right.row()
        model = self.model()
        whole_rows = top_left.column() == 0 and bottom_right.column() == model.columnCount() - 1
        if last - first < _SMALL_RANGE or not whole_rows:
            super().dataChanged(top_left, bottom_right, roles)
            return
        viewport = self.viewport()
        top = self.rowAt(0)
        if top < 0:
            return  # no rows on screen
        bottom = self.rowAt(viewport.height() - 1)
        if bottom < 0:
            bottom = model.rowCount() - 1
        seen = self._seen
        width = viewport.width()
        for row in range(max(first, top), min(last, bottom) + 1):
            job = model.index(row, 0).data(JOB_ROLE)
            if seen.get(row) is not job:
                seen[row] = job
                viewport.update(0, self.rowViewportPosition(row), width, self.rowHeight(row))
        if len(seen) > 4 * (bottom - top + 1) + 64:
            # Rows scrolled out of sight: forget them (an unknown row is simply repainted).
            self._seen = {r: j for r, j in seen.items() if top <= r <= bottom}


def job_table_view(proxy: JobFilterModel, parent: QWidget) -> QTableView:
    """A table view over the filtered jobs, newest first, with the default layout."""
    view = JobTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    # One line per job: long errors and paths are elided; the tooltip has them whole.
    view.setWordWrap(False)
    view.verticalHeader().hide()
    # Fixed row heights: the view never measures 100,000 rows.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSectionsMovable(True)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    for column, width in _DEFAULT_WIDTHS.items():
        view.setColumnWidth(column, width)
    for column in _HIDDEN_BY_DEFAULT:
        view.setColumnHidden(column, True)
    install_delegates(view)
    install_column_menu(view)
    return view


class PaintWatch(QObject):
    """Sets an asyncio event once a widget has painted (or has nothing to paint): the
    start-up waits on it before reading the whole store, so that the first rows are
    painted before a worker thread competes with the GUI thread for the interpreter."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = asyncio.Event()
        self._widget = widget
        widget.installEventFilter(self)
        widget.update()
        if not widget.isVisible():
            self.painted.set()

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted.is_set():
            # Set after this paint: the waiting coroutine resumes on a later loop turn.
            self.painted.set()
            self._widget.removeEventFilter(self)
        return False

    async def wait(self, timeout_s: float) -> None:
        """Until the paint, at most timeout_s (a window that is never exposed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.painted.wait(), timeout_s)
        # The window may have been closed meanwhile, taking the widget and this with it.
        with contextlib.suppress(RuntimeError):
            self._widget.removeEventFilter(self)
            self.deleteLater()


class EmptyHint(QObject):
    """A line of help over an empty table: how to start, or how to undo the filters."""

    def __init__(self, view: QTableView, proxy: JobFilterModel) -> None:
        super().__init__(view)
        self._view = view
        self._proxy = proxy
        self.label = QLabel(view.viewport())
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setEnabled(False)  # drawn in the palette's muted text colour
        self._loading = False
        for signal in (
            proxy.rowsInserted,
            proxy.rowsRemoved,
            proxy.modelReset,
            proxy.layoutChanged,
        ):
            signal.connect(self.update)
        view.viewport().installEventFilter(self)
        self._no_aerender: LocalReadiness | None = None
        self.update()

    def set_local_readiness(self, readiness: LocalReadiness | None) -> None:
        """The local connection's aerender, as last looked for: without one, the hint says
        what works here (encode jobs, render farms) instead of pointing at renders that
        would fail."""
        self._no_aerender = readiness if readiness is not None and not readiness.ready else None
        self.update()

    @property
    def loading(self) -> bool:
        """True while the jobs are being loaded."""
        return self._loading

    def set_loading(self, loading: bool) -> None:
        """While the jobs load, an empty table says so (not "No jobs yet")."""
        self._loading = loading
        self.update()

    def update(self, *_args: object) -> None:
        """Show or hide the hint for the current rows and filters."""
        empty = self._proxy.rowCount() == 0
        # Nothing to scroll to in an empty table: the columns' width alone is no reason.
        self._view.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if empty else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        if not empty:
            self.label.hide()
            return
        if self._loading:
            text = "Loading jobs…"
        elif self._proxy.is_filtering:
            text = "No job matches the filters.\nShow all jobs with Ctrl+Shift+F."
        elif self._no_aerender is not None:
            text = _without_after_effects(self._no_aerender)
        else:
            text = (
                "No jobs yet.\nNew batch (Ctrl+N) renders one job per row of a data file;"
                "\nNew render (Ctrl+Shift+N) renders one."
            )
        self.label.setText(text)
        self.label.resize(self._view.viewport().size())
        self.label.show()

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.label.resize(self._view.viewport().size())
        return False


def _encode_sample() -> str:
    """Where the bundled encode sample is, as a path to type (a checkout's relative one if
    the resources are not plain files)."""
    sample = files(RESOURCES_PACKAGE).joinpath("samples", "encode-sample.json")
    return str(sample) if isinstance(sample, Path) else "resources/samples/encode-sample.json"


def _without_after_effects(readiness: LocalReadiness) -> str:
    name = readiness.connection
    return (
        "No jobs yet. After Effects was not found on this computer, so the "
        f"{name} connection cannot run After Effects renders\n"
        "(set aerender in Connections, Ctrl+K).\n\n"
        "What works without it:\n"
        "encode jobs (a movie or an image sequence into MP4, ProRes or GIF); try the sample:\n"
        f"renderctl submit -c {name} {_encode_sample()}\n"
        "and render farms: add Nexrender Cloud, Rendley or a nexrender server in Connections,\n"
        "then New batch (Ctrl+N) renders one job per row of a data file, New render "
        "(Ctrl+Shift+N) one."
    )
