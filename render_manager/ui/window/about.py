"""Help menu dialogs: About (versions, for bug reports) and the list of keyboard shortcuts."""

from __future__ import annotations

import platform
from collections.abc import Iterable

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from render_manager import __version__
from render_manager.ui.qt.icons import app_icon


def versions() -> dict[str, str]:
    """The versions a bug report needs."""
    return {
        "Render Manager": __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
        "System": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


class AboutDialog(QDialog):
    """The app's name, purpose and versions, selectable for pasting into a bug report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Render Manager")
        layout = QVBoxLayout(self)
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in versions().items())
        self.text = QLabel(
            "<h3>Render Manager</h3>"
            "<p>Local aerender renders and cloud render services in one queue.</p>"
            f"<table cellspacing='4'>{rows}</table>",
            self,
        )
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ShortcutsDialog(QDialog):
    """Every action with a shortcut, as a table."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(460, 480)
        listed = sorted(
            ((a.text().replace("&", "").rstrip("…"), a.shortcut()) for a in actions),
            key=lambda pair: pair[0],
        )
        listed = [(text, keys) for text, keys in listed if not keys.isEmpty()]
        self.table = QTableWidget(len(listed), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (text, keys) in enumerate(listed):
            self.table.setItem(row, 0, QTableWidgetItem(text))
            native = keys.toString(QKeySequence.SequenceFormat.NativeText)
            self.table.setItem(row, 1, QTableWidgetItem(native))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
