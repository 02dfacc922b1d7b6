"""What each data column drives in the project: a row per column with a searchable picker of
the composition's text layers, footage layers and properties ("Title ▸ Source Text").

The project is read by the dialog (off the GUI thread) and handed over with `set_project`;
a project that cannot be read leaves the pickers open to a typed layer name, whose rows the
preview then checks (and refuses, with the reason, where a rewrite would be needed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.projects import ProjectInfo
from render_manager.services.batch_mapping import (
    Target,
    TargetKind,
    auto_targets,
    compositions_to_map,
    mappable,
    targets,
)
from render_manager.services.words import counted
from render_manager.ui.qt.elided_label import ElidedLabel

NOT_USED = "(not used)"
_HEADERS = ("Data column", "Drives", "Takes", "First row")


class _Picker(QComboBox):
    """An editable combo box whose text is selected on focus: typing starts a search."""

    @override
    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        line = self.lineEdit()
        if line is not None:
            # After the line edit's own focus handling, which would place the cursor.
            QTimer.singleShot(0, line.selectAll)


class MappingPanel(QWidget):
    """A picker per data column of what it drives in the chosen composition."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._first: dict[str, str] = {}
        self._offered: list[Target] = []
        self._project_read = False
        self.reading = False
        """True from `set_reading` until `set_project`: the pickers are not complete yet."""
        self._composition = ""
        self._combos: dict[str, QComboBox] = {}
        self._hints: dict[str, QLabel] = {}
        # What the user picked (by label) or typed, kept across re-reads of the project.
        self._chosen: dict[str, str] = {}

        self.heading = QLabel("<b>What each data column drives in the project</b>", self)
        self.project_status = QLabel(self)
        self.project_status.setWordWrap(True)
        self.project_status.setAccessibleName("Project")
        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setColumnStretch(1, 3)
        self._grid.setColumnStretch(3, 2)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.project_status)
        layout.addWidget(scroll, 1)

    # -- what the dialog hands over ------------------------------------------------------------

    def set_columns(self, columns: Sequence[str], first_row: Mapping[str, str]) -> None:
        """The data file's columns and its first row's values (shown as examples)."""
        self._columns = list(columns)
        self._first = dict(first_row)
        self._rebuild()

    def set_reading(self, project: str) -> None:
        """The project is being read: say so, keep the pickers as they are."""
        self.reading = True
        self.project_status.setText(f"Reading {project}…")

    def set_project(
        self, info: ProjectInfo | None, composition: str, message: str, name: str = ""
    ) -> None:
        """The project read (None: it could not be; `message` says why), its file `name`
        and the composition the template renders; the pickers offer its layers."""
        self._project_read = info is not None
        self.reading = False
        self._composition = composition
        self._offered = targets(info, composition) if info is not None else []
        self.project_status.setText(message if info is None else _summary(info, composition, name))
        self._rebuild()

    # -- what the dialog reads back ------------------------------------------------------------

    def problem(self, *, placeholders: bool) -> str | None:
        """Why the rows cannot be checked yet, or would all be the same job (when the
        template has no `placeholders` of its own either)."""
        if self.reading:
            return "The project is still being read: a moment."
        if not placeholders and self._project_read and self._columns and not self.choices():
            return (
                "No column drives anything in the project, so every row would render the "
                "same job: pick what each column drives."
            )
        return None

    def choices(self) -> dict[str, Target]:
        """The target of each column that drives one."""
        chosen: dict[str, Target] = {}
        for column, combo in self._combos.items():
            target = self._target_of(combo)
            if target is not None:
                chosen[column] = target
        return chosen

    def combo(self, column: str) -> QComboBox:
        """The picker of one column."""
        return self._combos[column]

    def hint(self, column: str) -> QLabel:
        """What the picked target takes ("#RRGGBB"), beside the picker."""
        return self._hints[column]

    # -- building ------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._combos.clear()
        self._hints.clear()
        if not self._columns:
            return
        for col, text in enumerate(_HEADERS):
            header = QLabel(f"<b>{text}</b>", self._grid_host)
            self._grid.addWidget(header, 0, col)
        # The "Takes" column as wide as its widest text: picking never moves the others.
        takes = [t.takes for t in self._offered] + ["a file or an http(s) URL", "text"]
        widest = max(self.fontMetrics().horizontalAdvance(t) for t in takes)
        self._grid.setColumnMinimumWidth(2, widest + 8)
        guessed = auto_targets(self._columns, self._offered)
        for row, column in enumerate(self._columns, 1):
            name = QLabel(column, self._grid_host)
            combo = self._picker(column)
            name.setBuddy(combo)
            hint = QLabel(self._grid_host)
            hint.setAccessibleName(f"What {column} takes")
            example = ElidedLabel(self._first.get(column, ""), self._grid_host)
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(combo, row, 1)
            self._grid.addWidget(hint, row, 2)
            self._grid.addWidget(example, row, 3)
            self._combos[column] = combo
            self._hints[column] = hint
            self._select(combo, self._chosen.get(column), guessed.get(column))
            self._show_hint(column)
        self._grid.setRowStretch(len(self._columns) + 1, 1)

    def _picker(self, column: str) -> QComboBox:
        combo = _Picker(self._grid_host)
        combo.setAccessibleName(f"What {column} drives")
        combo.setMinimumContentsLength(28)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.addItem(NOT_USED, None)
        if mappable(column):
            for target in self._offered:
                combo.addItem(target.label, target)
                combo.setItemData(combo.count() - 1, _tooltip(target), Qt.ItemDataRole.ToolTipRole)
        else:
            combo.setEnabled(False)
            combo.setToolTip("A column whose name has { or } cannot fill a placeholder.")
        # Searchable: type any part of a name; with no project read, a typed layer name.
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer, line = combo.completer(), combo.lineEdit()
        # An editable combo box has both.
        assert completer is not None
        assert line is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line.setPlaceholderText(
            "Type a layer or property name" if self._project_read else "Type the text layer's name"
        )
        combo.currentIndexChanged.connect(lambda _i, c=column: self._show_hint(c))
        combo.activated.connect(lambda _i, c=column: self._on_picked(c))
        line.editingFinished.connect(lambda c=column: self._on_typed(c))
        return combo

    def _select(self, combo: QComboBox, label: str | None, guess: Target | None) -> None:
        if label is not None:
            index = combo.findText(label, Qt.MatchFlag.MatchExactly)
            if index >= 0:
                combo.setCurrentIndex(index)
                return
            if not self._project_read and label != NOT_USED:
                combo.setEditText(label)  # a typed name, kept while the project is unread
                return
        # Nothing chosen yet, or a choice another project does not have: a match by name.
        combo.setCurrentIndex(max(combo.findData(guess), 0) if guess is not None else 0)

    def _on_picked(self, column: str) -> None:
        combo = self._combos.get(column)
        if combo is not None:
            self._chosen[column] = combo.currentText()

    def _on_typed(self, column: str) -> None:
        combo = self._combos.get(column)
        if combo is None:
            return
        text = combo.currentText()
        index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            combo.setCurrentIndex(index)
        elif self._project_read or not text.strip():
            # Only what the project has: a half-typed search goes back to the choice made.
            combo.setEditText(combo.itemText(combo.currentIndex()))
        self._chosen[column] = combo.currentText().strip()
        self._show_hint(column)

    def _target_of(self, combo: QComboBox) -> Target | None:
        text = combo.currentText().strip()
        index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            data = combo.itemData(index)
            return data if isinstance(data, Target) else None
        if self._project_read or not text or text == NOT_USED:
            data = combo.currentData()
            return data if isinstance(data, Target) else None
        # The project could not be read: the name typed is a text layer's, checked per row.
        return Target(self._composition, text, TargetKind.TEXT, "Source Text")

    def _show_hint(self, column: str) -> None:
        combo, hint = self._combos.get(column), self._hints.get(column)
        if combo is None or hint is None:
            return
        target = self._target_of(combo)
        hint.setText(target.takes if target is not None else "")
        combo.setToolTip(_tooltip(target) if target is not None else "Drives nothing")


def _tooltip(target: Target) -> str:
    current = f"\nIn the project: {target.current}" if target.current else ""
    return f"{target.label}\nTakes {target.takes}{current}"


def _summary(info: ProjectInfo, composition: str, name: str) -> str:
    comps = compositions_to_map(info, composition)
    if not comps:
        return "The project has no composition: there is nothing to map."
    layers = sum(len(c.layers) for c in comps)
    project = f"{name} (After Effects {info.ae_version})" if name else "The project"
    if len(comps) == 1 and comps[0].name == composition:
        c = comps[0]
        size = f"{c.width}\u00d7{c.height}"  # the multiplication sign, as After Effects shows it
        where = f"composition {c.name!r}, {size}, {c.frame_rate:g} fps"
    else:
        # A composition that is a {{column}} or a typo: every one is offered.
        where = f"every composition ({len(comps)}: the one named is not in the project)"
    return f"{project} · {where} · {counted(layers, 'layer')}"
