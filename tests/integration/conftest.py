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
