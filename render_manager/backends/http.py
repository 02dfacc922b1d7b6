"""The HTTP layer every remote back-end shares: one client, auth, retries and error mapping.

Retries happen only where repeating is safe (reads and cancels). A request whose outcome
is unknown (a POST that timed out) is never simply sent again: the back-end reconciles
against the server's own list first.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from render_manager import __version__
from render_manager.backends.errors import (
    BadRequest,
    BadResponse,
    JobGone,
    NoCredits,
    NotAllowed,
    TokenRejected,
    Unavailable,
)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = f"render-manager/{__version__}"

TokenSource = Callable[[], Awaitable[str | None]]


class TokenAuth(httpx.Auth):
    """Puts the connection's token in a header; the token is read from the keyring lazily."""

    def __init__(self, token: str | None, header: str = "Authorization", scheme: str = "Bearer"):
        self._token = token
        self._header = header
        self._scheme = scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token:
            value = f"{self._scheme} {self._token}" if self._scheme else self._token
            request.headers[self._header] = value
        yield request


def make_client(
    base_url: str,
    auth: httpx.Auth | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.AsyncClient:
    """The one long-lived client of a connection."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/",
        auth=auth,
        transport=transport,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a safe request is repeated."""

    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients do not retry in step."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2**attempt))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not security


NO_RETRY = RetryPolicy(attempts=1)


class Http:
    """Requests for one connection, with its name in every error message."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        connection: str,
        *,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.connection = connection
        self._retry = retry
        self._sleep = sleep
        self.requests = 0

    async def request(
        self,
        method: str,
        url: str,
        *,
        safe: bool,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        not_found_ok: bool = False,
    ) -> httpx.Response:
        """Send a request; retry it only if `safe`. Maps error statuses to BackendErrors.

        With not_found_ok, a 404 response is returned instead of raising JobGone.
        """
        policy = self._retry if safe else NO_RETRY
        last: str = ""
        for attempt in range(policy.attempts):
            self.requests += 1
            try:
                response = await self.client.request(method, url, params=params, json=json_body)
            except httpx.TimeoutException:
                last = "timed out"
            except httpx.TransportError as exc:
                last = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    last = _status_text(response)
                    wait = _retry_after(response)
                    if attempt + 1 < policy.attempts:
                        await self._sleep(wait if wait is not None else policy.delay(attempt))
                        continue
                    break
                if response.status_code == 404 and not_found_ok:
                    return response
                self._raise_for_status(response)
                return response
            if attempt + 1 < policy.attempts:
                await self._sleep(policy.delay(attempt))
        raise Unavailable(f"{self.connection}: {method} {url} failed: {last}")

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        message = server_message(response)
        if status == 401:
            raise TokenRejected(self.connection)
        if status == 402:
            raise NoCredits(f"{self.connection}: not enough credits: {message}")
        if status == 403:
            raise NotAllowed(f"{self.connection}: not allowed by your plan or token: {message}")
        if status == 404:
            raise JobGone(f"{self.connection}: not found: {message}")
        raise BadRequest(f"{self.connection}: the server refused the request: {message}")

    async def json(self, method: str, url: str, *, safe: bool, **kwargs: Any) -> Any:
        """A request whose answer must be JSON."""
        response = await self.request(method, url, safe=safe, **kwargs)
        return parse_json(response, self.connection)


def parse_json(response: httpx.Response, connection: str) -> Any:
    """The response body as JSON, or BadResponse saying what came back instead."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        preview = response.text[:120].strip() or "an empty body"
        raise BadResponse(
            f"{connection}: expected JSON from {response.request.url.path}, got {preview!r}"
        ) from None


def server_message(response: httpx.Response) -> str:
    """The server's own error message, from a JSON envelope or a plain-text body."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip()
        # Plain-text errors (the nexrender server sends stack traces): the first line says it.
        return text.splitlines()[0][:300] if text else _status_text(response)
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "errors"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value[:300]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])[:300]
    return _status_text(response)


def _status_text(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), 300.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), 300.0))
