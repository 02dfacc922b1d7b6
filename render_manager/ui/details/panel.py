"""The selected job in a dock: every field, a local render's log as it grows, output actions.

The window calls `show_job` whenever the selection or the job changes. While the panel is
visible and its job runs, a one-second timer moves the clocks on and follows the log;
nothing runs while it is hidden. Disk and store reads happen off the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QHideEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.job import Job, progress_detail
from render_manager.domain.status import JobStatus
from render_manager.services.app_services import AppServices
from render_manager.services.job_history import JobHistory
from render_manager.services.job_output import JobOutputError, LogFollower
from render_manager.store.local_records import LocalJobRecord
from render_manager.ui.details.output_actions import OutputActions
from render_manager.ui.jobs.columns import (
    JobColumns,
    RateSamples,
    format_clock,
    format_duration,
    format_frames,
    format_when,
)
from render_manager.ui.jobs.delegates import JobProgressBar
from render_manager.ui.jobs.status_icons import status_icon
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.qt.elided_label import ElidedLabel

log = logging.getLogger(__name__)

FOLLOW_MS = 1000
# Lines kept in the log view: the end of any render, without growing without bound.
MAX_LOG_LINES = 5000
NO_JOB = "Select a job to see its details."
UNKNOWN = "—"


def _value_label() -> QLabel:
    label = QLabel(UNKNOWN)
    # Plain text always: an error message with "<" must not be read as markup.
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setWordWrap(True)
    return label


def _wrap_within_width(label: QLabel) -> None:
    """Let a word-wrapped label take the width it is given rather than its longest word's.

    A path or token with no space in it would otherwise widen the whole dock.
    """
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)


def job_fields(
    job: Job, eta: float | None, duration: float | None, batch_name: str | None = None
) -> dict[str, str]:
    """The text of each common field of a job (empty values read as a dash); a batch reads
    as its name with its id, as people name batches by their data file."""
    status = job.status.value.capitalize()
    if job.raw_status != job.status.value:
        status = f"{status} ({job.raw_status})"
    values = {
        "Name": job.name,
        "Status": status,
        "Connection": job.connection,
        "ID": job.id,
        "Batch": _batch_text(job.batch_id, batch_name),
        "Parent job": job.parent_id or "",
        "Tags": ", ".join(job.tags),
        "Progress": progress_detail(job),
        "Frames": format_frames(job),
        "Time left": "" if eta is None else format_clock(eta),
        "Created": format_when(job.created_at),
        "Started": format_when(job.started_at),
        "Finished": format_when(job.finished_at),
        "Duration": "" if duration is None else format_duration(duration),
        "Output": job.output or "",
        "Error": job.error or "",
    }
    return {key: text or UNKNOWN for key, text in values.items()}


def _batch_text(batch_id: str | None, name: str | None) -> str:
    if batch_id is None:
        return ""
    return f"{name} ({batch_id})" if name and name != batch_id else batch_id


def history_fields(history: JobHistory) -> dict[str, str]:
    """The text of the retry fields: each attempt of a local job (its number, how it ended,
    why, and the log it kept), and the jobs a remote one retries and was retried as."""
    lines = []
    for attempt in history.attempts:
        why = f": {attempt.error}" if attempt.error else ""
        log_name = f" ({Path(attempt.log).name})" if attempt.log else ""
        lines.append(f"{attempt.number}. {attempt.raw_status}{why}{log_name}")
    values = {"Retry of": history.retry_of or "", "Retried as": history.retried_as or ""}
    if len(lines) > 1:  # a job never retried shows its run count alone
        values["Attempts"] = "\n".join(lines)
    return {key: text or UNKNOWN for key, text in values.items()}


def local_fields(record: LocalJobRecord) -> dict[str, str]:
    """The text of each field of the local engine's record."""
    values = {
        "Job type": record.job_type,
        "Priority": str(record.priority),
        "Attempts": str(record.attempts),
        "Process": "" if record.pid is None else f"PID {record.pid}",
        "Work folder": record.work_dir,
        "Log file": record.log_path or "",
        "Render route": "" if record.route is None else record.route.label,
        "Warnings": "\n".join(record.warnings),
    }
    if record.cancel_requested:
        values["Process"] += " (cancel requested)"
    return {key: text.strip() or UNKNOWN for key, text in values.items()}


