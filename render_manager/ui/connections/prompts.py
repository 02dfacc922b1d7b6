"""The Connections dialog's questions: remove a connection, discard unsaved changes.

Each box is returned unopened; the caller keeps it and calls `open()` (never `exec()`, whose
nested event loop would stall the asyncio work under it). Enter never destroys anything:
the safe button is the default.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def remove_box(
    parent: QWidget,
    name: str,
    *,
    jobs: int,
    unfinished: int,
    local: bool,
    has_token: bool,
    on_remove: Callable[[], None],
) -> QMessageBox:
    """Ask before removing a connection, saying what goes with it.

    A local connection with renders still going cannot be removed from here: the engine
    would lose track of processes it started.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Remove connection")
    box.setText(f"Remove the connection “{name}”?")
    details = [
        f"The store keeps {jobs} job{'s' if jobs != 1 else ''} of this connection; "
        "they leave the job list with it."
    ]
    blocked = bool(unfinished) and local
    if blocked:
        details.append(
            f"{unfinished} of them have not finished: cancel them first, then remove it."
        )
    elif unfinished:
        details.append(
            f"{unfinished} of them have not finished: they keep running on the back-end, "
            "but this app stops following them."
        )
    if has_token:
        details.append("Its token is deleted from the OS keyring.")
    box.setInformativeText("\n\n".join(details))
    if blocked:
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        return box
    remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    remove.clicked.connect(on_remove)
    return box


def discard_box(parent: QWidget, names: str, on_discard: Callable[[], None]) -> QMessageBox:
    """Ask before closing with changes not saved."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Discard the changes to {names}?")
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    discard.clicked.connect(on_discard)
    return box
