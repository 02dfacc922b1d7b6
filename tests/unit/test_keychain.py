"""The keychain: tokens in the OS keyring, cached, with a timeout and errors that say what to do."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from render_manager.keychain import (
    Keychain,
    KeychainError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
)
from render_manager.logs import REDACTED, setup_logging

# Other tools (seahorse, `secret-tool`, the window) find tokens under this service name.
SERVICE = "render-manager"

# A backend that never answers is released this long after the test has stopped waiting, at
# the latest; the tests themselves never wait for it.
_BLOCK_LIMIT_S = 30.0


def _token() -> str:
    return secrets.token_urlsafe(24)


class BlockingKeyring(KeyringBackend):
    """A backend whose reads wait until the test releases them, like a locked Secret Service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.entered = threading.Event()
        self.release = threading.Event()
        self.returned = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        self.release.wait(_BLOCK_LIMIT_S)
        self.returned.set()
        return self.token

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("this test backend is read-only")


class RaisingKeyring(KeyringBackend):
    """A backend that raises the same error on every call."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class EchoingKeyring(KeyringBackend):
    """A backend whose refusal quotes the password it was given, as some backends do."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"item {username} with secret {password} rejected")


# --- storing, reading and deleting -------------------------------------------------------------


def test_set_get_delete_round_trip_under_the_render_manager_service(
    keychain, memory_keyring
) -> None:
    token = _token()

    keychain.set("cloud", token)
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}
    # A second keychain (another process, say) reads it from the backend, not from a cache.
    assert Keychain(backend=memory_keyring).get("cloud") == token

    assert keychain.delete("cloud") is True
    assert memory_keyring.passwords == {}
    assert keychain.get("cloud") is None
    assert Keychain(backend=memory_keyring).get("cloud") is None


def test_set_replaces_the_token_of_the_connection_only(keychain, memory_keyring) -> None:
    old, new, other = _token(), _token(), _token()
    keychain.set("cloud", old)
    keychain.set("rendley", other)

    keychain.set("cloud", new)

    assert memory_keyring.passwords == {(SERVICE, "cloud"): new, (SERVICE, "rendley"): other}
    assert keychain.get("cloud") == new


def test_an_empty_token_is_refused_and_nothing_is_stored(keychain, memory_keyring) -> None:
    with pytest.raises(ValueError, match="empty"):
        keychain.set("cloud", "")
    assert memory_keyring.passwords == {}


def test_get_is_cached_so_a_second_read_does_not_ask_the_keyring(keychain, memory_keyring) -> None:
    token = _token()
    memory_keyring.passwords[(SERVICE, "cloud")] = token

    assert keychain.get("cloud") == token
    calls_after_first_read = memory_keyring.calls
    assert calls_after_first_read >= 1

    assert keychain.get("cloud") == token
    assert memory_keyring.calls == calls_after_first_read


def test_a_token_just_set_is_read_back_without_asking_the_keyring(keychain, memory_keyring) -> None:
    token = _token()
    keychain.set("cloud", token)
    calls_after_set = memory_keyring.calls

    assert keychain.get("cloud") == token
    assert memory_keyring.calls == calls_after_set


def test_deleting_a_missing_entry_returns_false_and_keeps_the_others(
    keychain, memory_keyring
) -> None:
    token = _token()
    memory_keyring.passwords[(SERVICE, "cloud")] = token

    assert keychain.delete("nobody") is False
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}


# --- the asynchronous API ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_api_round_trip_on_a_plain_event_loop(keychain, memory_keyring) -> None:
    token = _token()

    await keychain.aset("cloud", token)
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}
    assert await Keychain(backend=memory_keyring).aget("cloud") == token
    assert await keychain.aget("cloud") == token

    assert await keychain.adelete("cloud") is True
    assert memory_keyring.passwords == {}
    assert await keychain.adelete("cloud") is False
    assert await keychain.aget("cloud") is None


@pytest.mark.asyncio
async def test_async_get_keeps_the_event_loop_running_while_the_keyring_is_slow() -> None:
    token = _token()
    backend = BlockingKeyring(token)
    keychain = Keychain(backend=backend, timeout=_BLOCK_LIMIT_S)
    try:
        read = asyncio.create_task(keychain.aget("cloud"))
        # Only a loop that is still free can run this wait while the backend is blocked.
        assert await asyncio.to_thread(backend.entered.wait, _BLOCK_LIMIT_S)
        assert not read.done()

        backend.release.set()
        assert await read == token
    finally:
        backend.release.set()