class JobDetails(QWidget):
    """One job in full. `output_actions` holds the Open/Reveal/Copy actions for menus.

    `eta`, if given, supplies the table's time-left estimate so both agree; `batch_name`
    the name of a batch by its id, as the table shows it.
    """

    def __init__(
        self,
        services: AppServices,
        parent: QWidget | None = None,
        *,
        eta: Callable[[Job], float | None] | None = None,
        batch_name: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobDetails")
        self._outputs = services.outputs
        self._columns = JobColumns(RateSamples())
        self._eta = eta or self._columns.eta_seconds
        self._batch_name = batch_name or (lambda _batch_id: None)
        self._job: Job | None = None
        self._record: LocalJobRecord | None = None
        # The job whose retry fields are shown (they are read with its local record).
        self._history_of: str | None = None
        self._follower: LogFollower | None = None
        self._log_final = False
        self._generation = 0
        self._tasks = BackgroundTasks(
            "reading a job's details",
            on_error=lambda exc: self.message.setText(f"Could not read the job's details: {exc}"),
        )
        self._spawn = self._tasks.spawn
        self._log_task: asyncio.Task[None] | None = None
        self._log_again = False
        self.output_actions = OutputActions(self._outputs, self)
        self._build()
        self.output_actions.message.connect(self.message.setText)
        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._on_timer)
        self.show_job(None)

    @property
    def job(self) -> Job | None:
        """The job shown."""
        return self._job

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("details-splitter")  # the window remembers it by this name
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_form())
        splitter.addWidget(self._build_log())
        # The fields first: a render's log is worth a scroll, its status and output are not.
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self._splitter = splitter
        # Sizes the user gave the fields and the log; reused each time a log reappears.
        self._log_sizes: list[int] | None = None
        splitter.splitterMoved.connect(self._on_splitter_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_progress_bar())
        layout.addLayout(self._build_buttons())
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    def _build_header(self) -> QHBoxLayout:
        # One line, shortened to the dock's width (the Name field below has it whole): a
        # long name must not widen the dock and push the table's columns off screen.
        self.title = ElidedLabel(NO_JOB)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.icon = QLabel()
        header = QHBoxLayout()
        header.addWidget(self.icon)
        header.addWidget(self.title, 1)
        return header

    def _build_progress_bar(self) -> JobProgressBar:
        # A running job's progress at a glance, as the table draws it: striped (busy) while
        # its length is unknown, never an empty "0 %" or a full bar that reads as done.
        self.progress_bar = JobProgressBar(self)
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the fields below do not jump as jobs change
        self.progress_bar.setSizePolicy(policy)
        self.progress_bar.hide()
        return self.progress_bar

    def _show_progress(self, job: Job | None) -> None:
        bar = self.progress_bar
        if job is None or job.status is not JobStatus.RENDERING:
            bar.hide()
            return
        bar.set_job(job)
        bar.show()

    def _build_form(self) -> QScrollArea:
        form_widget = QWidget()
        self.form = QFormLayout(form_widget)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # One row per field, by its label; made when first shown, in the order shown.
        self.values: dict[str, QLabel] = {}
        self._local_rows: set[str] = set()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        return scroll

    def _build_buttons(self) -> QGridLayout:
        # Two to a row: the dock stays narrow enough to leave the job table its width.
        buttons = QGridLayout()
        for n, action in enumerate(self.output_actions.actions()):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button, n // 2, n % 2)
            # In the panel's context menu too; the shortcuts work while it has focus.
            self.addAction(action)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        _wrap_within_width(self.message)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return buttons

    def _build_log(self) -> QWidget:
        # A log's path is long: shortened in the middle, where its folders are.
        self.log_label = ElidedLabel("Log", mode=Qt.TextElideMode.ElideMiddle)
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("jobLog")
        self.log_view.setReadOnly(True)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setMaximumBlockCount(MAX_LOG_LINES)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_box = QWidget()
        log_layout = QVBoxLayout(self.log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(self.log_label)
        log_layout.addWidget(self.log_view, 1)
        return self.log_box

    # -- showing a job ----------------------------------------------------------------------

    def show_job(self, job: Job | None) -> None:
        """Show this job (None: nothing selected); the same job again updates in place."""
        previous = self._job
        if job == previous and job is not None:
            return
        self._job = job
        self.output_actions.set_job(job)
        if job is None or previous is None or job.id != previous.id:
            self._generation += 1
            self._record = None
            self._follower = None
            self._log_final = False
            self.message.clear()
            self.log_view.clear()
            self.log_view.setPlaceholderText("")
            # The title names the log shown: never the one of the job selected before.
            self.log_label.setText("Log")
            self._set_local_rows(False)
        elif previous.is_terminal and not job.is_terminal:
            # Requeued (a retry): its log goes on, so follow it again.
            self._follower = None
            self._log_final = False
        self._fill(job)
        if job is not None:
            self._spawn(self._load_record(job, self._generation))
        self._update_timer()

    def refresh(self) -> None:
        """Read the log's new lines now (the window may call this on its own refresh)."""
        if self._job is not None and self._record is not None:
            self._request_log()

    def _fill(self, job: Job | None) -> None:
        self._show_progress(job)
        if job is None:
            self.title.setText(NO_JOB)
            self.icon.clear()
            for label in self.values.values():
                label.setText(UNKNOWN)
            return
        self.title.setText(job.name)
        self.icon.setPixmap(status_icon(job.status).pixmap(16, 16))
        batch = None if job.batch_id is None else self._batch_name(job.batch_id)
        for key, text in job_fields(
            job, self._eta(job), self._columns.duration_seconds(job), batch
        ).items():
            self._set_value(key, text)
        # Filled in once the store is read; a dash until then, never the previous job's.
        for key in ("Retry of", "Retried as"):
            if key not in self.values or job.id != self._history_of:
                self._set_value(key, UNKNOWN)

    def _set_value(self, key: str, text: str) -> None:
        label = self.values.get(key)
        if label is None:
            label = self.values[key] = _value_label()
            self.form.addRow(f"{key}:", label)
        label.setText(text)

    def _set_local_rows(self, visible: bool) -> None:
        for key in self._local_rows:
            self.form.setRowVisible(self.values[key], visible)
        appearing = visible and self.log_box.isHidden()
        self.log_box.setVisible(visible)
        if appearing:
            # A splitter gives a reappearing pane the size it had when hidden (nearly none
            # on a first show): share the height as the user last did, else 3:2.
            total = sum(self._splitter.sizes())
            if total > 0:
                self._splitter.setSizes(self._log_sizes or [total * 3 // 5, total * 2 // 5])

    def _on_splitter_moved(self, *_args: object) -> None:
        if self.log_box.isVisible():
            self._log_sizes = self._splitter.sizes()

    async def _load_record(self, job: Job, generation: int) -> None:
        record = await asyncio.to_thread(self._outputs.local_record, job.id)
        history = await asyncio.to_thread(self._outputs.history, job)
        if generation != self._generation:
            return  # another job was selected meanwhile
        self._record = record
        self._history_of = job.id
        self._set_local_rows(record is not None)
        if record is not None:
            for key, text in local_fields(record).items():
                self._set_value(key, text)
                self._local_rows.add(key)
        for key, text in history_fields(history).items():
            self._set_value(key, text)
        if record is not None:
            self._request_log()

    # -- following the log --------------------------------------------------------------------

    async def follow_log(self) -> None:
        """Bring the log view up to date with the file (awaitable, for tests)."""
        job, generation = self._job, self._generation
        if job is None or self._log_final:
            return
        final = job.is_terminal
        try:
            if self._follower is None:
                self._follower = await asyncio.to_thread(self._outputs.log_follower, job)
            lines, restart = await asyncio.to_thread(self._follower.read, final=final)
        except JobOutputError as exc:
            if generation == self._generation:
                self._follower = None
                self.log_view.clear()
                self.log_view.setPlaceholderText(str(exc))
            return
        if generation != self._generation:
            return
        self.log_label.setText(f"Log: {self._follower.path}")
        self._log_final = final
        self._append(lines, restart)

    def _append(self, lines: list[str], restart: bool) -> None:
        bar = self.log_view.verticalScrollBar()
        # Follow the end only if the user was there: reading back up is not interrupted.
        at_end = restart or bar.value() >= bar.maximum() - 2
        if restart:
            self.log_view.clear()
        if lines:
            cursor = QTextCursor(self.log_view.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            prefix = "" if self.log_view.document().isEmpty() else "\n"
            cursor.insertText(prefix + "\n".join(lines))
        if at_end:
            bar.setValue(bar.maximum())

    def _request_log(self) -> None:
        if self._log_task is not None and not self._log_task.done():
            self._log_again = True  # one more read once this one ends: nothing is missed
            return
        self._log_again = False
        self._log_task = self._spawn(self.follow_log())
        self._log_task.add_done_callback(self._on_log_read)

    def _on_log_read(self, _task: asyncio.Task[None]) -> None:
        if self._log_again:
            self._request_log()

    # -- the timer ----------------------------------------------------------------------------

    def _update_timer(self) -> None:
        running = self._job is not None and not self._job.is_terminal
        if running and self.isVisible():
            self._timer.start()
        else:
            self._timer.stop()

    def _on_timer(self) -> None:
        job = self._job
        if job is None or job.is_terminal:
            self._timer.stop()
            return
        eta, duration = self._eta(job), self._columns.duration_seconds(job)
        self._set_value("Time left", UNKNOWN if eta is None else format_clock(eta))
        self._set_value("Duration", UNKNOWN if duration is None else format_duration(duration))
        self.refresh()

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_timer()
        self.refresh()

    @override
    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    # -- background work ------------------------------------------------------------------------

    def close_tasks(self) -> None:
        """Stop background reads and pending actions (the window is closing)."""
        self._timer.stop()
        self._tasks.cancel_all()
        self.output_actions.cancel_pending()
