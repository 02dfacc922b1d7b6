"""Step 3: every row checked before sending, then what happened to each, with a retry."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from render_manager.services.batch_data import total_cost
from render_manager.services.batch_submit import BatchSubmission, RowState
from render_manager.services.words import counted
from render_manager.ui.submit.preview_model import (
    STATE_TEXT,
    WARNING_SIGN,
    PreviewColumn,
    PreviewModel,
)

# The widest a column grows to fit its text, in average characters.
_MESSAGE_CHARS = 60
_VALUE_CHARS = 48


class ResultPage(QWidget):
    """The preview table, its summary and price, the send progress, and Retry."""

    def __init__(self, *, single: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # One job typed into a form: the page speaks of "the job", not of rows.
        self.single = single
        self.model = PreviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Rows")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.read_as = QLabel(self)
        self.read_as.setAccessibleName("How the data file was read")
        self.read_as.setWordWrap(True)
        self.read_as.hide()
        self.cost = QLabel(self)
        self.cost.setWordWrap(True)
        self.cost.hide()
        self.skip_invalid = QCheckBox("S&kip invalid rows and send the others", self)
        self.resend_unknown = QCheckBox(
            "Send it again even so (I checked it was not &created)"
            if single
            else "Also resend rows of &unknown outcome (I checked they were not created)",
            self,
        )
        self.resend_unknown.hide()
        self.progress = QProgressBar(self)
        self.progress.setFormat("Sending the job…" if single else "%v of %m rows sent")
        self.progress.hide()
        self.stop = QPushButton("S&top sending", self)
        self.stop.setAutoDefault(False)
        self.stop.setToolTip("Rows already on their way finish; no further rows are sent")
        self.stop.hide()
        self.retry = QPushButton("&Retry" if single else "Retry &failed rows", self)
        self.retry.setAutoDefault(False)
        self.retry.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.read_as)
        layout.addWidget(self.summary)
        layout.addWidget(self.cost)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.skip_invalid)
        layout.addWidget(self.resend_unknown)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.stop)
        bottom.addWidget(self.retry)
        layout.addLayout(bottom)

    def show_preview(
        self, submission: BatchSubmission, columns: tuple[str, ...], read_as: str = ""
    ) -> None:
        """The rows as they would be sent, each checked; `read_as` says how the data file
        was read (encoding and delimiter, or sheet)."""
        self.model.set_rows(submission.rows, columns)
        # One job has no row number to show (set after the reset, which forgets it).
        self.table.setColumnHidden(PreviewColumn.ROW, self.single)
        self.read_as.setText(read_as)
        self.read_as.setVisible(bool(read_as))
        self.fit_columns()
        self.cost.hide()
        self.retry.hide()
        self.resend_unknown.hide()
        self.progress.hide()
        self.update_summary(submission, sent=False)

    def fit_columns(self, columns: Sequence[int] | None = None) -> None:
        """Each column (or those given) as wide as what it shows, up to a few dozen
        characters, so that names are read in full and an empty "Job / problem" column
        takes no room."""
        table = self.table
        # Wide enough for every state a row can reach, not only the ones shown now.
        widest = max(self.fontMetrics().horizontalAdvance(t) for t in STATE_TEXT.values())
        table.setColumnWidth(PreviewColumn.STATE, widest + 24)
        # In characters, not in shares of the table: the page may not be laid out yet.
        char = self.fontMetrics().averageCharWidth()
        for column in range(self.model.columnCount()) if columns is None else columns:
            if column == PreviewColumn.STATE:
                continue
            table.resizeColumnToContents(column)
            # A longer problem or value is cut here and read whole in its tooltip.
            chars = _MESSAGE_CHARS if column == PreviewColumn.MESSAGE else _VALUE_CHARS
            table.setColumnWidth(column, min(table.columnWidth(column), chars * char))

    def update_summary(self, submission: BatchSubmission, *, sent: bool) -> None:
        """Counts of rows by state, in words."""
        if self.single and len(submission.rows) == 1:
            self._single_summary(submission, sent=sent)
            return
        total = len(submission.rows)
        invalid = submission.count(RowState.INVALID)
        if not sent:
            ready = submission.count(RowState.READY)
            text = f"{counted(total, 'row')}: {ready:,} ready to send"
            if invalid:
                text += f", {invalid:,} invalid (shown in red; point at one to read why)"
            text += "."
            problems = [r.error for r in submission.rows if r.state is RowState.INVALID and r.error]
            if problems:
                # The most common problem in full: often one fix (a setting, a column) mends
                # every row, and the table's cells are too narrow to say it whole.
                common = max(set(problems), key=problems.count)
                share = problems.count(common)
                which = "every invalid row" if share == len(problems) else counted(share, "row")
                text += f"\nIn {which}: {common}"
            text += _warnings_line(submission)
            self.summary.setText(text)
            self.skip_invalid.setVisible(bool(invalid) and bool(ready))
            return
        parts = [f"{submission.count(RowState.CREATED):,} created"]
        for state, words in (
            (RowState.FAILED, "failed"),
            (RowState.NOT_SENT, "not sent"),
            (RowState.UNKNOWN, "of unknown outcome (check before resending)"),
            (RowState.INVALID, "invalid, not sent"),
        ):
            if n := submission.count(state):
                parts.append(f"{n:,} {words}")
        self.summary.setText(f"{counted(total, 'row')}: " + ", ".join(parts) + ".")
        self.skip_invalid.hide()
        retryable = submission.count(RowState.FAILED, RowState.NOT_SENT, RowState.UNKNOWN)
        self.retry.setVisible(bool(retryable))
        if not self.single:
            self.retry.setText(f"Retry &failed rows ({retryable:,})")
        self.resend_unknown.setVisible(submission.count(RowState.UNKNOWN) > 0)

    def _single_summary(self, submission: BatchSubmission, *, sent: bool) -> None:
        row = submission.rows[0]
        reason = f": {row.error}" if row.error else "."
        text = {
            RowState.READY: "The job is checked and ready to send.",
            RowState.INVALID: f"The job cannot be sent{reason}",
            RowState.CREATED: f"The job was created: {row.job_id}.",
            RowState.FAILED: f"The job was not created{reason}",
            RowState.NOT_SENT: "The job was not sent.",
            RowState.UNKNOWN: "Whether the job was created is unknown: look for it in the "
            "connection's jobs before sending it again.",
        }[row.state]
        if row.state in (RowState.READY, RowState.CREATED) and row.warnings:
            text += "\n" + "\n".join(f"{WARNING_SIGN} Warning: {w}" for w in row.warnings)
        self.summary.setText(text)
        self.skip_invalid.hide()
        retryable = sent and row.state in (RowState.FAILED, RowState.NOT_SENT, RowState.UNKNOWN)
        self.retry.setVisible(retryable)
        self.resend_unknown.setVisible(row.state is RowState.UNKNOWN)

    def start_sending(self, total: int) -> None:
        """Show the progress bar and Stop for a send of `total` rows."""
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.show()
        self.stop.setEnabled(True)
        self.stop.show()
        self.retry.setEnabled(False)

    def on_progress(self, done: int, _total: int, changed: list[int]) -> None:
        """A chunk was settled: move the bar and repaint its rows."""
        self.progress.setValue(done)
        self.model.rows_changed(changed)

    def finish_sending(self, submission: BatchSubmission) -> None:
        """Sending ended (done or stopped): every row and the counts as they now stand."""
        self.stop.hide()
        self.retry.setEnabled(True)
        self.model.rows_changed(range(len(submission.rows)))
        # Job ids and send errors now fill "Job / problem"; the other columns keep the
        # widths the user may have given them.
        self.fit_columns([PreviewColumn.MESSAGE])
        self.update_summary(submission, sent=True)

    def set_cost(self, text: str | None) -> None:
        """The price of the rows to send (Rendley), or hide it."""
        self.cost.setText(text or "")
        self.cost.setVisible(bool(text))

    def show_prices(self, prices: Sequence[tuple[int, object | str]] | None) -> None:
        """Each ready row's price from the back-end, summed (None: it has no prices)."""
        if prices is None:
            self.set_cost(None)
            return
        total = total_cost([p for _, p in prices])
        if total is None:
            problems = [p for _, p in prices if isinstance(p, str)]
            detail = problems[0] if problems else "the answer carries no single number"
            which = "" if self.single else " for some rows"
            self.set_cost(f"Price unknown{which}: {detail}")
        else:
            credits = "credit" if total == 1 else "credits"
            exports = counted(len(prices), "export")
            self.set_cost(f"Cost: {total:g} {credits} for {exports}.")


def _warnings_line(submission: BatchSubmission) -> str:
    """The most common warning of the ready rows, and how many rows have one ("" if none)."""
    warned = [r for r in submission.rows if r.state is RowState.READY and r.warnings]
    if not warned:
        return ""
    warnings = [w for r in warned for w in r.warnings]
    common = max(set(warnings), key=warnings.count)
    which = counted(len(warned), "ready row")
    return f"\n{WARNING_SIGN} {which} with a warning (sent all the same; shown in yellow): {common}"
