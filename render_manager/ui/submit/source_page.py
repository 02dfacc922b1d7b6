"""Step 1: where to render, what to render, and the job template each row fills in."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import Template
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.services.batch_data import cloud_template, rendley_template
from render_manager.services.job_service import JobService
from render_manager.services.project_catalog import ProjectCatalog
from render_manager.services.resubmit_body import EditableBody, LocalFields
from render_manager.ui.submit.project_form import ProjectForm

_PAGES = {
    BackendKind.LOCAL: 0,
    BackendKind.NEXRENDER_CLOUD: 1,
    BackendKind.RENDLEY: 2,
    BackendKind.NEXRENDER_SERVER: 3,
}


class SourcePage(QWidget):
    """Connection, the kind's own fields, and the editable job template they generate."""

    connection_changed = Signal(str)
    cloud_template_chosen = Signal(str)
    browse_folder_used = Signal(str)

    def __init__(
        self,
        *,
        single: bool = False,
        projects: ProjectCatalog | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # New render (one job typed into a form) or New batch (one job per data row).
        self.single = single
        self._connections: dict[str, Connection] = {}
        self._templates: dict[str, Template] = {}
        # Once the user edits the template by hand, the fields no longer overwrite it.
        self._edited = False
        self._generating = False

        self.connection = QComboBox(self)
        self.connection.setAccessibleName("Connection")
        self.connection.currentIndexChanged.connect(self._on_connection)
        self.forms = QStackedWidget(self)
        self.forms.addWidget(self._local_form(projects))
        self.forms.addWidget(self._cloud_form())
        self.forms.addWidget(self._rendley_form())
        self.forms.addWidget(
            QLabel("Write the job for the nexrender server below (nexrender job JSON).", self)
        )
        self.template = QPlainTextEdit(self)
        self.template.setAccessibleName("Job template")
        self.template.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.template.setPlaceholderText('{"template": {...}, "assets": [...]}')
        self.template.textChanged.connect(self._on_template_edited)
        regenerate = QPushButton("Re&generate from the fields", self)
        regenerate.setAutoDefault(False)
        regenerate.clicked.connect(lambda: self.regenerate(force=True))
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)

        top = QFormLayout()
        top.addRow("C&onnection:", self.connection)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.forms)
        head = QHBoxLayout()
        label = QLabel(
            "&Job template — each {{name}} asks for a value on the next page:"
            if single
            else "&Job template — each {{name}} is filled from a column of the data:",
            self,
        )
        label.setBuddy(self.template)
        head.addWidget(label, 1)
        head.addWidget(regenerate)
        layout.addLayout(head)
        layout.addWidget(self.template, 1)
        layout.addWidget(self.problem)

    # -- the kinds' forms ---------------------------------------------------------------------

    def _local_form(self, projects: ProjectCatalog | None) -> QWidget:
        form = self.project_form = ProjectForm(projects, single=self.single, parent=self)
        form.changed.connect(self._on_fields)
        form.folder_used.connect(self.browse_folder_used)
        # The fields tests and the dialog reach by name.
        self.aep, self.composition = form.aep, form.composition
        self.output_module, self.render_settings = form.output_module, form.render_settings
        self.text_layers = form.text_layers
        return form

    def _cloud_form(self) -> QWidget:
        form = QWidget(self)
        self.cloud_template = QComboBox(form)
        self.cloud_template.setAccessibleName("Nexrender Cloud template")
        self.cloud_template.activated.connect(self._on_cloud_template)
        self.cloud_composition = QComboBox(form)
        self.cloud_composition.currentIndexChanged.connect(self._on_fields)
        self.layers = QListWidget(form)
        self.layers.setAccessibleName("Layers that take a column")
        self.layers.itemChanged.connect(self._on_fields)
        self.cloud_status = QLabel(form)
        layout = QFormLayout(form)
        layout.addRow("&Template:", self.cloud_template)
        layout.addRow("Co&mposition:", self.cloud_composition)
        layout.addRow("&Layers from data:", self.layers)
        layout.addRow(self.cloud_status)
        return form

    def _rendley_form(self) -> QWidget:
        form = QWidget(self)
        self.project_id = QLineEdit("{{project_id}}", form)
        self.project_id.setToolTip(
            "A project id, or {{project_id}} to type it on the next page"
            if self.single
            else "A project id, or {{column}} to export one project per row"
        )
        self.resolution = QComboBox(form)
        self.resolution.setEditable(True)
        self.resolution.addItems(["1080p", "720p", "480p", "1440p", "2160p"])
        self.codec = QComboBox(form)
        self.codec.addItems(["h264", "h265", "vp9", "prores"])
        layout = QFormLayout(form)
        layout.addRow("&Project id:", self.project_id)
        layout.addRow("&Resolution:", self.resolution)
        layout.addRow("Co&dec:", self.codec)
        self.project_id.textChanged.connect(self._on_fields)
        self.resolution.currentTextChanged.connect(self._on_fields)
        self.codec.currentIndexChanged.connect(self._on_fields)
        return form

    # -- state --------------------------------------------------------------------------------

    def set_connections(self, connections: Sequence[Connection], preferred: str | None) -> None:
        """The connections to offer; `preferred` (the last one used) is chosen if present."""
        self._connections = {c.name: c for c in connections}
        self.connection.blockSignals(True)
        self.connection.clear()
        for c in connections:
            self.connection.addItem(f"{c.name}  ({c.kind.value})", c.name)
        self.connection.blockSignals(False)
        index = self.connection.findData(preferred) if preferred else -1
        self.connection.setCurrentIndex(max(index, 0))
        self._on_connection()

    def current(self) -> Connection | None:
        """The chosen connection."""
        name = self.connection.currentData()
        return self._connections.get(name) if isinstance(name, str) else None

    async def load_cloud_templates(self, remote: JobService, name: str) -> None:
        """Read the connection's templates (`GET /templates`) into the chooser."""
        try:
            templates = await remote.templates(name)
        except BackendError as exc:
            self.set_cloud_templates([], f"Templates could not be read: {exc}")
            return
        self.set_cloud_templates(templates)

    async def load_cloud_template(self, remote: JobService, name: str, template_id: str) -> None:
        """Read one template's compositions and layers (`GET /templates/{id}`)."""
        try:
            template = await remote.template(name, template_id)
        except BackendError as exc:
            self.cloud_status.setText(f"The template could not be read: {exc}")
            return
        self.set_cloud_template_details(template)

    def set_cloud_templates(self, templates: Sequence[Template], error: str | None = None) -> None:
        """Templates from `GET /templates` (or why they could not be read)."""
        self._templates = {t.id: t for t in templates}
        self.cloud_template.clear()
        for t in templates:
            note = "" if t.ready else f"  — {t.raw_status}, not usable yet"
            self.cloud_template.addItem(f"{t.name}{note}", t.id)
        self.cloud_status.setText(error or ("" if templates else "This team has no templates."))
        if templates:
            self._on_cloud_template()

    def set_cloud_template_details(self, template: Template) -> None:
        """One template's compositions and layers, as `GET /templates/{id}` gave them."""
        self._templates[template.id] = template
        if self.cloud_template.currentData() != template.id:
            return
        self.cloud_composition.blockSignals(True)
        self.cloud_composition.clear()
        self.cloud_composition.addItems(list(template.compositions))
        self.cloud_composition.blockSignals(False)
        self.layers.blockSignals(True)
        self.layers.clear()
        for layer in template.layers:
            where = f" in {layer.composition}" if layer.composition else ""
            item = QListWidgetItem(f"{layer.name} ({layer.type or 'layer'}{where})", self.layers)
            item.setData(Qt.ItemDataRole.UserRole, (layer.name, layer.type))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.layers.blockSignals(False)
        self.regenerate()

    def missing(self) -> str | None:
        """What the fields lack before the next step (the template, once hand-edited, is
        checked row by row in the preview instead)."""
        connection = self.current()
        if connection is None or self._edited:
            return None
        if connection.kind is not BackendKind.LOCAL:
            return None
        if not self.composition.text().strip():
            return "Enter the composition to render: its name in the After Effects project."
        return self.project_form.composition_problem()

    def focus_problem(self) -> None:
        """Put the cursor where `missing()` points."""
        if self.missing() is not None:
            self.composition.setFocus()
            self.composition.selectAll()

    @property
    def last_folder(self) -> str:
        """The folder the file dialogs open in."""
        return self.project_form.last_folder

    @last_folder.setter
    def last_folder(self, folder: str) -> None:
        self.project_form.last_folder = folder

    def accepts_project(self) -> bool:
        """Whether a dropped .aep can be used here (the local form is shown)."""
        connection = self.current()
        return connection is not None and connection.kind is BackendKind.LOCAL

    def choose_project(self, path: Path) -> None:
        """Use a dropped .aep: its compositions are read and listed."""
        self.project_form.choose(path)

    def prefill(self, kind: BackendKind, made: EditableBody, fields: LocalFields) -> None:
        """Edit and resubmit: the stored body, on its own connection only (a body is
        written for one service). A local body fills the form, whose fields are laid
        over it; a remote one is edited in the job template itself."""
        self.connection.setEnabled(False)
        self.connection.setToolTip("A resubmission goes to the job's own connection")
        if kind is BackendKind.LOCAL:
            self.project_form.base = made.base
            self.project_form.fill(fields, made.text_layers)
            self.regenerate(force=True)
            return
        # The service's pickers would start from scratch: the body says it all already.
        self.forms.hide()
        self.template.setPlainText(made.template)  # as typed by hand: never regenerated

    def template_text(self) -> str:
        """The job template as the user left it."""
        return self.template.toPlainText()

    def regenerate(self, *, force: bool = False) -> None:
        """Write the template from the fields, unless the user wrote their own."""
        if self._edited and not force:
            return
        text = self._from_fields()
        if text is None:
            return
        self._generating = True
        self.template.setPlainText(text)
        self._generating = False
        self._edited = False

    def _from_fields(self) -> str | None:
        connection = self.current()
        if connection is None:
            return None
        match connection.kind:
            case BackendKind.LOCAL:
                return self.project_form.template()
            case BackendKind.NEXRENDER_CLOUD:
                template_id = self.cloud_template.currentData()
                if not isinstance(template_id, str):
                    return None
                chosen = []
                for n in range(self.layers.count()):
                    item = self.layers.item(n)
                    if item.checkState() == Qt.CheckState.Checked:
                        chosen.append(item.data(Qt.ItemDataRole.UserRole))
                composition = self.cloud_composition.currentText() or "Main"
                return cloud_template(template_id, composition, chosen)
            case BackendKind.RENDLEY:
                return rendley_template(
                    self.project_id.text().strip(),
                    self.resolution.currentText().strip() or "1080p",
                    self.codec.currentText(),
                )
            case BackendKind.NEXRENDER_SERVER:
                return None

    def _on_connection(self, *_args: object) -> None:
        connection = self.current()
        if connection is None:
            return
        self.forms.setCurrentIndex(_PAGES[connection.kind])
        self._edited = False
        self.regenerate()
        self.connection_changed.emit(connection.name)

    def _on_fields(self, *_args: object) -> None:
        self.regenerate()

    def _on_template_edited(self) -> None:
        if not self._generating:
            self._edited = True

    def _on_cloud_template(self, *_args: object) -> None:
        template_id = self.cloud_template.currentData()
        if isinstance(template_id, str):
            self.cloud_template_chosen.emit(template_id)
