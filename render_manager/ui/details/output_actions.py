"""Opening what a job made: open the file or link, reveal it in its folder, copy its link.

The actions work on one job at a time (`set_job`). Each checks the disk or reads a fresh
link off the GUI thread first, then hands over to the desktop, and says in `message` what
it did or why it could not.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl, Signal
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusPendingCallWatcher
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence

from render_manager.domain.job import Job
from render_manager.services.job_output import (
    JobOutputError,
    JobOutputs,
    LocalOutput,
    is_link,
    output_path,
    resolve_local_output,
    why_no_output,
)
from render_manager.ui.qt.background import BackgroundTasks

log = logging.getLogger(__name__)

_FILE_MANAGER = "org.freedesktop.FileManager1"
# A file manager that is not running is started by D-Bus activation; give it time.
_DBUS_TIMEOUT_MS = 5000


def _action(parent: QObject, text: str, shortcut: str, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})")
    action.setStatusTip(tip)
    action.setEnabled(False)
    return action


class OutputActions(QObject):
    """Open output (Ctrl+O), Reveal in folder (Ctrl+Shift+R), Copy output link (Ctrl+Shift+C).

    `message` carries what happened, or why nothing could, in words for the status bar.
    Fresh links of expiring outputs come from the services' back-ends, through `outputs`.
    """

    message = Signal(str)

    def __init__(self, outputs: JobOutputs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._outputs = outputs
        self._job: Job | None = None
        self._tasks = BackgroundTasks(
            "an output action", on_error=lambda exc: self._say(f"That did not work: {exc}")
        )
        self._spawn = self._tasks.spawn
        self._watchers: set[QDBusPendingCallWatcher] = set()
        self.open_output = _action(
            self, "&Open output", "Ctrl+O", "Open the selected job's output file or link"
        )
        self.reveal = _action(
            self,
            "Reveal output in &folder",
            "Ctrl+Shift+R",
            "Show the selected job's output file in its folder",
        )
        self.copy_link = _action(
            self,
            "Copy output &link",
            "Ctrl+Shift+C",
            "Copy the selected job's output link (or file path) to the clipboard",
        )
        # The tips as built, for when a job's lack of output does not replace them.
        self._tips = {action: action.toolTip() for action in self.actions()}
        self.open_output.triggered.connect(self._on_open)
        self.reveal.triggered.connect(self._on_reveal)
        self.copy_link.triggered.connect(self._on_copy)

    def actions(self) -> list[QAction]:
        """The actions, in menu order."""
        return [self.open_output, self.reveal, self.copy_link]

    @property
    def job(self) -> Job | None:
        """The job the actions work on."""
        return self._job

    def set_job(self, job: Job | None) -> None:
        """Work on this job (None: nothing selected, every action disabled).

        Actions stay enabled for a job still to finish, so asking says why there is no
        output yet; a job that ended without one (cancelled, failed) has none to act on,
        and the actions' tooltips say why. Reveal is off for links, which have no folder.
        """
        self._job = job
        link = job is not None and job.output is not None and is_link(job.output)
        ended_without = job is not None and job.is_terminal and job.output is None
        usable = job is not None and not ended_without
        self.open_output.setEnabled(usable)
        self.open_output.setText("&Open output link" if link else "&Open output")
        self.reveal.setEnabled(usable and not link)
        self.copy_link.setEnabled(usable)
        self.copy_link.setText("Copy output &link" if link else "Copy output &path")
        why = why_no_output(job) if job is not None and ended_without else None
        for action, tip in self._tips.items():
            action.setToolTip(why or tip)

    # -- what the actions do (awaitable, for the window and tests) ----------------------------

    async def open_job_output(self, job: Job) -> None:
        """Open the output with the desktop's application for it (a link: the browser)."""
        if job.output is not None and is_link(job.output):
            url = await self._fresh_link(job)
            if url is not None:
                self._open(QUrl(url), f"Opened the output link of {job.name}.")
            return
        local = await self._local(job)
        if local is not None:
            what = "the first frame of " if local.is_sequence else ""
            self._open(QUrl.fromLocalFile(str(local.path)), f"Opened {what}{local.path}.")

    async def reveal_job_output(self, job: Job) -> None:
        """Show the output selected in the system's file manager."""
        local = await self._local(job)
        if local is not None:
            reveal_in_folder(local, self._say, self._watchers)

    async def copy_job_link(self, job: Job) -> None:
        """Put the output's link (a fresh one), or its path on this computer, on the clipboard."""
        if job.output is not None and is_link(job.output):
            text = await self._fresh_link(job)
            what = "link"
        else:
            local = await self._local(job)
            text = None if local is None else str(output_or_pattern(local))
            what = "path"
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self._say(f"Copied the output {what} of {job.name}.")

    # -- internals ----------------------------------------------------------------------------

    async def _local(self, job: Job) -> LocalOutput | None:
        try:
            return await asyncio.to_thread(resolve_local_output, job)
        except JobOutputError as exc:
            self._say(str(exc))
            return None

    async def _fresh_link(self, job: Job) -> str | None:
        self._say(f"Getting the output link of {job.name}…")
        try:
            return await self._outputs.link(job)
        except JobOutputError as exc:
            self._say(str(exc))
            return None

    def _open(self, url: QUrl, done: str) -> None:
        if QDesktopServices.openUrl(url):
            self._say(done)
        else:
            self._say(f"No application could open {url.toDisplayString()}.")

    def _say(self, text: str) -> None:
        self.message.emit(text)

    def _on_open(self) -> None:
        if self._job is not None:
            self._spawn(self.open_job_output(self._job))

    def _on_reveal(self) -> None:
        if self._job is not None:
            self._spawn(self.reveal_job_output(self._job))

    def _on_copy(self) -> None:
        if self._job is not None:
            self._spawn(self.copy_job_link(self._job))

    def cancel_pending(self) -> None:
        """Stop actions still waiting (the window is closing)."""
        self._tasks.cancel_all()


