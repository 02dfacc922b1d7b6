"""Step 2: the data file and which column fills each placeholder (or, for one job, the values)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from render_manager.services.batch_data import auto_mapping
from render_manager.services.data_files import (
    DATA_FILE_FILTER,
    DATA_SUFFIXES,
    DataTable,
    single_row,
)
from render_manager.services.words import counted
from render_manager.ui.submit.mapping_page import MappingPanel

NOT_MAPPED = "(no column)"


class DataPage(QWidget):
    """A data file and a column per placeholder; in single mode, a value per placeholder."""

    file_chosen = Signal(str)
    sheet_chosen = Signal(str, str)
    """(data file, sheet): the user picked another sheet of the workbook."""

    def __init__(self, *, single: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.single = single
        self.table: DataTable | None = None
        self.last_folder = ""
        self._names: list[str] = []
        self._combos: dict[str, QComboBox] = {}
        self._edits: dict[str, QLineEdit] = {}
        # What the user chose or typed, kept across template edits and file reloads.
        self._chosen: dict[str, str | None] = {}
        self._typed: dict[str, str] = {}

        layout = QVBoxLayout(self)
        self.file = QLineEdit(self)
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("Choose or drop a CSV, TSV, Excel (.xlsx) or JSON file")
        self.file.setAccessibleName("Data file")
        browse = QPushButton("&Open data file…", self)
        browse.setAutoDefault(False)
        browse.clicked.connect(self._on_browse)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.sheet = QComboBox(self)
        self.sheet.setAccessibleName("Sheet")
        self.sheet.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet.activated.connect(self._on_sheet)
        self._sheet_label = QLabel("S&heet:", self)
        self._sheet_label.setBuddy(self.sheet)
        if not single:
            row = QHBoxLayout()
            row.addWidget(self.file, 1)
            row.addWidget(browse)
            layout.addLayout(row)
            sheet_row = QHBoxLayout()
            sheet_row.addWidget(self._sheet_label)
            sheet_row.addWidget(self.sheet)
            sheet_row.addStretch(1)
            layout.addLayout(sheet_row)
            layout.addWidget(self.summary)
        self._show_sheets(())
        self._placeholder_area(layout)
        # A local batch maps columns to the project's layers too (shown by the dialog).
        self.mapping_panel = MappingPanel(self)
        self.mapping_panel.hide()
        layout.addWidget(self.mapping_panel, 3)
        if single:
            browse.hide()
            self.file.hide()

    def _placeholder_area(self, layout: QVBoxLayout) -> None:
        self.heading = QLabel(self)
        layout.addWidget(self.heading)
        self._form_host = QWidget(self)
        self._form = QFormLayout(self._form_host)
        self._placeholders = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._form_host)
        layout.addWidget(scroll, 1)

    def set_table(self, table: DataTable) -> None:
        """A data file was read: offer its columns, mapped by name where possible."""
        self.table = table
        self.file.setText(str(table.source or ""))
        self._show_sheets(table.sheets, table.sheet)
        bad = sum(1 for r in table.rows if r.error is not None)
        text = f"{counted(len(table.rows), 'row')}, {counted(len(table.columns), 'column')}"
        if bad:
            text += f"; {counted(bad, 'row')} cannot be read"
        if how := table.read_as():
            text += f" (read as {how})"
        self.summary.setText(text)
        self._remember()
        first = table.rows[0].values if table.rows else {}
        self.mapping_panel.set_columns(table.columns, first)
        # A choice the new file cannot honour gives way to a match by name.
        self._chosen = {n: c for n, c in self._chosen.items() if c in table.columns}
        self._rebuild(remember=False)

    def set_error(self, message: str) -> None:
        """The data file could not be read; the previous data, if any, is kept."""
        self.summary.setText(message)

    def set_values(self, values: Mapping[str, str]) -> None:
        """Values to show for these placeholders (single mode: a job edited again)."""
        self._typed.update(values)
        self._rebuild(remember=False)

    def set_placeholders(self, names: Sequence[str]) -> None:
        """The template's placeholders, in order of first use."""
        self._names = list(names)
        self._rebuild()

    def show_mapping(self, shown: bool) -> None:
        """Offer (or not) what each column drives in the project, below the placeholders."""
        self.mapping_panel.setVisible(shown)
        self._rebuild()

    def mapping(self) -> dict[str, str | None]:
        """Each placeholder's column (None: not mapped)."""
        if self.single:
            return {n: n for n in self._names}
        return {n: self._combo_column(c) for n, c in self._combos.items()}

    def data(self) -> DataTable | None:
        """The rows to fill the template with: the file's, or the single form's one row."""
        if self.single:
            return single_row({n: e.text() for n, e in self._edits.items()})
        return self.table

    def problem(self) -> str | None:
        """Why the next step cannot be reached yet."""
        if self.single:
            return None
        if self.table is None:
            return "Choose a data file (or drop one on this window)."
        panel = self.mapping_panel
        if not panel.isHidden() and (problem := panel.problem(placeholders=bool(self._names))):
            return problem
        unmapped = [n for n, c in self.mapping().items() if c is None]
        if unmapped:
            return "Choose a column for " + ", ".join("{{" + n + "}}" for n in unmapped) + "."
        return None

    def _rebuild(self, *, remember: bool = True) -> None:
        if remember:
            self._remember()
        while self._form.rowCount():
            self._form.removeRow(0)
        self._combos.clear()
        self._edits.clear()
        # Beside the project mapping, an empty placeholder list is just left out.
        quiet = not self._names and not self.mapping_panel.isHidden()
        self.heading.setVisible(not quiet)
        self._placeholders.setVisible(not quiet)
        if not self._names:
            self.heading.setText(
                "The job template has no {{placeholders}}: there is nothing to fill in."
                if self.single
                else "The job template has no {{placeholders}}: every row is the same job."
            )
            return
        if self.single:
            self.heading.setText("Values for this job:")
            for name in self._names:
                edit = QLineEdit(self._typed.get(name, ""), self._form_host)
                edit.setAccessibleName(name)
                self._form.addRow(f"{{{{{name}}}}}:", edit)
                self._edits[name] = edit
            return
        self.heading.setText("Column that fills each placeholder:")
        columns = list(self.table.columns) if self.table else []
        guessed = auto_mapping(self._names, columns)
        for name in self._names:
            combo = QComboBox(self._form_host)
            combo.setAccessibleName(f"Column for {name}")
            combo.addItem(NOT_MAPPED, None)
            for column in columns:
                combo.addItem(column, column)
            choice = self._chosen.get(name, guessed.get(name))
            combo.setCurrentIndex(max(combo.findData(choice), 0) if choice else 0)
            self._form.addRow(f"{{{{{name}}}}}:", combo)
            self._combos[name] = combo

    def _remember(self) -> None:
        for name, combo in self._combos.items():
            if combo.count() > 1:  # with no columns offered there was no choice to keep
                self._chosen[name] = self._combo_column(combo)
        for name, edit in self._edits.items():
            self._typed[name] = edit.text()

    @staticmethod
    def _combo_column(combo: QComboBox) -> str | None:
        value = combo.currentData()
        return value if isinstance(value, str) else None

    def combo(self, name: str) -> QComboBox:
        """The column chooser of one placeholder."""
        return self._combos[name]

    def edit(self, name: str) -> QLineEdit:
        """The value field of one placeholder (single mode)."""
        return self._edits[name]

    def _show_sheets(self, sheets: Sequence[str], current: str | None = None) -> None:
        # A choice only when there is one to make: a workbook of several sheets.
        self.sheet.clear()
        self.sheet.addItems(list(sheets))
        if current is not None:
            self.sheet.setCurrentText(current)
        several = len(sheets) > 1
        self.sheet.setVisible(several)
        self._sheet_label.setVisible(several)

    def _on_sheet(self, _index: int) -> None:
        table, sheet = self.table, self.sheet.currentText()
        if table is not None and table.source is not None and sheet and sheet != table.sheet:
            self.sheet_chosen.emit(str(table.source), sheet)

    def _on_browse(self) -> None:
        # A non-native dialog opened with open(): no nested event loop under asyncio work.
        dialog = QFileDialog(self, "Data file", self.last_folder)
        dialog.setNameFilter(DATA_FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self.file_chosen.emit)
        dialog.open()


def data_file_in(urls: Sequence[QUrl]) -> Path | None:
    """The first local data file among dropped URLs."""
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in DATA_SUFFIXES:
                return path
    return None
