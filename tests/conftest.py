"""Fixtures every tier shares: a private home per test and an in-memory keyring."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from render_manager.keychain import Keychain

# The local-engine fixtures (fake aerender, a home wired to it) serve the engine and GUI tiers.
pytest_plugins = ["tests.engine.fixtures"]


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, for fast unit tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty Render Manager home, also set as $RENDER_MANAGER_HOME."""
    path = tmp_path / "home"
    monkeypatch.setenv("RENDER_MANAGER_HOME", str(path))
    return path


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """An in-memory keyring backend."""
    return MemoryKeyring()


@pytest.fixture
def keychain(memory_keyring: MemoryKeyring) -> Keychain:
    """A Keychain over the in-memory backend, with a short timeout."""
    return Keychain(backend=memory_keyring, timeout=2.0)
