"""Every action of the main window, with its shortcut, and the menus that hold them."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

StandardKey = QKeySequence.StandardKey


def _action(
    parent: QWidget, text: str, shortcut: QKeySequence | StandardKey | str | None, tip: str
) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    # The shortcut in the tooltip: discoverable from the toolbar too.
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


class WindowActions:
    """The window's QActions; the window connects them to what they do."""

    def __init__(self, window: QMainWindow) -> None:
        w = window
        self.new_batch = _action(
            w, "New &batch…", StandardKey.New, "Submit one job per row of a data file"
        )
        self.new_render = _action(w, "New &render…", "Ctrl+Shift+N", "Submit a single job")
        self.import_render_queue = _action(
            w, "&Import render queue…", "Ctrl+I",
            "Submit the queued items of an .aep's render queue (or Shift-drop the .aep here)",
        )  # fmt: skip
        self.connections = _action(
            w, "&Connections…", "Ctrl+K", "Add, edit, test or remove connections"
        )
        self.quit = _action(w, "&Quit", StandardKey.Quit, "Close Render Manager")
        self.find = _action(w, "&Find jobs", StandardKey.Find, "Type to filter the job table")
        self.clear_filters = _action(
            w, "&Show all jobs", "Ctrl+Shift+F", "Remove every filter of the job table"
        )
        self.hide_cancelled = _action(
            w, "&Hide cancelled jobs", "Ctrl+H", "Hide or show cancelled jobs"
        )
        self.hide_cancelled.setCheckable(True)
        self.refresh = _action(
            w, "&Refresh now", StandardKey.Refresh, "Ask every connection for news now"
        )
        self.cancel = _action(
            w, "&Cancel jobs…", QKeySequence(StandardKey.Delete), "Cancel the selected jobs"
        )
        self.cancel_batch = _action(
            w, "Cancel &batch…", "Shift+Del", "Cancel every job of the selected job's batch"
        )
        # Ctrl+R is free here: StandardKey.Refresh is F5 on Linux and Windows (Cmd+R only
        # on macOS, where Refresh keeps F5 alone, set below, so the two never clash).
        self.retry = _action(
            w, "Re&try…", "Ctrl+R", "Send the selected failed or cancelled jobs again"
        )
        self.retry_batch = _action(
            w,
            "Retry ba&tch…",
            "Ctrl+Shift+T",
            "Send the failed and cancelled jobs of the selected job's batch again",
        )
        # Ctrl+P is free: nothing here prints.
        self.pause = _action(
            w, "&Pause…", "Ctrl+P", "Hold the selected queued local jobs until resumed"
        )
        self.resume = _action(
            w, "Res&ume…", "Ctrl+Shift+P", "Put the selected paused jobs back in the queue"
        )
        self.resubmit = _action(
            w,
            "&Edit and resubmit…",
            "Ctrl+E",
            "Open the selected failed or cancelled job in New render, to fix it and send it again",
        )
        self.raise_priority = _action(
            w, "&Raise priority", "Ctrl+Up", "Render the selected queued jobs sooner"
        )
        self.lower_priority = _action(
            w, "&Lower priority", "Ctrl+Down", "Render the selected queued jobs later"
        )
        self.set_priority = _action(
            w, "&Set priority…", None, "Give the selected queued jobs a priority"
        )
        self.show_batch = _action(
            w, "Show only this &batch", "Ctrl+B", "Filter the table to the selected job's batch"
        )
        self.columns = _action(w, "Colu&mns", None, "Choose the columns of the job table")
        self.about = _action(w, "&About Render Manager", None, "Versions and licence")
        self.shortcuts = _action(
            w, "&Keyboard shortcuts", "Ctrl+/", "Every action and its shortcut"
        )
        for action in (
            self.cancel,
            self.cancel_batch,
            self.show_batch,
            self.retry,
            self.retry_batch,
            self.pause,
            self.resume,
            self.resubmit,
            self.raise_priority,
            self.lower_priority,
            self.set_priority,
        ):
            action.setEnabled(False)

    def build_menus(self, window: QMainWindow, dock_toggles: list[QAction]) -> dict[str, QMenu]:
        """The menu bar; returns its menus by name so others can add to them."""
        bar = window.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.new_batch, self.new_render, self.import_render_queue])
        file.addSeparator()
        file.addAction(self.connections)
        file.addSeparator()
        file.addAction(self.quit)
        jobs = bar.addMenu("&Jobs")
        jobs.addActions([self.cancel, self.cancel_batch])
        jobs.addActions([self.retry, self.retry_batch, self.resubmit])
        jobs.addActions([self.pause, self.resume])
        priority = jobs.addMenu("Pri&ority")
        priority.addActions([self.raise_priority, self.lower_priority, self.set_priority])
        jobs.addSeparator()
        jobs.addAction(self.show_batch)
        jobs.addSeparator()
        jobs.addAction(self.refresh)
        view = bar.addMenu("&View")
        view.addActions([self.find, self.clear_filters, self.hide_cancelled])
        view.addSeparator()
        view.addActions(dock_toggles)
        view.addSeparator()
        view.addAction(self.columns)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts, self.about])
        return {"file": file, "jobs": jobs, "view": view, "help": help_menu}

    def all(self) -> list[QAction]:
        """Every action, for the shortcuts list."""
        return [value for value in vars(self).values() if isinstance(value, QAction)]