# --- failures ----------------------------------------------------------------------------------


def test_a_keyring_that_never_answers_times_out_with_an_actionable_message() -> None:
    backend = BlockingKeyring(_token())
    keychain = Keychain(backend=backend, timeout=0.2)
    try:
        with pytest.raises(KeyringTimeout) as raised:
            keychain.get("cloud")
        # It gave up while the backend was still stuck, instead of waiting for it.
        assert backend.entered.is_set()
        assert not backend.returned.is_set()
    finally:
        backend.release.set()

    message = str(raised.value)
    assert "0.2 s" in message
    assert "unlock" in message
    assert isinstance(raised.value, KeychainError)


@pytest.mark.parametrize(
    "operation",
    [
        lambda keychain: keychain.get("cloud"),
        lambda keychain: keychain.set("cloud", _token()),
        lambda keychain: keychain.delete("cloud"),
    ],
    ids=["get", "set", "delete"],
)
def test_a_locked_keyring_says_to_unlock_it(operation: Callable[[Keychain], object]) -> None:
    backend = RaisingKeyring(keyring.errors.KeyringLocked("Failed to unlock the collection!"))
    keychain = Keychain(backend=backend, timeout=2.0)

    with pytest.raises(KeyringLocked) as raised:
        operation(keychain)

    assert "unlock it" in str(raised.value)


def _install_hint() -> str:
    return "gnome-keyring" if sys.platform.startswith("linux") else "Keychain"


def test_no_keyring_backend_says_what_to_install() -> None:
    keychain = Keychain(backend=fail.Keyring(), timeout=2.0)

    with pytest.raises(KeyringUnavailable) as raised:
        keychain.get("cloud")

    message = str(raised.value)
    assert "no OS keyring is available" in message
    assert _install_hint() in message


def test_a_token_that_could_not_be_stored_is_not_reported_as_stored() -> None:
    keychain = Keychain(backend=fail.Keyring(), timeout=2.0)

    with pytest.raises(KeyringUnavailable):
        keychain.set("cloud", _token())
    # The failed write must not leave the token behind in the cache.
    with pytest.raises(KeyringUnavailable):
        keychain.get("cloud")


def test_a_backend_reporting_no_keyring_gives_the_install_hint_with_its_reason() -> None:
    backend = RaisingKeyring(keyring.errors.NoKeyringError("no D-Bus session\nmore detail"))
    keychain = Keychain(backend=backend, timeout=2.0)

    with pytest.raises(KeyringUnavailable) as raised:
        keychain.get("cloud")

    message = str(raised.value)
    assert "(no D-Bus session)" in message
    assert "more detail" not in message
    assert _install_hint() in message


def test_a_refusal_is_reported_on_one_line() -> None:
    backend = RaisingKeyring(keyring.errors.KeyringError("access denied\nat /org/freedesktop/x"))
    keychain = Keychain(backend=backend, timeout=2.0)

    with pytest.raises(KeychainError) as raised:
        keychain.get("cloud")

    assert str(raised.value) == "the OS keyring refused the request: access denied"


def test_a_refusal_that_quotes_the_token_does_not_leak_it() -> None:
    token = _token()
    keychain = Keychain(backend=EchoingKeyring(), timeout=2.0)

    with pytest.raises(KeychainError) as raised:
        keychain.set("cloud", token)

    assert token not in str(raised.value)


# --- tokens are redacted from the log ----------------------------------------------------------


def test_tokens_set_or_read_are_redacted_from_the_log_file(
    home: Path, keychain, memory_keyring
) -> None:
    log_file = setup_logging(home)
    stored, read, unrelated = _token(), _token(), _token()
    keychain.set("cloud", stored)
    memory_keyring.passwords[(SERVICE, "rendley")] = read
    assert Keychain(backend=memory_keyring).get("rendley") == read

    log = logging.getLogger("render_manager.tests.keychain")
    log.warning("cloud answered 401 for %s", stored)
    log.warning("rendley answered 401 for %s", read)
    log.warning("a value no keyring has seen: %s", unrelated)

    text = log_file.read_text(encoding="utf-8")
    assert stored not in text
    assert read not in text
    assert f"cloud answered 401 for {REDACTED}" in text
    assert f"rendley answered 401 for {REDACTED}" in text
    # Only tokens the keychain handled are redacted, not every random-looking string.
    assert f"a value no keyring has seen: {unrelated}" in text
