"""Real services for the integration tests, each started once per test session: a Secret
Service (private D-Bus + gnome-keyring) and a self-hosted nexrender server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration import nexrender_server as nexrender
from tests.integration.nexrender_server import NexrenderServer

# The Secret Service fixture lives with its daemons; conftest files share it by import.
from tests.integration.secret_service import secret_service  # noqa: F401


@pytest.fixture(scope="session")
def nexrender_server_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NexrenderServer]:
    """A real @nexrender/server on 127.0.0.1 for the whole session; stopped by PID at the end.

    The npm package is installed once into a cache folder and reused. A machine without
    node/npm, or an install that fails, fails these tests instead of skipping them.
    """
    problem = None
    try:
        node_modules = nexrender.ensure_installed()
        server = nexrender.start(tmp_path_factory.mktemp("nexrender-server"), node_modules)
    except nexrender.NexrenderServerUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nexrender_server(nexrender_server_process: NexrenderServer) -> NexrenderServer:
    """The session's nexrender server with no jobs: a test's worker picks only its own jobs."""
    nexrender_server_process.clear()
    return nexrender_server_process
