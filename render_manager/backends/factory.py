"""The one place that turns a connection into its back-end: nothing else names a class."""

from __future__ import annotations

import httpx

from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.backends.nexrender_server import NexrenderServerBackend
from render_manager.backends.protocol import Backend
from render_manager.backends.rendley import RendleyBackend
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind


def make_backend(
    connection: Connection, token: str | None, transport: httpx.AsyncBaseTransport | None = None
) -> Backend:
    """The back-end for a remote connection."""
    match connection.kind:
        case BackendKind.NEXRENDER_CLOUD:
            return NexrenderCloudBackend(connection, token, transport=transport)
        case BackendKind.RENDLEY:
            return RendleyBackend(connection, token, transport=transport)
        case BackendKind.NEXRENDER_SERVER:
            return NexrenderServerBackend(connection, token, transport=transport)
        case BackendKind.LOCAL:
            raise ValueError(f"{connection.name} is the local engine, not a remote back-end")
