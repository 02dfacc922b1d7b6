"""The side panel's connections: each with its health, as a list model updated in place."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.connections import ConnectionInfo, TokenState
from render_manager.services.health import Health, LocalReadiness
from render_manager.ui.jobs.columns import format_when
from render_manager.ui.jobs.status_icons import status_icon

_Index = QModelIndex | QPersistentModelIndex

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
"""The connection's name."""
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The row's `ConnectionState`."""


TOKEN_FIX_ELSEWHERE = "add it in Connections"  # noqa: S105 - advice, not a secret
"""Where a missing token is entered, seen from outside the Connections dialog."""
TOKEN_FIX_HERE = "fill in API token"  # noqa: S105 - advice, not a secret
"""The same, seen from inside the Connections dialog."""


class ConnectionState(StrEnum):
    """What the panel says about a connection, most urgent first."""

    TOKEN_MISSING = "token missing"  # noqa: S105 - a state's name, not a secret
    KEYRING_ERROR = "keyring error"
    UNHEALTHY = "unhealthy"
    OK = "ok"
    NOT_CHECKED = "not checked"
    LOCAL = "local"
    LOCAL_PAUSED = "local, paused"
    LOCAL_NOT_READY = "local, no aerender"


# The status glyphs already mean these things in the job table.
_ICON_STATUS = {
    ConnectionState.TOKEN_MISSING: JobStatus.PENDING,
    ConnectionState.KEYRING_ERROR: JobStatus.PENDING,
    ConnectionState.UNHEALTHY: JobStatus.FAILED,
    ConnectionState.OK: JobStatus.FINISHED,
    ConnectionState.NOT_CHECKED: JobStatus.QUEUED,
    ConnectionState.LOCAL: JobStatus.RENDERING,
    ConnectionState.LOCAL_PAUSED: JobStatus.PAUSED,
    # Something for the user to do, as with a missing token.
    ConnectionState.LOCAL_NOT_READY: JobStatus.PENDING,
}


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    """One connection as shown: its settings, token state and last health."""

    info: ConnectionInfo
    health: Health | None = None

    @property
    def name(self) -> str:
        """The connection's name."""
        return self.info.connection.name

    @property
    def state(self) -> ConnectionState:
        """The one state the row shows."""
        kind = self.info.connection.kind
        if kind is BackendKind.LOCAL:
            if self.info.paused:
                return ConnectionState.LOCAL_PAUSED
            local = self.info.local
            if local is not None and not local.ready:
                return ConnectionState.LOCAL_NOT_READY
            return ConnectionState.LOCAL
        # A self-hosted server may have no secret at all: only its health tells.
        if self.info.token is TokenState.MISSING and not kind.token_optional:
            return ConnectionState.TOKEN_MISSING
        if self.health is not None and not self.health.ok:
            return ConnectionState.UNHEALTHY
        if self.info.token is TokenState.UNKNOWN:
            return ConnectionState.KEYRING_ERROR
        if self.health is not None:
            return ConnectionState.OK
        return ConnectionState.NOT_CHECKED

    def summary(self, token_fix: str = TOKEN_FIX_ELSEWHERE) -> str:
        """The state in a few words, for the row's second line; `token_fix` says where a
        missing token is entered, as seen from where the row is shown."""
        state = self.state
        if state is ConnectionState.TOKEN_MISSING:
            return f"Token missing: {token_fix}"
        if state is ConnectionState.UNHEALTHY:
            assert self.health is not None
            return f"Unhealthy: {self.health.error or 'unknown error'}"
        if state is ConnectionState.KEYRING_ERROR:
            return f"Keyring: {self.info.token_error}"
        if state is ConnectionState.OK:
            return "OK"
        if state is ConnectionState.LOCAL_NOT_READY:
            # Short enough for the side panel: the tooltip has the reason and the fix.
            return "aerender not found: encodes only"
        if state is ConnectionState.LOCAL:
            return "Local engine"
        if state is ConnectionState.LOCAL_PAUSED:
            return "Paused: starts no new render"
        return "Not checked yet"

    def tooltip(self, token_fix: str = TOKEN_FIX_ELSEWHERE) -> str:
        """Everything known about the connection, whole: for a local one, the aerender
        found, or why none was and how to set it."""
        c = self.info.connection
        local = self.info.local
        if local is not None:
            lines = [f"{c.name} ({c.kind.value})", local.found_text]
            if local.ready:
                lines[-1] += f" ({local.lookup.source})"
            else:
                lines += [
                    "Not ready for After Effects renders (encode jobs run).",
                    f"Why: {local.reason}.",
                    f"Fix: {local.fix}.",
                ]
            if self.info.paused:
                lines.append("Queue paused: no new render starts until resumed.")
            return "\n".join(lines)
        where = c.effective_url or c.aerender or ""
        lines = [f"{c.name} ({c.kind.value})", where, self.summary(token_fix)]
        if self.health is not None and self.health.checked_at is not None:
            lines.append(f"Last checked {format_when(self.health.checked_at)}")
        return "\n".join(lines)


