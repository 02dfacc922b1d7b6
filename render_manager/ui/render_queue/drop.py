"""An .aep dropped on the main window with Shift held: import its render queue.

An event filter, so the window only installs it: drags of anything but one .aep file
pass through untouched, for the window's other drop targets.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget
from typing_extensions import override

DROP_MODIFIER = Qt.KeyboardModifier.ShiftModifier
DROP_HINT = "Hold Shift while dropping an .aep to import its render queue"


def project_in(urls: list[QUrl]) -> Path | None:
    """The one local .aep file among dropped URLs, else None."""
    paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    if len(paths) != 1 or paths[0].suffix.lower() != ".aep":
        return None
    return paths[0]


class ProjectDrops(QObject):
    """Watches a window for dropped .aep files."""

    #: An .aep was dropped with Shift held.
    project_dropped = Signal(Path)
    #: An .aep was dropped without Shift: what to do instead (for the status bar).
    hint = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent):
            if project_in(event.mimeData().urls()) is not None:
                event.acceptProposedAction()
                return True
        elif isinstance(event, QDropEvent):
            path = project_in(event.mimeData().urls())
            if path is not None:
                event.acceptProposedAction()
                if event.modifiers() & DROP_MODIFIER:
                    self.project_dropped.emit(path)
                else:
                    self.hint.emit(DROP_HINT)
                return True
        return super().eventFilter(watched, event)
