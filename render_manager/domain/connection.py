"""Connections: where jobs run, and their non-secret settings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from render_manager.domain.engine_settings import EngineSettings
from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind

DEFAULT_URLS: dict[BackendKind, str] = {
    BackendKind.NEXRENDER_CLOUD: "https://api.nexrender.com/api/v2",
    BackendKind.RENDLEY: "https://api.rendley.com",
}

# Names appear as keyring usernames and in shell commands: keep them plain.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

MAX_CONCURRENCY = 64


@dataclass(frozen=True, slots=True)
class Connection:
    """A named back-end. Its token, if any, lives in the OS keyring under the same name."""

    name: str
    kind: BackendKind
    url: str | None = None
    aerender: str | None = None
    concurrency: int | None = None
    extra_args: tuple[str, ...] = field(default=())
    engine: EngineSettings = field(default_factory=EngineSettings)
    # Nexrender Cloud only: also show the team's jobs created elsewhere (the web app,
    # scripts, colleagues), not just those this app submitted.
    team_view: bool = False

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise DomainError(
                f"connection name {self.name!r} is not valid: use 1-64 letters, digits, "
                "'.', '_' or '-', starting with a letter or digit"
            )
        if self.url is not None:
            _check_url(self.url)
        elif self.kind.needs_url:
            raise DomainError(f"a {self.kind.value} connection needs a URL (the server's address)")
        if self.kind is not BackendKind.LOCAL:
            if self.aerender is not None:
                raise DomainError("--aerender applies only to local connections")
            if self.concurrency is not None:
                raise DomainError("--concurrency applies only to local connections")
            if self.extra_args:
                raise DomainError("aerender arguments apply only to local connections")
            if self.engine != EngineSettings():
                raise DomainError("engine settings apply only to local connections")
        elif self.url is not None:
            raise DomainError("a local connection has no URL")
        if self.team_view and self.kind is not BackendKind.NEXRENDER_CLOUD:
            raise DomainError("the team view applies only to nexrender-cloud connections")
        if self.concurrency is not None and not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise DomainError(
                f"concurrency must be between 1 and {MAX_CONCURRENCY}, got {self.concurrency}"
            )

    @property
    def effective_url(self) -> str | None:
        """The URL requests go to: the override, or the vendor's default."""
        return self.url or DEFAULT_URLS.get(self.kind)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parses the port, raising ValueError when it is not a number
    except ValueError as exc:
        raise DomainError(f"URL {url!r} is not valid: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(f"URL {url!r} is not valid: expected http(s)://host[:port][/path]")
    if parts.username or parts.password:
        # A URL is stored in plain text; credentials belong in the keyring.
        raise DomainError("the URL must not contain a user name or password")
