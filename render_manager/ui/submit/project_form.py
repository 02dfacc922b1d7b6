"""The local engine's form of New render and New batch: an .aep, its compositions, the frames.

Choosing (Browse, Enter in the path, or a drop on the dialog) an .aep reads it off the event
loop through the project catalog ("Reading project…"), then lists its compositions with
their size, frame rate and duration. Picking one fills the composition and its work area
as the frame range; the output-module and render-settings boxes offer the templates the
project's render queue uses. The composition can still be typed (a batch may give it as
{{column}}); a typed name that is not in the project is said at once, with the closest
names, and `composition_problem()` holds the dialog on this page until it is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from render_manager.engine.composition_check import closest_compositions
from render_manager.projects import Composition, ProjectInfo, ProjectUnreadable
from render_manager.services.batch_data import local_template
from render_manager.services.project_catalog import ProjectCatalog
from render_manager.services.resubmit_body import LocalFields, local_body_over
from render_manager.ui.qt.background import BackgroundTasks
from render_manager.ui.qt.elided_label import ElidedLabel
from render_manager.ui.submit.composition_list import work_area_frames
from render_manager.ui.submit.composition_picker import CompositionPicker

PROJECT_SUFFIXES = (".aep",)
_IDLE = "Choose a project to list its compositions, or type the composition's name below."


def project_in(urls: Sequence[QUrl]) -> Path | None:
    """The first local After Effects project among dropped URLs, if any."""
    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return next((p for p in paths if p.suffix.casefold() in PROJECT_SUFFIXES), None)


class ProjectForm(QWidget):
    """Project, composition (picked or typed), frame range, templates and text layers."""

    changed = Signal()
    """A field changed: the job template is written again from the fields."""
    folder_used = Signal(str)
    """A project was chosen in the file dialog (its folder is remembered)."""
    project_named = Signal(str)
    """The file name of the project read (or found unreadable); "" once it no longer holds."""

    def __init__(
        self, projects: ProjectCatalog | None, *, single: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._projects = projects
        self.single = single
        self.last_folder = ""
        self.project: ProjectInfo | None = None
        # The path read last: a slower read of a project chosen before it is dropped.
        self._wanted: Path | None = None
        # The frames last filled from a comp's work area (not typed by hand).
        self._filled_frames: tuple[str, str] = ("", "")
        # The stored body being edited (Edit and resubmit): the fields are laid over it,
        # so what they do not cover (other assets, actions, name) is kept.
        self.base: Mapping[str, Any] | None = None
        self._tasks = BackgroundTasks("reading a project", on_error=self._on_read_failed)
        # A dialog closed mid-read is deleted: its read must not come back to it. (The
        # catalog finishes the read for whoever asks next.)
        tasks = self._tasks
        self.destroyed.connect(lambda *_: tasks.cancel_all())
        self._build()
        self._wire()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.aep = QLineEdit(self)
        self.aep.setPlaceholderText("/projects/promo.aep")
        self.aep.setAccessibleName("Project")
        self.browse = QPushButton("Bro&wse…", self)
        self.browse.setAutoDefault(False)
        self.project_status = QLabel(_IDLE, self)
        self.project_status.setAccessibleName("Project status")
        self.project_status.setWordWrap(True)
        self.project_status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.project_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Three lines are kept for it whatever it says (a reason the project cannot be read
        # takes that many), so the form below never jumps.
        self.project_status.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 4)
        self.project_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self._build_compositions()
        self._build_frames_and_templates()
        self._lay_out()

    def _build_compositions(self) -> None:
        self.picker = CompositionPicker(self)
        # The parts tests and the layout reach by name.
        self.comp_filter, self.comp_list = self.picker.filter, self.picker.list

        self.composition = QLineEdit(self)
        self.composition.setAccessibleName("Composition")
        # Required, and no made-up default: a composition name that looks typed but is not
        # would render the wrong thing, or fail on the farm minutes later.
        self.composition.setPlaceholderText(
            "Its name in the After Effects project"
            if self.single
            else "Its name in the After Effects project, or {{column}}"
        )
        # One line kept whether or not there is a problem to say: nothing below moves.
        self.composition_note = ElidedLabel("", self)
        self.composition_note.setAccessibleName("Composition problem")
        self.composition_note.setStyleSheet("color: #b00020;")

    def _build_frames_and_templates(self) -> None:
        number = QIntValidator(0, 10_000_000, self)
        self.frame_start = QLineEdit(self)
        self.frame_start.setAccessibleName("First frame")
        self.frame_end = QLineEdit(self)
        self.frame_end.setAccessibleName("Last frame")
        for edit in (self.frame_start, self.frame_end):
            edit.setValidator(number)
            edit.setPlaceholderText("as the project says")
            edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 18))
        self.frames_note = QLabel(self)
        self.frames_note.setAccessibleName("Work area")

        self.output_module = _template_box(self, "After Effects' default (e.g. Lossless)")
        self.output_module.setAccessibleName("Output module template")
        self.render_settings = _template_box(self, "After Effects' default (e.g. Best Settings)")
        self.render_settings.setAccessibleName("Render settings template")
        self.text_layers = QLineEdit(self)
        self.text_layers.setPlaceholderText(
            "Title, Subtitle — each asks for its text"
            if self.single
            else "Title, Subtitle — each takes a column"
        )

    def _lay_out(self) -> None:
        layout = QFormLayout(self)
        path_row = QHBoxLayout()
        path_row.addWidget(self.aep, 1)
        path_row.addWidget(self.browse)
        # A row that is a layout gets no buddy from addRow: the mnemonic needs one.
        layout.addRow(_buddy("&Project (.aep):", self.aep, self), path_row)
        layout.addRow("", self.project_status)
        layout.addRow("F&ind a composition:", self.comp_filter)
        layout.addRow("", self.comp_list)
        layout.addRow("Co&mposition (required):", self.composition)
        layout.addRow("", self.composition_note)
        frames = QHBoxLayout()
        frames.addWidget(self.frame_start)
        frames.addWidget(_buddy("&Last:", self.frame_end, self))
        frames.addWidget(self.frame_end)
        frames.addWidget(self.frames_note, 1)
        layout.addRow(_buddy("&First frame:", self.frame_start, self), frames)
        layout.addRow("Output mo&dule template:", self.output_module)
        layout.addRow("Render &settings template:", self.render_settings)
        layout.addRow("&Text layers:", self.text_layers)
        self.setTabOrder(self.aep, self.browse)
        self.setTabOrder(self.browse, self.comp_filter)
        self.setTabOrder(self.comp_filter, self.comp_list)
        self.setTabOrder(self.comp_list, self.composition)
        self.setTabOrder(self.composition, self.frame_start)
        self.setTabOrder(self.frame_start, self.frame_end)
        self.setTabOrder(self.frame_end, self.output_module)
        self.setTabOrder(self.output_module, self.render_settings)
        self.setTabOrder(self.render_settings, self.text_layers)

    def _wire(self) -> None:
        self.browse.clicked.connect(self._on_browse)
        self.aep.returnPressed.connect(self._on_path_entered)
        self.aep.textChanged.connect(self._on_path_typed)
        self.picker.picked.connect(self._on_picked)
        self.composition.textChanged.connect(self._on_composition_typed)
        for edit in (self.aep, self.frame_start, self.frame_end, self.text_layers):
            edit.textChanged.connect(self._emit_changed)
        for box in (self.output_module, self.render_settings):
            box.currentTextChanged.connect(self._emit_changed)

    # -- reading the project ------------------------------------------------------------------

    def choose(self, path: Path) -> None:
        """Use this project (from Browse or a drop) and read it."""
        self.aep.setText(str(path))
        self.read_soon(path)

    def read_soon(self, path: Path) -> None:
        """Read the project in the background; its compositions are listed when it is read."""
        self._tasks.spawn(self.read(path))

    async def read(self, path: Path) -> None:
        """Read the project off the event loop and list what it holds (awaited by tests)."""
        if self._projects is None:
            return
        self._wanted = path
        self.project = None
        self.picker.show([])
        self._set_status(f"Reading project… ({path.name})", error=False)
        try:
            project = await self._projects.read(path)
        except ProjectUnreadable as exc:
            if self._wanted == path:
                self.project_named.emit(path.name)
                # The path is in the field above: the name says which file, whole.
                self._set_status(
                    f"{path.name} cannot be read: {exc.reason}. Type the composition's "
                    "name: it is rendered unchecked (aerender may read the project).",
                    error=True,
                )
            return
        if self._wanted != path:
            return  # another project was chosen meanwhile
        self._show_project(project, path)

    def _show_project(self, project: ProjectInfo, path: Path) -> None:
        self.project = project
        self.project_named.emit(path.name)
        self.picker.show(project.compositions)
        count = len(project.compositions)
        comps = "no compositions" if not count else f"{count:,} composition" + "s" * (count != 1)
        queue = len(project.render_queue)
        queued = f", {queue:,} render-queue item" + "s" * (queue != 1) if queue else ""
        self._set_status(
            f"{path.name}: {comps}{queued} · After Effects {project.ae_version}", error=False
        )
        _offer(
            self.output_module,
            [om.template for rq in project.render_queue for om in rq.output_modules],
        )
        _offer(self.render_settings, [rq.render_settings for rq in project.render_queue])
        typed = self.composition.text().strip()
        comp = project.composition(typed)
        if comp is not None:
            self.picker.select(comp)
        elif count == 1 and not typed:
            self._pick(project.compositions[0])
        self._check_composition()

    def _on_read_failed(self, exc: BaseException) -> None:
        self._set_status(f"The project could not be read: {exc}", error=True)

    def _set_status(self, text: str, *, error: bool) -> None:
        self.project_status.setText(text)
        self.project_status.setToolTip(text)
        self.project_status.setStyleSheet("color: #b00020;" if error else "")

    # -- picking and typing a composition -----------------------------------------------------

    def _pick(self, comp: Composition) -> None:
        """Fill the composition and its work area as the frame range."""
        self.composition.setText(comp.name)
        self._frames_of(comp)
        self.picker.select(comp)

    def _frames_of(self, comp: Composition) -> None:
        first, last = (str(n) for n in work_area_frames(comp))
        self.frame_start.setText(first)
        self.frame_end.setText(last)
        self._filled_frames = (first, last)

    def _on_picked(self, comp: Composition, by_keyboard: bool) -> None:
        self._pick(comp)
        if by_keyboard:  # on to the frames, the next thing to look at
            self.frame_start.setFocus()
            self.frame_start.selectAll()

    def _on_composition_typed(self) -> None:
        self._check_composition()
        self._emit_changed()

    def _check_composition(self) -> None:
        problem = self.composition_problem()
        self.composition_note.setText(problem or "")
        project = self.project
        comp = project.composition(self.composition.text().strip()) if project else None
        if comp is None:
            self.frames_note.setText("")
            self.picker.select(None)
            return
        self.picker.select(comp)
        # A comp typed whole takes its work area too, unless the frames were typed by hand.
        typed = (self.frame_start.text(), self.frame_end.text())
        if typed in (self._filled_frames, ("", "")):
            self._frames_of(comp)
        first, last = work_area_frames(comp)
        last_frame = max(comp.frames - 1, 0)
        self.frames_note.setText(f"work area: {first} to {last} (the comp: 0 to {last_frame})")

    def composition_problem(self) -> str | None:
        """Why the typed composition cannot be rendered from the project read, else None.

        Nothing is said before the project is read, of a project that cannot be read, or
        of a name given as {{column}} (each row's is checked in the preview)."""
        project = self.project
        name = self.composition.text().strip()
        if project is None or not name or "{{" in name or project.composition(name):
            return None
        project_name = Path(self.aep.text().strip()).name
        closest = closest_compositions(project, name)
        if closest:
            offered = ", ".join(f"“{n}”" for n in closest)
            return f"“{name}” is not a composition of {project_name}. Closest: {offered}."
        return f"“{name}” is not a composition of {project_name}: pick one from the list."

    # -- the job template ---------------------------------------------------------------------

    def frames(self) -> tuple[int | None, int | None]:
        """The first and last frame typed, or None where left empty."""
        return _number(self.frame_start.text()), _number(self.frame_end.text())

    def template(self) -> str:
        """The local job template these fields make (over the body being edited, if any)."""
        layers = [n.strip() for n in self.text_layers.text().split(",") if n.strip()]
        first, last = self.frames()
        if self.base is not None:
            return local_body_over(
                self.base,
                self.aep.text().strip(),
                self.composition.text().strip(),
                output_module=self.output_module.currentText().strip(),
                render_settings=self.render_settings.currentText().strip(),
                text_layers=layers,
                frame_start=first,
                frame_end=last,
            )
        return local_template(
            self.aep.text().strip(),
            self.composition.text().strip(),
            output_module=self.output_module.currentText().strip(),
            render_settings=self.render_settings.currentText().strip(),
            text_layers=layers,
            frame_start=first,
            frame_end=last,
        )

    def fill(self, fields: LocalFields, text_layers: Sequence[str]) -> None:
        """Show a stored job's fields (Edit and resubmit) and read its project."""
        self.aep.setText(fields.project)
        self.composition.setText(fields.composition)
        self.frame_start.setText(fields.frame_start)
        self.frame_end.setText(fields.frame_end)
        self.output_module.setCurrentText(fields.output_module)
        self.render_settings.setCurrentText(fields.render_settings)
        self.text_layers.setText(", ".join(text_layers))
        if fields.project:
            self.read_soon(Path(fields.project).expanduser())

    def _emit_changed(self, *_args: object) -> None:
        self.changed.emit()

    # -- choosing a file ----------------------------------------------------------------------

    def _on_path_typed(self) -> None:
        # A path typed by hand is read on Enter; until then, what was read no longer holds.
        if self.project is not None or self._wanted is not None:
            self._wanted = None
            self.project = None
            self.project_named.emit("")
            self.picker.show([])
            self._set_status(_IDLE + " Enter reads a typed path.", error=False)
            self._check_composition()

    def _on_path_entered(self) -> None:
        text = self.aep.text().strip()
        if text:
            self.read_soon(Path(text).expanduser())

    def _on_browse(self) -> None:
        # A non-native dialog opened with open(): no nested event loop under asyncio work.
        dialog = QFileDialog(self, "After Effects project", self.last_folder)
        dialog.setNameFilter("After Effects projects (*.aep *.aepx)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self._on_file_selected)
        dialog.open()

    def _on_file_selected(self, path: str) -> None:
        self.folder_used.emit(path)
        self.choose(Path(path))


def _buddy(text: str, widget: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(widget)
    return label


def _template_box(parent: QWidget, placeholder: str) -> QComboBox:
    """An editable box: a template name typed, or one the project's render queue uses."""
    box = QComboBox(parent)
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    line = box.lineEdit()
    assert line is not None
    line.setPlaceholderText(placeholder)
    box.setCurrentText("")
    return box


def _offer(box: QComboBox, names: list[str]) -> None:
    """Offer these names (each once, first seen first), keeping what was typed."""
    typed = box.currentText()
    box.blockSignals(True)
    box.clear()
    box.addItems([n for n in dict.fromkeys(names) if n])
    box.setCurrentText(typed)
    box.blockSignals(False)


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None
