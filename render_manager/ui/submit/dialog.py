"""New batch (Ctrl+N) and New render: connection and template, data and mapping, preview,
send with progress, and the per-row result with "Retry failed rows".

Disk, keyring and network work runs in asyncio tasks (the dialog keeps a reference to each);
the async methods are public so tests can await them, and the slots only spawn them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.backends.errors import BackendError
from render_manager.backends.factory import offers
from render_manager.backends.protocol import HasTemplates, Prices
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.projects import ProjectUnreadable
from render_manager.services.app_services import AppServices
from render_manager.services.batch_data import prepare_rows
from render_manager.services.batch_mapping import (
    MappingError,
    asset_columns,
    name_columns,
    placeholder_columns,
    with_mapped_assets,
)
from render_manager.services.batch_submit import BatchSubmission, RowState
from render_manager.services.data_files import read_data
from render_manager.services.job_templates import DataFileError, placeholders
from render_manager.services.resubmit_body import editable, local_fields
from render_manager.services.resubmit_source import ResubmitSource
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.submit.data_page import DataPage, data_file_in
from render_manager.ui.submit.project_form import project_in
from render_manager.ui.submit.result_page import ResultPage
from render_manager.ui.submit.source_page import SourcePage

log = logging.getLogger(__name__)

_SETTINGS = "batch-dialog"
SOURCE, DATA, PREVIEW = range(3)


class BatchDialog(QDialog):
    """Submit one job per data row (or, with `single`, one job typed into a form)."""

    submitted = Signal(list)
    """Ids of the jobs a send (or retry) just created: the window refreshes on it."""

    def __init__(
        self,
        services: AppServices,
        *,
        connections: Sequence[Connection] | None = None,
        single: bool = False,
        resubmit: ResubmitSource | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`resubmit`: Edit and resubmit, New render filled with that job's body, whose
        job is sent as its retry (pass its connection alone as `connections`)."""
        super().__init__(parent)
        self._services = services
        self._ctx = services.ctx
        self._tasks = BackgroundTasks(
            "a batch dialog step", on_error=lambda exc: self._say(f"Something went wrong: {exc}")
        )
        self._spawn = self._tasks.spawn
        self.submission: BatchSubmission | None = None
        self.sent = False
        self.sending = False
        self._stop = False
        self._close_when_done = False
        self._checking = False
        # Edit and resubmit: the job the one sent from here retries (linked to it).
        self.retry_source = resubmit
        self.setWindowTitle("New render" if single else "New batch")
        # A data file dropped starts a batch; an .aep dropped is the project to render.
        self.setAcceptDrops(True)
        self.resize(900, 640)

        self._build(single)
        self._wire()
        self._show_page(SOURCE)
        if connections is not None:
            self._set_connections(connections)
        else:
            self._spawn(self.load_connections())
        if resubmit is not None:
            self._prefill(resubmit)

    def _build(self, single: bool) -> None:
        folder = str(QSettings().value(f"{_SETTINGS}/folder", "") or "")
        self.source = SourcePage(single=single, projects=self._services.projects, parent=self)
        self.data_page = DataPage(single=single, parent=self)
        self.result_page = ResultPage(single=single, parent=self)
        self.source.last_folder = self.data_page.last_folder = folder
        self.pages = QStackedWidget(self)
        for page in (self.source, self.data_page, self.result_page):
            self.pages.addWidget(page)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        # What an Edit and resubmit retries, and why that job ended (hidden otherwise).
        self.retry_note = QLabel(self)
        self.retry_note.setAccessibleName("Retry of")
        self.retry_note.setWordWrap(True)
        self.retry_note.hide()
        self.back = QPushButton("< &Back", self)
        self.next = QPushButton("&Next >", self)
        self.submit_button = QPushButton("&Submit", self)
        self.submit_button.setToolTip(
            "Send the job (Ctrl+Return)" if single else "Send the rows (Ctrl+Return)"
        )
        self.close_button = QPushButton("Cancel", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.back, self.next, self.submit_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.retry_note)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

    def _wire(self) -> None:
        self.back.clicked.connect(self._on_back)
        self.next.clicked.connect(self._on_next)
        self.submit_button.clicked.connect(self._on_submit)
        self.close_button.clicked.connect(self.reject)
        self.result_page.stop.clicked.connect(self._on_stop)
        self.result_page.retry.clicked.connect(self._on_retry)
        self.source.connection_changed.connect(self._on_connection_changed)
        self.source.cloud_template_chosen.connect(self._on_cloud_template_chosen)
        self.source.browse_folder_used.connect(self._remember_folder)
        self.source.project_form.project_named.connect(self._on_project_named)
        self.data_page.file_chosen.connect(lambda path: self._spawn(self.load_data(Path(path))))
        self.data_page.sheet_chosen.connect(
            lambda path, sheet: self._spawn(self.load_data(Path(path), sheet))
        )
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._on_ctrl_return)

    def _prefill(self, source: ResubmitSource) -> None:
        """Fill the dialog with a failed or cancelled job's body, to fix and send it again
        as its retry (a new job linked to it by `retry_of`)."""
        job = source.job
        self.setWindowTitle(f"Edit and resubmit — {job.name}")
        ended = f"failed: {job.error}" if job.error else job.status.value
        self.retry_note.setText(
            f"Sent as a retry of {job.name} ({job.id}), which {ended}. The new job is "
            "linked to it; that job keeps its error and log."
        )
        self.retry_note.setToolTip(self.retry_note.text())
        self.retry_note.show()
        made = editable(source.body)
        self.source.prefill(source.connection.kind, made, local_fields(source.body))
        self.data_page.set_values(made.values)

    # -- async work (awaited by tests; spawned by the slots) ----------------------------------

    async def load_connections(self) -> None:
        """Read the connections from the store, off the GUI thread."""
        self._set_connections(await asyncio.to_thread(self._ctx.connections.list))

    async def load_data(self, path: Path, sheet: str | None = None) -> None:
        """Read a data file (one sheet of a workbook: the first unless `sheet` names one) off
        the GUI thread and offer its columns."""
        self._remember_folder(str(path))
        try:
            table = await asyncio.to_thread(read_data, path, sheet)
        except DataFileError as exc:
            self.data_page.set_error(str(exc))
            self._say(str(exc))
            return
        self.data_page.set_table(table)
        where = f"sheet {table.sheet!r} of {path.name}" if table.sheet else path.name
        self._say(f"Read {where}.")

    async def load_project(self) -> None:
        """Read the local template's project off the GUI thread, for the column mapping."""
        panel = self.data_page.mapping_panel
        text, composition = self.source.aep.text().strip(), self.source.composition.text().strip()
        if not text:
            panel.set_project(None, composition, "Choose the project on the first page.")
            return
        path = Path(text).expanduser()
        panel.set_reading(path.name)
        try:
            # The catalog shares the read New render's form made (or makes) of this file.
            info = await self._services.projects.read(path)
        except ProjectUnreadable as exc:
            info, problem = None, exc
        if (self.source.aep.text().strip(), self.source.composition.text().strip()) != (
            text,
            composition,
        ):
            return  # the user went back and chose another project meanwhile
        panel.set_project(
            info,
            composition,
            ""
            if info is not None
            else f"{problem}. Its layers cannot be listed: type each text layer's name; "
            "the preview checks every row.",
            path.name,
        )

    async def load_cloud_templates(self, name: str) -> None:
        """The Nexrender Cloud templates of a connection, for the template chooser."""
        await self.source.load_cloud_templates(self._services.job_service, name)

    async def load_cloud_template(self, name: str, template_id: str) -> None:
        """One template's compositions and layers."""
        await self.source.load_cloud_template(self._services.job_service, name, template_id)

    async def build_preview(self) -> None:
        """Fill the template from every row and check each, before anything is sent."""
        connection = self.source.current()
        table = self.data_page.data()
        if connection is None or table is None:
            return
        template, mapping = self.source.template_text(), self.data_page.mapping()
        columns: dict[int, str] = {}
        if self._maps_project():
            choices = self.data_page.mapping_panel.choices()
            try:
                template = with_mapped_assets(template, choices)
            except MappingError as exc:
                self._say(f"The columns cannot be mapped: {exc}.")
                return
            mapping = {**mapping, **placeholder_columns(choices)}
            columns = asset_columns(template, choices)
        prepared = await asyncio.to_thread(
            prepare_rows, template, table.rows, mapping, connection.kind
        )
        base_dir = table.source.parent if table.source else self._ctx.home
        name = table.source.name if table.source else self.windowTitle()
        retry = self.retry_source
        submission = self._services.submission(
            connection,
            prepared,
            base_dir=base_dir,
            batch_name=retry.submission_name() if retry else name,
            # A retry joins the batch of the job it retries, as any retry does.
            batch_id=retry.job.batch_id if retry else None,
            retry_of={0: retry.job.id} if retry and len(prepared) == 1 else None,
        )
        await submission.check_files()
        for row in submission.rows:
            if row.error is not None and columns:
                row.error = name_columns(row.error, columns)  # the user knows columns
        self.submission, self.sent = submission, False
        how = table.read_as()
        read_as = f"{table.source.name}, read as {how}" if table.source and how else ""
        self.result_page.show_preview(submission, table.columns, read_as)
        self._show_page(PREVIEW)
        if offers(connection.kind, Prices) and submission.count(RowState.READY):
            await self.price(submission)

    async def _check_rows(self) -> None:
        try:
            await self.build_preview()
        finally:
            self._checking = False

    async def price(self, submission: BatchSubmission) -> None:
        """Show what the ready rows cost in credits (Rendley's export/cost) before sending."""
        self.result_page.set_cost("Asking Rendley for the price…")
        bodies = [r.body for r in submission.rows if r.state is RowState.READY]
        try:
            prices = await self._services.job_service.cost(submission.connection.name, bodies)
        except BackendError as exc:
            self.result_page.set_cost(f"The price could not be read: {exc}")
            return
        self.result_page.show_prices(prices)

    async def send(self) -> None:
        """Send the ready rows in chunks, with progress; Stop ends it between chunks."""
        submission = self.submission
        if submission is None or self.sending or self.sent:
            return
        skip = self.result_page.skip_invalid.isChecked()
        if submission.count(RowState.INVALID) and not skip:
            self._say("Some rows are invalid: go Back to fix them, or tick “Skip invalid rows”.")
            return
        await self._run(submission.submit, submission.count(RowState.READY), skip_invalid=True)

    async def retry_failed(self) -> None:
        """Send again the rows that were not created; never a row that was."""
        submission = self.submission
        if submission is None or self.sending:
            return
        resend = self.result_page.resend_unknown.isChecked()
        total = submission.count(RowState.FAILED, RowState.NOT_SENT, RowState.UNKNOWN)
        await self._run(submission.retry_failed, total, include_unknown=resend)

    async def _run(
        self, call: Callable[..., Coroutine[Any, Any, object]], total: int, **kw: Any
    ) -> None:
        submission = self.submission
        assert submission is not None
        before = {r.job_id for r in submission.rows if r.job_id}
        self.sending, self._stop = True, False
        self.result_page.start_sending(total)
        self._update_buttons()

        page = self.result_page
        try:
            await call(on_progress=page.on_progress, should_stop=lambda: self._stop, **kw)
        finally:
            self.sending, self.sent = False, True
            page.finish_sending(submission)
            self._update_buttons()
        created = [r.job_id for r in submission.rows if r.job_id and r.job_id not in before]
        if created:
            self.submitted.emit(created)
        self._say(self.result_page.summary.text())
        if self._close_when_done:
            self.done(QDialog.DialogCode.Accepted)

    # -- navigation ---------------------------------------------------------------------------

    def _on_next(self) -> None:
        page = self.pages.currentIndex()
        if page == SOURCE:
            problem = self._source_problem()
            if problem:
                self._say(problem)
                self.source.focus_problem()
                return
            self.data_page.show_mapping(self._maps_project())
            self.data_page.set_placeholders(placeholders(self.source.template_text()))
            self._show_page(DATA)
            if self._maps_project():
                self._spawn(self.load_project())
        elif page == DATA:
            problem = self.data_page.problem()
            if problem:
                self._say(problem)
                return
            if self._checking:
                return  # a second Next while the rows are checked would check them twice
            self._say("Checking the job…" if self.data_page.single else "Checking every row…")
            self._checking = True  # now: the task starts only when the loop runs again
            self._spawn(self._check_rows())

    def _on_back(self) -> None:
        if self.back.isEnabled():
            self._show_page(self.pages.currentIndex() - 1)

    def _on_submit(self) -> None:
        self._spawn(self.send())

    def _on_retry(self) -> None:
        self._spawn(self.retry_failed())

    def _on_stop(self) -> None:
        self._stop = True
        self.result_page.stop.setEnabled(False)
        self._say("Stopping after the rows already on their way…")

    def _on_ctrl_return(self) -> None:
        if self.pages.currentIndex() == PREVIEW:
            if self.submit_button.isEnabled():
                self._on_submit()
        else:
            self._on_next()

    def _maps_project(self) -> bool:
        """A local batch maps its columns to what the project has."""
        connection = self.source.current()
        return (
            not self.data_page.single
            and connection is not None
            and connection.kind is BackendKind.LOCAL
        )

    def _source_problem(self) -> str | None:
        if self.source.current() is None:
            return "Add a connection first (File ▸ Connections)."
        if not self.source.template_text().strip():
            return "The job template is empty."
        return self.source.missing()

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self._update_buttons()
        self._say("")

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        # Once rows were sent, a new preview would send them again: the result page is final.
        self.back.setEnabled(page > SOURCE and not self.sending and not self.sent)
        self.next.setVisible(page < PREVIEW)
        ready = self.submission is not None and self.submission.count(RowState.READY) > 0
        self.submit_button.setVisible(page == PREVIEW)
        self.submit_button.setEnabled(
            page == PREVIEW and ready and not self.sent and not self.sending
        )
        self.close_button.setText("Close" if self.sent else "Cancel")
        default = self.submit_button if page == PREVIEW and not self.sent else self.next
        default.setDefault(True)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # -- connections, templates and settings ---------------------------------------------------

    def _set_connections(self, connections: Sequence[Connection]) -> None:
        last = QSettings().value(f"{_SETTINGS}/connection")
        self.source.set_connections(connections, last if isinstance(last, str) else None)
        if not connections:
            self._say("There is no connection yet: add one in File ▸ Connections.")

    def _on_connection_changed(self, name: str) -> None:
        if self.retry_source is not None:
            return  # the job's own connection, and its body: no template to pick
        QSettings().setValue(f"{_SETTINGS}/connection", name)
        connection = self.source.current()
        if connection is not None and offers(connection.kind, HasTemplates):
            self.source.cloud_status.setText("Reading templates…")
            self._spawn(self.load_cloud_templates(name))

    def _on_cloud_template_chosen(self, template_id: str) -> None:
        connection = self.source.current()
        if connection is not None:
            self._spawn(self.load_cloud_template(connection.name, template_id))

    def _on_project_named(self, name: str) -> None:
        if self.retry_source is not None:
            return  # the job being edited names the dialog
        # Which project the dialog renders, in its title (and the taskbar's).
        title = "New render" if self.data_page.single else "New batch"
        self.setWindowTitle(f"{title} — {name}" if name else title)

    def _remember_folder(self, path: str) -> None:
        folder = str(Path(path).parent)
        self.source.last_folder = self.data_page.last_folder = folder
        QSettings().setValue(f"{_SETTINGS}/folder", folder)

    # -- closing, dropping, tasks --------------------------------------------------------------

    @override
    def reject(self) -> None:
        if self.sending:
            self._confirm(
                "The job is being sent. Close once it is sent?"
                if self.data_page.single
                else "Rows are being sent. Stop sending and close when the rows on their way "
                "are done?",
                self._stop_and_close,
            )
        elif not self.sent and (
            self.data_page.table is not None or self.pages.currentIndex() > SOURCE
        ):
            self._confirm("Discard what you entered and close without sending?", self._discard)
        else:
            self._discard()

    def _confirm(self, question: str, on_yes: Callable[[], None]) -> None:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), question, buttons, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(on_yes)
        self.confirmation = box
        box.open()  # never exec(): a nested loop would stall the sending task

    def _stop_and_close(self) -> None:
        self._close_when_done = True
        self._on_stop()

    def _discard(self) -> None:
        super().reject()

    @override
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if self._takes_project(urls) or (
            data_file_in(urls) is not None and not self.data_page.single and not self.sending
        ):
            event.acceptProposedAction()

    def _takes_project(self, urls: list[QUrl]) -> bool:
        return (
            project_in(urls) is not None
            and self.pages.currentIndex() == SOURCE
            and self.source.accepts_project()
        )

    @override
    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        project = project_in(urls)
        if project is not None and self._takes_project(urls):
            event.acceptProposedAction()
            self.source.choose_project(project)
            return
        path = data_file_in(urls)
        if path is None or self.data_page.single:
            return
        event.acceptProposedAction()
        if self.pages.currentIndex() == SOURCE:
            self._on_next()
        self._spawn(self.load_data(path))
