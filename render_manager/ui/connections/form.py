"""The fields of one connection: kind, address, token, and the local engine's settings.

The form builds a `Connection` (validated by the domain) and hands out the typed token
separately: the token never becomes part of a value that is stored.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from render_manager.domain.connection import DEFAULT_URLS, MAX_CONCURRENCY, Connection
from render_manager.domain.engine_settings import EngineSettings, OnInterrupted
from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind
from render_manager.services.connections import ConnectionInfo, TokenState
from render_manager.services.health import LocalReadiness

KIND_LABELS = {
    BackendKind.LOCAL: "Local (aerender on this computer)",
    BackendKind.NEXRENDER_CLOUD: "Nexrender Cloud",
    BackendKind.NEXRENDER_SERVER: "Nexrender server (self-hosted)",
    BackendKind.RENDLEY: "Rendley",
}

_ON_INTERRUPTED_LABELS = {
    OnInterrupted.FAIL: "Mark it failed",
    OnInterrupted.REQUEUE: "Queue it again",
}

Snapshot = dict[str, Any]


class ConnectionForm(QWidget):
    """Edits one connection. `edited` fires on every change the user makes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: Connection | None = None
        self._build()
        self._on_kind_changed()

    def _build(self) -> None:
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. farm, cloud, my-mac")
        self.kind_combo = QComboBox(self)
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.url_edit = QLineEdit(self)
        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_state = QLabel(self)
        self.token_state.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&URL:", self.url_edit)
        self.token_label = QLabel("API &token:", self)
        self.token_label.setBuddy(self.token_edit)
        form.addRow(self.token_label, self.token_edit)
        form.addRow("", self.token_state)
        self.team_view_check = QCheckBox("T&eam view: also show jobs created elsewhere", self)
        self.team_view_check.setToolTip(
            "Each refresh also brings in the team's jobs made in the web app, by scripts or by "
            "colleagues (the first refresh looks back 7 days)."
        )
        form.addRow("", self.team_view_check)
        self._remote_rows = [self.url_edit, self.token_edit, self.token_label, self.token_state]
        self._url_label = form.labelForField(self.url_edit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self._build_local())
        layout.addStretch(1)
        self._connect_edits()

    def _build_local(self) -> QGroupBox:
        self.local_group = QGroupBox("Local engine", self)
        self.aerender_edit = QLineEdit(self)
        # What was looked for and found, under the field: set with the connection.
        self.aerender_state = QLabel(self)
        self.aerender_state.setWordWrap(True)
        self.aerender_state.setTextFormat(Qt.TextFormat.PlainText)
        self.aerender_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._on_browse)
        aerender_row = QHBoxLayout()
        aerender_row.addWidget(self.aerender_edit, 1)
        aerender_row.addWidget(browse)
        self.concurrency_spin = QSpinBox(self)
        self.concurrency_spin.setRange(0, MAX_CONCURRENCY)
        self.concurrency_spin.setSpecialValueText("Automatic")
        self.args_edit = QLineEdit(self)
        self.args_edit.setPlaceholderText("e.g. -mfr ON 80 -mem_usage 50 0")
        self.stall_spin = _seconds(self, minimum=1.0)
        self.max_time_spin = _seconds(self, minimum=0.0)
        self.max_time_spin.setSpecialValueText("No limit")
        self.retries_spin = QSpinBox(self)
        self.retries_spin.setRange(0, 10)
        self.interrupted_combo = QComboBox(self)
        for option, label in _ON_INTERRUPTED_LABELS.items():
            self.interrupted_combo.addItem(label, option)
        self.injection_check = QCheckBox(
            "aerender was patched to accept -r script.jsx (as nexrender's patch does)", self
        )
        self.injection_check.setToolTip(
            "Needed by jobs that replace footage or set layer data. Turn it on only after "
            "patching After Effects' commandLineRenderer.jsx."
        )
        local = QFormLayout(self.local_group)
        # A row that is a layout gets no buddy from addRow: the mnemonic needs one.
        aerender_label = QLabel("&aerender:", self.local_group)
        aerender_label.setBuddy(self.aerender_edit)
        # The state under the field in the same cell: a wrapped label in a row of its own
        # gets a height for a narrower width, and a gap opens above it.
        aerender_cell = QVBoxLayout()
        aerender_cell.addLayout(aerender_row)
        aerender_cell.addWidget(self.aerender_state)
        local.addRow(aerender_label, aerender_cell)
        local.addRow("&Renders at once:", self.concurrency_spin)
        local.addRow("aerender a&rguments:", self.args_edit)
        local.addRow("&Stall timeout:", self.stall_spin)
        local.addRow("&Maximum render time:", self.max_time_spin)
        local.addRow("R&etries:", self.retries_spin)
        local.addRow("&Interrupted renders:", self.interrupted_combo)
        local.addRow(self.injection_check)
        return self.local_group

    def _connect_edits(self) -> None:
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        for edit in (self.name_edit, self.url_edit, self.token_edit, self.aerender_edit):
            edit.textEdited.connect(self.edited)
        self.args_edit.textEdited.connect(self.edited)
        self.kind_combo.activated.connect(self.edited)
        self.interrupted_combo.activated.connect(self.edited)
        for spin in (self.concurrency_spin, self.retries_spin):
            spin.valueChanged.connect(self.edited)
        self.stall_spin.valueChanged.connect(self.edited)
        self.max_time_spin.valueChanged.connect(self.edited)
        self.injection_check.toggled.connect(self.edited)
        self.team_view_check.toggled.connect(self.edited)

    # -- reading and writing ------------------------------------------------------------

    def kind(self) -> BackendKind:
        """The kind chosen."""
        # Qt hands enum data back as plain str.
        return BackendKind(self.kind_combo.currentData())

    def is_new(self) -> bool:
        """True while the form describes a connection not yet stored."""
        return self._current is None

    def current(self) -> Connection | None:
        """The stored connection being edited, or None for a new one."""
        return self._current

    def token(self) -> str:
        """The token typed (empty: keep the stored one)."""
        return self.token_edit.text().strip()

    def connection(self) -> Connection:
        """The connection the fields describe; DomainError says what to fix."""
        kind = self.kind()
        name = self.name_edit.text().strip()
        url = self.url_edit.text().strip() or None
        if kind is BackendKind.LOCAL:
            try:
                extra = tuple(shlex.split(self.args_edit.text()))
            except ValueError as exc:
                raise DomainError(f"aerender arguments: {exc}") from None
            base = self._current.engine if self._current is not None else EngineSettings()
            engine = replace(
                base,
                stall_timeout_s=self.stall_spin.value(),
                max_render_time_s=self.max_time_spin.value() or None,
                retries=self.retries_spin.value(),
                on_interrupted=OnInterrupted(self.interrupted_combo.currentData()),
                script_injection=self.injection_check.isChecked(),
            )
            return Connection(
                name=name,
                kind=kind,
                aerender=self.aerender_edit.text().strip() or None,
                concurrency=self.concurrency_spin.value() or None,
                extra_args=extra,
                engine=engine,
            )
        if self.token() and any(ch.isspace() for ch in self.token()):
            raise DomainError("the token contains white space: paste only the token itself")
        team_view = kind is BackendKind.NEXRENDER_CLOUD and self.team_view_check.isChecked()
        return Connection(name=name, kind=kind, url=url, team_view=team_view)

    def clear(self, kind: BackendKind = BackendKind.NEXRENDER_CLOUD) -> None:
        """Empty fields for a new connection."""
        self._current = None
        self._fill(Connection(name="new", kind=BackendKind.LOCAL))
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.set_token_state(TokenState.MISSING if kind.needs_token else TokenState.NOT_NEEDED)

    def set_connection(self, info: ConnectionInfo) -> None:
        """Edit a stored connection; its name and kind cannot change."""
        self._current = info.connection
        self._fill(info.connection)
        self.set_token_state(info.token, info.token_error)
        self.set_aerender_state(info.local)

    def set_aerender_state(self, readiness: LocalReadiness | None) -> None:
        """Say what was found for aerender: the path, or "not found" with why and the fix.

        The placeholder of an empty field names the aerender found automatically.
        """
        if readiness is None:
            self.aerender_edit.setPlaceholderText("Looked for automatically when empty")
            self.aerender_state.clear()
            return
        if readiness.path is not None:
            if not self.aerender_edit.text():
                self.aerender_edit.setPlaceholderText(f"Found: {readiness.path}")
            self.aerender_state.setText(f"{readiness.found_text} ({readiness.lookup.source}).")
            return
        self.aerender_edit.setPlaceholderText("Not found: type or browse to aerender")
        self.aerender_state.setText(
            f"{readiness.found_text}: {readiness.reason}. Type or browse to aerender here, "
            "then Save."
        )

    def set_token_state(self, state: TokenState, error: str | None = None) -> None:
        """Say whether a token is stored, in the placeholder and under the field."""
        stored = state is TokenState.SET
        self.token_edit.setPlaceholderText(
            "Stored in the OS keyring: type a new one to replace it" if stored else ""
        )
        texts = {
            TokenState.SET: "A token is stored in the OS keyring.",
            TokenState.MISSING: "No token stored yet.",
            TokenState.NOT_NEEDED: "",
            TokenState.UNKNOWN: f"The OS keyring could not be read: {error}",
        }
        self.token_state.setText(
            texts[state] + " The token goes only to the OS keyring, never to a file."
            if state is not TokenState.NOT_NEEDED
            else ""
        )

    def snapshot(self) -> Snapshot:
        """What the user typed, to come back to (kept in memory only)."""
        return {
            "current": self._current,
            "name": self.name_edit.text(),
            "kind": self.kind_combo.currentIndex(),
            "url": self.url_edit.text(),
            "token": self.token_edit.text(),
            "token_placeholder": self.token_edit.placeholderText(),
            "token_state": self.token_state.text(),
            "aerender": self.aerender_edit.text(),
            "aerender_placeholder": self.aerender_edit.placeholderText(),
            "aerender_state": self.aerender_state.text(),
            "concurrency": self.concurrency_spin.value(),
            "args": self.args_edit.text(),
            "stall": self.stall_spin.value(),
            "max_time": self.max_time_spin.value(),
            "retries": self.retries_spin.value(),
            "interrupted": self.interrupted_combo.currentIndex(),
            "injection": self.injection_check.isChecked(),
            "team_view": self.team_view_check.isChecked(),
        }

    def restore(self, snap: Snapshot) -> None:
        """Put back what `snapshot` took."""
        self._current = snap["current"]
        self.kind_combo.setCurrentIndex(snap["kind"])
        self.name_edit.setText(snap["name"])
        self.url_edit.setText(snap["url"])
        self.token_edit.setText(snap["token"])
        self.token_edit.setPlaceholderText(snap["token_placeholder"])
        self.token_state.setText(snap["token_state"])
        self.aerender_edit.setText(snap["aerender"])
        self.aerender_edit.setPlaceholderText(snap["aerender_placeholder"])
        self.aerender_state.setText(snap["aerender_state"])
        self.concurrency_spin.setValue(snap["concurrency"])
        self.args_edit.setText(snap["args"])
        self.stall_spin.setValue(snap["stall"])
        self.max_time_spin.setValue(snap["max_time"])
        self.retries_spin.setValue(snap["retries"])
        self.interrupted_combo.setCurrentIndex(snap["interrupted"])
        self.injection_check.setChecked(snap["injection"])
        self.team_view_check.setChecked(snap["team_view"])
        self._on_kind_changed()

    def _fill(self, c: Connection) -> None:
        blocked = self.blockSignals(True)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(c.kind))
        self.name_edit.setText("" if self._current is None else c.name)
        self.url_edit.setText(c.url or "")
        self.token_edit.clear()
        self.aerender_edit.setText(c.aerender or "")
        self.set_aerender_state(None)
        self.concurrency_spin.setValue(c.concurrency or 0)
        self.args_edit.setText(shlex.join(c.extra_args))
        self.stall_spin.setValue(c.engine.stall_timeout_s)
        self.max_time_spin.setValue(c.engine.max_render_time_s or 0.0)
        self.retries_spin.setValue(c.engine.retries)
        self.interrupted_combo.setCurrentIndex(
            self.interrupted_combo.findData(c.engine.on_interrupted)
        )
        self.injection_check.setChecked(c.engine.script_injection)
        self.team_view_check.setChecked(c.team_view)
        self.set_token_state(TokenState.MISSING if c.kind.needs_token else TokenState.NOT_NEEDED)
        self.blockSignals(blocked)
        self._on_kind_changed()

    # -- reacting -----------------------------------------------------------------------

    def _on_kind_changed(self, *_: object) -> None:
        kind = self.kind()
        editing = self._current is not None
        self.name_edit.setReadOnly(editing)
        self.kind_combo.setEnabled(not editing)
        local = kind is BackendKind.LOCAL
        self.local_group.setVisible(local)
        self.team_view_check.setVisible(kind is BackendKind.NEXRENDER_CLOUD)
        for widget in self._remote_rows:
            widget.setVisible(not local)
        if self._url_label is not None:
            self._url_label.setVisible(not local)
        default = DEFAULT_URLS.get(kind)
        self.url_edit.setPlaceholderText(
            f"Default: {default}" if default else "Required, e.g. http://farm.local:3050"
        )
        if not editing:
            self.set_token_state(TokenState.MISSING if kind.needs_token else TokenState.NOT_NEEDED)
        optional = kind.token_optional
        self.token_label.setText("Server &secret:" if optional else "API &token:")
        self.token_edit.setToolTip(
            "The server's nexrender-secret; leave empty if it runs without one"
            if optional
            else "Stored only in the OS keyring"
        )

    def _on_browse(self) -> None:
        # open(), not exec(): a nested event loop would stall the asyncio work under it.
        dialog = QFileDialog(self, "Choose aerender")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._on_aerender_chosen)
        self._browse_dialog = dialog
        dialog.open()

    def _on_aerender_chosen(self, path: str) -> None:
        self.aerender_edit.setText(path)
        self.edited.emit()


def _seconds(parent: QWidget, *, minimum: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setRange(minimum, 7 * 24 * 3600.0)
    spin.setDecimals(0)
    spin.setSuffix(" s")
    return spin
