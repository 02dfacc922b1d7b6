"""The one place that turns a connection into its back-end: nothing else names a class."""

from __future__ import annotations

import httpx

from render_manager.backends.local import LocalBackend
from render_manager.backends.local_home import LocalHome
from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.backends.nexrender_server import NexrenderServerBackend
from render_manager.backends.protocol import Backend
from render_manager.backends.rendley import RendleyBackend
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind

_BACKENDS: dict[BackendKind, type] = {
    BackendKind.LOCAL: LocalBackend,
    BackendKind.NEXRENDER_CLOUD: NexrenderCloudBackend,
    BackendKind.RENDLEY: RendleyBackend,
    BackendKind.NEXRENDER_SERVER: NexrenderServerBackend,
}


def offers(kind: BackendKind, ability: type) -> bool:
    """True if back-ends of this kind have `ability` (a capability protocol of protocol.py).

    Known before any connection opens, so a front end offers an action (price, templates)
    only where the connection's back-end has it (the local engine has none of these).
    """
    backend = _BACKENDS.get(kind)
    return backend is not None and issubclass(backend, ability)


def make_backend(
    connection: Connection,
    token: str | None,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    local: LocalHome | None = None,
) -> Backend:
    """The back-end of a connection: `token` and `transport` serve a remote one, `local`
    (the home's store and folder) the local engine."""
    match connection.kind:
        case BackendKind.NEXRENDER_CLOUD:
            return NexrenderCloudBackend(connection, token, transport=transport)
        case BackendKind.RENDLEY:
            return RendleyBackend(connection, token, transport=transport)
        case BackendKind.NEXRENDER_SERVER:
            return NexrenderServerBackend(connection, token, transport=transport)
        case BackendKind.LOCAL:
            if local is None:
                raise ValueError(f"{connection.name} is the local engine: give its home")
            return LocalBackend(connection, local)