def output_or_pattern(local: LocalOutput) -> Path:
    """What to copy for an output: the file, or a sequence's whole pattern."""
    return output_path(local.recorded) if local.is_sequence else local.path


def reveal_in_folder(
    local: LocalOutput,
    say: Callable[[str], None],
    watchers: set[QDBusPendingCallWatcher],
) -> None:
    """Show the file selected in the platform's file manager; `say` reports the outcome."""
    path = str(local.path)
    done = f"Showing {local.path.name} in {local.folder}."
    if sys.platform == "darwin":
        ok = QProcess.startDetached("open", ["-R", path])[0]
    elif sys.platform == "win32":
        # explorer wants "/select," and the path as separate arguments to cope with spaces.
        ok = QProcess.startDetached("explorer.exe", ["/select,", path])[0]
    else:
        if _show_items_over_dbus(local, say, watchers):
            return
        ok = _open_folder(local)
    say(done if ok else f"Could not open the folder {local.folder}.")


def _open_folder(local: LocalOutput) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(local.folder)))


def _show_items_over_dbus(
    local: LocalOutput, say: Callable[[str], None], watchers: set[QDBusPendingCallWatcher]
) -> bool:
    """Ask the freedesktop file manager to select the file; False if there is no bus.

    Asynchronous: a file manager that does not answer (or is not installed) gets the
    folder opened instead, once the call fails.
    """
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    call = QDBusMessage.createMethodCall(
        _FILE_MANAGER, "/org/freedesktop/FileManager1", _FILE_MANAGER, "ShowItems"
    )
    call.setArguments([[QUrl.fromLocalFile(str(local.path)).toString()], ""])
    watcher = QDBusPendingCallWatcher(bus.asyncCall(call, _DBUS_TIMEOUT_MS))
    watchers.add(watcher)

    def finished(w: QDBusPendingCallWatcher) -> None:
        watchers.discard(w)
        if w.isError():
            log.info("no file manager over D-Bus (%s): opening the folder", w.error().message())
            ok = _open_folder(local)
            say(f"Opened {local.folder}." if ok else f"Could not open the folder {local.folder}.")
        else:
            say(f"Showing {local.path.name} in {local.folder}.")
        w.deleteLater()

    watcher.finished.connect(finished)
    return True
