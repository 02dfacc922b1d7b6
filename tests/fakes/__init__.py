"""Fakes of the cloud services, built from their documentation, and a home wired to them."""

from __future__ import annotations

from pathlib import Path

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.keychain import Keychain
from render_manager.services.context import AppContext, open_context
from tests.fakes import nexrender_cloud, rendley


def cloud_home(home: Path, keychain: Keychain) -> AppContext:
    """A home with a `cloud` (Nexrender Cloud) and a `rendley` connection, tokens set."""
    context = open_context(home, keychain=keychain)
    context.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    context.connections.add(Connection(name="rendley", kind=BackendKind.RENDLEY))
    keychain.set("cloud", nexrender_cloud.TOKEN)
    keychain.set("rendley", rendley.TOKEN)
    return context