class ConnectionsModel(QAbstractListModel):
    """Connections by name; new health updates rows in place.

    `token_fix` says where a missing token is entered: the side panel sends the user to the
    Connections dialog, while the dialog itself points at its API token field.
    """

    def __init__(self, *, token_fix: str = TOKEN_FIX_ELSEWHERE) -> None:
        super().__init__()
        self._token_fix = token_fix
        self._rows: list[ConnectionRow] = []
        self._health: dict[str, Health] = {}

    @override
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    @override
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.name}\n{row.summary(self._token_fix)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return status_icon(_ICON_STATUS[row.state])
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip(self._token_fix)
        if role == NAME_ROLE:
            return row.name
        if role == STATE_ROLE:
            return row.state
        return None

    def row(self, name: str) -> ConnectionRow | None:
        """The row of a connection, or None."""
        return next((r for r in self._rows if r.name == name), None)

    def local_readiness(self) -> LocalReadiness | None:
        """The first local connection's aerender readiness, as last loaded (None: none)."""
        return next((r.info.local for r in self._rows if r.info.local is not None), None)

    def names(self) -> list[str]:
        """Every connection's name, in row order."""
        return [r.name for r in self._rows]

    def set_connections(self, infos: Sequence[ConnectionInfo]) -> None:
        """Show these connections: rows are removed, updated and inserted, never reset."""
        wanted = {i.connection.name: i for i in infos}
        for position in reversed(range(len(self._rows))):
            if self._rows[position].name not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        for name in sorted(wanted):
            new = ConnectionRow(wanted[name], self._health.get(name))
            position = next(
                (p for p, r in enumerate(self._rows) if r.name >= name), len(self._rows)
            )
            if position < len(self._rows) and self._rows[position].name == name:
                self._replace(position, new)
            else:
                self.beginInsertRows(QModelIndex(), position, position)
                self._rows.insert(position, new)
                self.endInsertRows()

    def set_paused(self, paused: Collection[str]) -> None:
        """Which connections' queues are paused now (read from the store)."""
        for position, row in enumerate(self._rows):
            if row.info.paused != (row.name in paused):
                info = replace(row.info, paused=row.name in paused)
                self._replace(position, ConnectionRow(info, row.health))

    def set_health(self, health: Mapping[str, Health]) -> None:
        """The last exchange with each connection (JobService.health); others keep theirs."""
        self._health.update(health)
        for position, row in enumerate(self._rows):
            fresh = self._health.get(row.name)
            if fresh is not None and fresh != row.health:
                self._replace(position, ConnectionRow(row.info, fresh))

    def _replace(self, position: int, row: ConnectionRow) -> None:
        if self._rows[position] != row:
            self._rows[position] = row
            index = self.index(position)
            self.dataChanged.emit(index, index)
