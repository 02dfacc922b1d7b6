"""Adding, listing and removing connections: settings to the store, tokens to the keyring."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import StrEnum

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.keychain import Keychain, KeychainError
from render_manager.services.health import LocalReadiness, local_readiness
from render_manager.store.connections import ConnectionRepository
from render_manager.store.errors import ConnectionExists, ConnectionInUse

log = logging.getLogger(__name__)


class TokenState(StrEnum):
    """Whether a connection's token is in the keyring."""

    SET = "set"
    MISSING = "missing"
    NOT_NEEDED = "not-needed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """A connection with the state of its token and, if the keyring failed, why.

    `local` is a local connection's readiness for aerender renders (None for remote ones).
    """

    connection: Connection
    token: TokenState
    token_error: str | None = None
    local: LocalReadiness | None = None
    # A local connection whose queue is paused: its engine starts no new render.
    paused: bool = False


class TokenNotDeleted(KeychainError):
    """A connection was kept: its token could not be deleted from the keyring."""

    def __init__(self, name: str, reason: KeychainError) -> None:
        super().__init__(
            f"connection {name!r} was not removed (nothing was changed): its API token "
            f"could not be deleted from the OS keyring; {reason}"
        )
        self.name = name
        self.reason = reason


class ConnectionService:
    """The one place that keeps the store and the keyring in step."""

    def __init__(self, repo: ConnectionRepository, keychain: Keychain) -> None:
        self._repo = repo
        self._keychain = keychain

    def add(self, connection: Connection, token: str | None) -> None:
        """Add a connection, its token going only to the keyring.

        Either both are written or neither: a keyring failure leaves the store untouched,
        and a store failure takes the token back out of the keyring.
        """
        if any(c.name == connection.name for c in self._repo.list()):
            raise ConnectionExists(connection.name)
        if token:
            self._keychain.set(connection.name, token)
        try:
            self._repo.add(connection)
        except BaseException:
            if token:
                self._keychain.delete(connection.name)
            raise
        log.info("added connection %s (%s)", connection.name, connection.kind.value)

    def set_token(self, name: str, token: str) -> None:
        """Replace the token of an existing connection."""
        self._repo.get(name)
        self._keychain.set(name, token)
        log.info("updated the token of connection %s", name)

    def list(self) -> list[ConnectionInfo]:
        """Every connection with its token state (and whether its queue is paused)."""
        paused = self._repo.paused()
        return [replace(self.info(c), paused=c.name in paused) for c in self._repo.list()]

    def info(self, connection: Connection) -> ConnectionInfo:
        """One connection with its token state."""
        if connection.kind is BackendKind.LOCAL:
            return ConnectionInfo(
                connection, TokenState.NOT_NEEDED, local=local_readiness(connection)
            )
        if not connection.kind.needs_token:
            return ConnectionInfo(connection, TokenState.NOT_NEEDED)
        try:
            token = self._keychain.get(connection.name)
        except KeychainError as exc:
            return ConnectionInfo(connection, TokenState.UNKNOWN, str(exc))
        return ConnectionInfo(connection, TokenState.SET if token else TokenState.MISSING)

    def remove(self, name: str, *, force: bool = False, delete_token: bool = True) -> int:
        """Remove a connection, its job history and its keyring entry; returns jobs removed.

        The token is deleted first: a keyring that is locked, absent or silent raises
        TokenNotDeleted and leaves the connection as it was, never a secret without its
        connection. With delete_token=False the keyring is not touched at all (the caller
        tells the user that a stored token stays there).
        """
        connection = self._repo.get(name)
        active = self._repo.active_job_count(name)
        if active and not force:
            raise ConnectionInUse(name, active)
        if connection.kind.needs_token and delete_token:
            try:
                self._keychain.delete(name)
            except KeychainError as exc:
                # An unreachable keyring may well hold the token (it was stored while the
                # keyring answered, or the keyring is locked now): it is no "no token".
                raise TokenNotDeleted(name, exc) from None
        elif connection.kind.needs_token:
            log.warning("connection %s removed without deleting its keyring entry", name)
        removed = self._repo.remove(name, force=force)
        log.info("removed connection %s with %d job(s)", name, removed)
        return removed
