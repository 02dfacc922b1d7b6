"""API tokens in the OS keyring (service `render-manager`, username = connection name).

Every call runs on a worker thread with a timeout, because a Secret Service can block for a
long time while it waits for the user to unlock it. There is no plain-text fallback: without
a usable keyring the caller gets an error that says what to install or unlock.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, TypeVar

from render_manager.logs import redact, register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring itself is imported on first use, in the worker thread that calls it: discovering
# its back-ends takes a noticeable part of a second, which the window's start need not wait.

SERVICE = "render-manager"
DEFAULT_TIMEOUT_S = 20.0

T = TypeVar("T")


class KeychainError(Exception):
    """The keyring could not be used; the message says what to do."""


class KeyringUnavailable(KeychainError):
    """No keyring backend is available on this machine."""

    def __init__(self, detail: str = "") -> None:
        if sys.platform.startswith("linux"):
            how = (
                "install and start a Secret Service provider (e.g. `apt install gnome-keyring` "
                "in a desktop session, or KeePassXC with Secret Service enabled)"
            )
        else:
            how = "check that the macOS Keychain or Windows Credential Manager works"
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"no OS keyring is available to store API tokens{suffix}: {how}")


class KeyringLocked(KeychainError):
    """The keyring exists but is locked."""

    def __init__(self) -> None:
        super().__init__(
            "the OS keyring is locked: unlock it (log in to the desktop session or open your "
            "keyring manager) and try again"
        )


class KeyringTimeout(KeychainError):
    """The keyring did not answer in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the OS keyring did not answer within {seconds:g} s: it may be waiting for you to "
            "unlock it in a prompt"
        )


class Keychain:
    """Get, set and delete connection tokens, with a cache and a timeout on every call."""

    def __init__(
        self, backend: KeyringBackend | None = None, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- synchronous API (CLI, worker threads) ------------------------------------------

    def get(self, connection: str) -> str | None:
        """The token of a connection, or None if it has none."""
        with self._lock:
            if connection in self._cache:
                return self._cache[connection]
        token = self._run(lambda kr: kr.get_password(SERVICE, connection))
        if token is not None:
            register_secret(token)
            # Only found tokens are cached: one added later by renderctl must still be seen.
            with self._lock:
                self._cache[connection] = token
        return token

    def set(self, connection: str, token: str) -> None:
        """Store (or replace) the token of a connection."""
        if not token:
            raise ValueError("an empty token cannot be stored")
        register_secret(token)
        self._run(lambda kr: kr.set_password(SERVICE, connection, token))
        with self._lock:
            self._cache[connection] = token

    def delete(self, connection: str) -> bool:
        """Delete the token of a connection; False if there was none."""

        def delete(kr: KeyringBackend) -> bool:
            import keyring.errors  # noqa: PLC0415 (see the module's note)

            try:
                kr.delete_password(SERVICE, connection)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        deleted = self._run(delete)
        with self._lock:
            self._cache.pop(connection, None)
        # The token stays registered for redaction: another connection may share it, and
        # redacting a retired token costs nothing.
        return deleted

    # -- asynchronous API (the window's event loop never blocks on the keyring) ----------

    async def aget(self, connection: str) -> str | None:
        """`get` without blocking the event loop."""
        with self._lock:
            if connection in self._cache:
                return self._cache[connection]
        return await asyncio.to_thread(self.get, connection)

    async def aset(self, connection: str, token: str) -> None:
        """`set` without blocking the event loop."""
        await asyncio.to_thread(self.set, connection, token)

    async def adelete(self, connection: str) -> bool:
        """`delete` without blocking the event loop."""
        return await asyncio.to_thread(self.delete, connection)

    # -- plumbing -----------------------------------------------------------------------

    def _keyring(self) -> KeyringBackend:
        import keyring  # noqa: PLC0415 (see the module's note)

        backend = self._backend if self._backend is not None else keyring.get_keyring()
        if _is_fail_backend(backend):
            raise KeyringUnavailable()
        return backend

    def _run(self, call: Callable[[KeyringBackend], T]) -> T:
        import keyring.errors  # noqa: PLC0415 (see the module's note)

        future: Future[T] = Future()

        def work() -> None:
            try:
                future.set_result(call(self._keyring()))
            except BaseException as exc:
                future.set_exception(exc)

        # A daemon thread: a keyring that never answers must not keep the app from exiting.
        threading.Thread(target=work, name="keyring-call", daemon=True).start()
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            raise KeyringTimeout(self._timeout) from None
        except keyring.errors.KeyringLocked:
            raise KeyringLocked() from None
        except keyring.errors.NoKeyringError as exc:
            raise KeyringUnavailable(_first_line(exc)) from None
        except keyring.errors.InitError as exc:
            raise KeyringUnavailable(_first_line(exc)) from None
        except keyring.errors.KeyringError as exc:
            # A backend may quote what it was given: the token is registered before any call,
            # so redact() takes it out of the message.
            raise KeychainError(
                f"the OS keyring refused the request: {redact(_first_line(exc))}"
            ) from None


def _is_fail_backend(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail  # noqa: PLC0415 (see the module's note)

    if isinstance(backend, fail.Keyring):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not backend.backends


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
