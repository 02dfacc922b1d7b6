""" "Test connection": one cheap request that proves the address and the token both work.

A remote connection is asked the smallest thing its API answers only to an authenticated
caller; a local one is checked for an aerender to run. Nothing is stored and nothing is
created on the back-end. The token tested may be one just typed and not yet saved.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from render_manager.backends.errors import BackendError, JobGone, TokenRejected
from render_manager.backends.factory import make_backend
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.keychain import Keychain, KeychainError
from render_manager.logs import register_secret
from render_manager.services.health import LocalReadiness, local_readiness
from render_manager.services.job_service import TransportFactory

# A Test button must answer while the user waits: the back-end's own retries and timeouts
# can add up to a minute against an address that swallows packets.
CHECK_TIMEOUT_S = 20.0

# Read to learn whether a keyring is usable at all, before the user types a token.
_KEYRING_PROBE = "render-manager-keyring-check"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Whether the connection works, in words for the user of the Connections dialog.

    `local` is what a local connection's check found for aerender (None for remote ones).
    """

    ok: bool
    message: str
    local: LocalReadiness | None = None


async def check_connection(
    connection: Connection,
    token: str | None,
    *,
    transport_for: TransportFactory | None = None,
    timeout_s: float = CHECK_TIMEOUT_S,
) -> CheckResult:
    """Try a connection with this token (None: without one); never raises for a failure."""
    if connection.kind is BackendKind.LOCAL:
        return await _check_local(connection)
    if not token and not connection.kind.token_optional:
        return CheckResult(False, f"{connection.name}: no token to test: type the API token")
    if token:
        # A token just typed is in no keyring yet: register it so no log line or message
        # of this check can show it.
        register_secret(token)
    transport = transport_for(connection) if transport_for else None
    backend = make_backend(connection, token, transport)
    try:
        # The cheapest request each API answers only when the token is right.
        await asyncio.wait_for(backend.check_access(), timeout_s)
    except TimeoutError:
        return CheckResult(
            False,
            f"{connection.name}: {connection.effective_url} did not answer within {timeout_s:g} s",
        )
    except JobGone:
        return CheckResult(
            False,
            f'{connection.name}: {connection.effective_url} answered "not found": check the '
            f"URL (it should be the {connection.kind.value} API's address)",
        )
    except TokenRejected as exc:
        # The user is in Connections, at the field to fix: say which, not where it is.
        return CheckResult(
            False,
            f"{exc.reason}. Type the right one into {connection.kind.token_field} above, "
            "test, then Save.",
        )
    except BackendError as exc:
        return CheckResult(False, str(exc))
    finally:
        await backend.aclose()
    if token:
        return CheckResult(True, f"Connected to {connection.effective_url}: token accepted")
    return CheckResult(True, f"Connected to {connection.effective_url} (no secret needed)")


async def _check_local(connection: Connection) -> CheckResult:
    # Looking through install folders touches the disk: not on the caller's thread.
    readiness = await asyncio.to_thread(local_readiness, connection)
    if readiness.path is None:
        # Said in the Connections dialog, beside the aerender field: no "in Connections".
        message = (
            f"{connection.name}: {readiness.found_text}: {readiness.reason}. "
            "Type or browse to aerender above, test, then Save."
        )
        return CheckResult(False, message, readiness)
    return CheckResult(True, readiness.found_text, readiness)


async def keyring_problem(keychain: Keychain) -> str | None:
    """Why tokens cannot be stored or read here (no keyring, locked...), or None if they can.

    Asks for an entry no connection has, on a worker thread: a keyring that is missing or
    locked says so before the user types a token into nothing.
    """
    try:
        await asyncio.to_thread(keychain.get, _KEYRING_PROBE)
    except KeychainError as exc:
        return str(exc)
    return None
