"""Connections: add, edit, test and remove them; tokens go only to the OS keyring.

Every store and keyring call runs with `asyncio.to_thread`, so a keyring waiting for the
user to unlock it never freezes the window. What the user typed survives switching between
connections and any error: edits are kept as in-memory drafts until saved or discarded.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind
from render_manager.keychain import KeychainError
from render_manager.services.app_services import AppServices
from render_manager.services.connection_check import (
    CheckResult,
    check_connection,
    keyring_problem,
)
from render_manager.services.connections import (
    ConnectionInfo,
    TokenNotDeleted,
    TokenState,
)
from render_manager.services.health import Health
from render_manager.store.errors import StoreError
from render_manager.ui.connections.form import ConnectionForm, Snapshot
from render_manager.ui.connections.model import NAME_ROLE, TOKEN_FIX_HERE, ConnectionsModel
from render_manager.ui.connections.prompts import discard_box, remove_box
from render_manager.ui.qt.background import BackgroundTasks

log = logging.getLogger(__name__)

# A name no connection can have (names start with a letter or digit): the new-connection draft.
NEW = "*new*"


class ConnectionsDialog(QDialog):
    """The list of connections beside the form of the selected one.

    Open it with `open()` (or `open_on(name)`); it emits `connections_changed` after every
    add, edit or removal, so the window can reload its panel and its refresh loops.
    """

    connections_changed = Signal()
    health_checked = Signal(dict)
    """{name: Health}: what Test connection found for a stored connection, for the panel."""

    def __init__(
        self,
        services: AppServices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = services.ctx
        self._service = services.connections
        # Where the connection check's requests go (tests: loopback fakes).
        self._transport_for = services.transport_for
        self._tasks = BackgroundTasks(
            "connections dialog: a background step",
            on_error=lambda exc: self._say(f"Something went wrong: {exc}", error=True),
        )
        self._spawn = self._tasks.spawn
        self._infos: dict[str, ConnectionInfo] = {}
        self._drafts: dict[str, Snapshot] = {}
        self._editing = NEW
        self._dirty = False
        self._select_after_load: str | None = None
        self.confirm_box: QMessageBox | None = None
        self.last_check: CheckResult | None = None
        # The last test of each connection, with a digest of the token typed for it (None:
        # the stored one): once that token is the stored one, the test is the row's health.
        self._tested: dict[str, tuple[str | None, Health]] = {}
        self.setWindowTitle("Connections")
        self.resize(900, 520)
        self._build()

    def _build(self) -> None:
        splitter = QSplitter(self)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_editor())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())
        self._add_shortcuts()
        self.form.clear()

    def _build_list(self) -> QWidget:
        self.model = ConnectionsModel(token_fix=TOKEN_FIX_HERE)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        # A long state is cut at the list's edge (the tooltip has it whole), never scrolled
        # sideways: a horizontal scroll bar under four names only hides one.
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.add_button = QPushButton("&Add", self)
        self.add_button.setToolTip("A new connection (Ctrl+N)")
        self.add_button.clicked.connect(self.new_connection)
        self.remove_button = QPushButton("&Remove…", self)
        self.remove_button.setToolTip("Remove the selected connection (Delete); you confirm first")
        self.remove_button.clicked.connect(self.request_remove)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left_layout.addLayout(row)
        return left

    def _build_editor(self) -> QWidget:
        self.form = ConnectionForm(self)
        self.form.edited.connect(self._on_edited)
        self.keyring_banner = QLabel(self)
        self.keyring_banner.setWordWrap(True)
        self.keyring_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keyring_banner.hide()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.keyring_banner)
        right_layout.addWidget(self.form, 1)
        right_layout.addWidget(self.message)
        return right

    def _build_buttons(self) -> QHBoxLayout:
        self.test_button = QPushButton("&Test connection", self)
        self.test_button.setToolTip("Try the address and the token without saving (Ctrl+T)")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(lambda: self._spawn(self.test()))
        self.save_button = QPushButton("&Save", self)
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save this connection (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self._spawn(self.save()))
        self.close_button = QPushButton("Close", self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _add_shortcuts(self) -> None:
        for text, keys, slot in (
            ("New", QKeySequence.StandardKey.New, self.new_connection),
            ("Save", QKeySequence.StandardKey.Save, lambda: self._spawn(self.save())),
            ("Test", QKeySequence("Ctrl+T"), lambda: self._spawn(self.test())),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
        remove = QAction("Remove", self.list_view)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.request_remove)
        self.list_view.addAction(remove)

    # -- opening and loading ------------------------------------------------------------

    @override
    def open(self) -> None:
        """Show the dialog (window-modal, without a nested event loop) and load the list."""
        self._spawn(self.reload(self._select_after_load))
        super().open()

    def open_on(self, name: str | None) -> None:
        """Open with one connection selected (None: the first one)."""
        self._select_after_load = name
        self.open()

    async def reload(self, select: str | None = None) -> None:
        """Read the connections and their tokens' state, off the GUI thread."""
        infos = await asyncio.to_thread(self._service.list)
        self._infos = {i.connection.name: i for i in infos}
        keyring_error = next((i.token_error for i in infos if i.token_error), None)
        if keyring_error is None:
            keyring_error = await keyring_problem(self._ctx.keychain)
        self._show_keyring_problem(keyring_error)
        self.model.set_connections(infos)
        names = self.model.names()
        target = select if select in names else (self._editing if self._editing in names else None)
        if target is None and self._editing == NEW and NEW not in self._drafts and names:
            target = names[0]
        if target is not None:
            self.list_view.setCurrentIndex(self.model.index(names.index(target)))
        self.remove_button.setEnabled(bool(names))

    # -- switching between connections, keeping drafts ----------------------------------

    def new_connection(self) -> None:
        """Start a new connection (what was typed elsewhere stays as a draft)."""
        self._keep_draft()
        self.list_view.selectionModel().clearCurrentIndex()
        self.list_view.clearSelection()
        self._show(NEW)
        self.form.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        name = current.data(NAME_ROLE)
        if name != self._editing:
            self._keep_draft()
            self._show(name)

    def _keep_draft(self) -> None:
        if self._dirty:
            self._drafts[self._editing] = self.form.snapshot()

    def _show(self, key: str) -> None:
        self._editing = key
        draft = self._drafts.pop(key, None)
        self._dirty = draft is not None
        if draft is not None:
            self.form.restore(draft)
        elif key == NEW:
            self.form.clear()
        else:
            self.form.set_connection(self._infos[key])
        self.message.clear()

    def _on_edited(self) -> None:
        self._dirty = True

    def unsaved(self) -> list[str]:
        """Connections with changes not yet saved ("*new*" for a new one)."""
        return sorted({*self._drafts, *([self._editing] if self._dirty else [])})

    async def save(self) -> bool:
        """Store the form: settings to the store, a typed token to the keyring only."""
        try:
            connection = self.form.connection()
        except DomainError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return False
        token = self.form.token() or None
        # A self-hosted server may run without a secret; the vendors' APIs never do.
        needs = connection.kind.needs_token and not connection.kind.token_optional
        if self.form.is_new() and token is None and needs:
            self._say(
                f"Not saved: a {connection.kind.value} connection needs an API token", error=True
            )
            return False
        current = self.form.current()
        self.save_button.setEnabled(False)
        try:
            if current is None:
                await asyncio.to_thread(self._service.add, connection, token)
            else:
                if token is not None:
                    await asyncio.to_thread(self._service.set_token, connection.name, token)
                if connection != current:
                    await asyncio.to_thread(self._ctx.connections.update, connection)
        except (KeychainError, StoreError, DomainError) as exc:
            if isinstance(exc, KeychainError):
                self._show_keyring_problem(str(exc))
            self._say(f"Not saved: {exc}", error=True)
            return False
        finally:
            self.save_button.setEnabled(True)
        self._dirty = False
        self._drafts.pop(self._editing, None)
        self._editing = connection.name
        await self.reload(select=connection.name)
        self.form.set_connection(self._infos[connection.name])
        if token is not None or current is None:
            self._apply_test(connection.name, token)
        where = " (token stored in the OS keyring)" if token else ""
        self._say(f"Saved {connection.name}{where}.")
        self.connections_changed.emit()
        return True

    async def test(self) -> CheckResult | None:
        """Try the form's connection with the typed token, else the stored one."""
        try:
            connection = self.form.connection()
        except DomainError as exc:
            self._say(f"Cannot test: {exc}", error=True)
            return None
        token = self.form.token() or None
        if token is None and connection.kind.needs_token and not self.form.is_new():
            try:
                token = await self._ctx.keychain.aget(connection.name)
            except KeychainError as exc:
                self._show_keyring_problem(str(exc))
                self._say(f"Cannot read the stored token: {exc}", error=True)
                return None
        self.test_button.setEnabled(False)
        self._say(f"Testing {connection.name}…")
        try:
            result = await check_connection(connection, token, transport_for=self._transport_for)
        finally:
            self.test_button.setEnabled(True)
        self.last_check = result
        self._say(result.message, error=not result.ok, ok=result.ok)
        if result.local is not None:
            self.form.set_aerender_state(result.local)
        elif connection.name:
            health = Health(result.ok, None if result.ok else result.message, datetime.now(UTC))
            self._tested[connection.name] = (_digest(self.form.token() or None), health)
            if not self.form.is_new() and not self.form.token():
                self._apply_test(connection.name, None)
        return result

    def _apply_test(self, name: str, token: str | None) -> None:
        """Show a connection's last test as its health, if it tested the token now stored."""
        tested = self._tested.get(name)
        if tested is None or tested[0] != _digest(token):
            return
        health = {name: tested[1]}
        self.model.set_health(health)
        self.health_checked.emit(health)

    def request_remove(self) -> None:
        """Ask to remove the selected connection, saying what goes with it."""
        index = self.list_view.currentIndex()
        if index.isValid():
            self._spawn(self.confirm_remove(index.data(NAME_ROLE)))

    async def confirm_remove(self, name: str) -> None:
        """Count the connection's jobs off the GUI thread, then ask (without blocking)."""

        def counts() -> tuple[int, int]:
            total = len(self._ctx.jobs.list(connection=name))
            return total, self._ctx.connections.active_job_count(name)

        total, active = await asyncio.to_thread(counts)
        info = self._infos.get(name)
        box = remove_box(
            self,
            name,
            jobs=total,
            unfinished=active,
            local=info is not None and info.connection.kind is BackendKind.LOCAL,
            has_token=info is not None and info.token is TokenState.SET,
            on_remove=lambda: self._remove_later(name, force=active > 0),
        )
        self.confirm_box = box
        box.open()

    def _remove_later(self, name: str, *, force: bool) -> None:
        self._spawn(self.remove(name, force=force))

    async def remove(self, name: str, *, force: bool = False) -> int | None:
        """Remove a connection with its jobs and token; returns how many jobs went."""
        try:
            removed = await asyncio.to_thread(self._service.remove, name, force=force)
        except TokenNotDeleted as exc:
            self._show_keyring_problem(str(exc.reason))
            # The connection stays, with its jobs: a token must never outlive its connection.
            # Why the keyring failed is in the banner above, as for every keyring problem.
            self._say(
                f"{name} was not removed (nothing was changed): its API token could not be "
                "deleted from the OS keyring (see above). Remove it again once the keyring "
                "answers.",
                error=True,
            )
            return None
        except (KeychainError, StoreError) as exc:
            self._say(f"Not removed: {exc}", error=True)
            return None
        self._drafts.pop(name, None)
        if self._editing == name:
            self._editing = NEW
            self._dirty = False
            self.form.clear()
        await self.reload()
        self._say(f"Removed {name} and {removed} job{'s' if removed != 1 else ''}.")
        self.connections_changed.emit()
        return removed

    # -- closing ------------------------------------------------------------------------

    @override
    def reject(self) -> None:
        """Close; unsaved changes are discarded only once the user agrees."""
        pending = self.unsaved()
        if not pending:
            super().reject()
            return
        names = ", ".join("a new connection" if p == NEW else p for p in pending)
        box = discard_box(self, names, self._discard_and_close)
        self.confirm_box = box
        box.open()

    def _discard_and_close(self) -> None:
        self._drafts.clear()
        self._dirty = False
        super().reject()

    # -- plumbing -----------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        colour = "#b42318" if error else "#1e7b34" if ok else ""
        self.message.setStyleSheet(f"color: {colour}" if colour else "")
        self.message.setText(text)

    def _show_keyring_problem(self, problem: str | None) -> None:
        if problem:
            self.keyring_banner.setText(f"Tokens cannot be stored or read: {problem}")
            self.keyring_banner.setStyleSheet("color: #b42318")
        self.keyring_banner.setVisible(bool(problem))


def _digest(token: str | None) -> str | None:
    # Tells whether the token saved is the one tested, without keeping a second copy of it.
    return None if token is None else hashlib.sha256(token.encode()).hexdigest()
