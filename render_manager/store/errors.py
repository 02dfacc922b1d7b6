"""Errors of the store, each with a message a user can act on."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Something is wrong with the home's database."""


class DatabaseCorrupt(StoreError):
    """The file is not a readable SQLite database. It is left untouched."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"the database {path} is damaged or is not a Render Manager database ({detail}). "
            "It was left untouched: move it aside to start a new one, or restore a backup."
        )
        self.path = path


class DatabaseTooNew(StoreError):
    """The database was written by a newer Render Manager. It is left untouched."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"the database {path} has schema version {found}, but this Render Manager "
            f"understands up to version {supported}. Upgrade Render Manager; the database "
            "was left untouched."
        )
        self.path = path
        self.found = found
        self.supported = supported


class ConnectionExists(StoreError):
    """A connection of that name is already there."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a connection named {name!r} already exists")
        self.name = name


class UnknownConnection(StoreError):
    """No connection of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no connection named {name!r}")
        self.name = name


class ConnectionInUse(StoreError):
    """The connection still has jobs that are not finished."""

    def __init__(self, name: str, active_jobs: int) -> None:
        super().__init__(
            f"connection {name!r} still has {active_jobs} unfinished job(s): "
            "cancel them or wait for them to end, or pass --force to forget them"
        )
        self.name = name
        self.active_jobs = active_jobs
