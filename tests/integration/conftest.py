"""A real Secret Service (private D-Bus + gnome-keyring), started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.secret_service import SecretServiceUnavailable, find_programs, start


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a private, unlocked Secret Service; the daemons stop at the end.

    A machine without dbus-daemon or gnome-keyring-daemon fails these tests instead of
    skipping them: CI installs both, so a missing one is a broken setup, not an optional extra.
    """
    problem = None
    try:
        find_programs()
        service = start(tmp_path_factory.mktemp("secret-service"))
    except SecretServiceUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    try:
        yield dict(service.env)
    finally:
        service.stop()


# The nexrender server fixtures, appended below the Secret Service ones.
from tests.integration import nexrender_server as nexrender  # noqa: E402
from tests.integration.nexrender_server import NexrenderServer  # noqa: E402


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
