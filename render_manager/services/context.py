"""Everything a front end needs from one home: the store, the keyring and logging."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from render_manager.home import resolve_home
from render_manager.keychain import Keychain
from render_manager.logs import setup_logging
from render_manager.store import Database, open_store
from render_manager.store.connections import ConnectionRepository
from render_manager.store.events import EventLog
from render_manager.store.job_requests import JobRequestRepository
from render_manager.store.jobs import JobRepository


@dataclass
class AppContext:
    """An opened home. Close it when done."""

    home: Path
    db: Database
    keychain: Keychain
    log_file: Path
    connections: ConnectionRepository = field(init=False)
    jobs: JobRepository = field(init=False)
    events: EventLog = field(init=False)
    requests: JobRequestRepository = field(init=False)

    def __post_init__(self) -> None:
        self.connections = ConnectionRepository(self.db)
        self.jobs = JobRepository(self.db)
        self.events = EventLog(self.db)
        self.requests = JobRequestRepository(self.db)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_context(home: Path | str | None = None, keychain: Keychain | None = None) -> AppContext:
    """Open a home (see `resolve_home`), creating it on first use."""
    path = resolve_home(home)
    log_file = setup_logging(path)
    db = open_store(path)
    return AppContext(home=path, db=db, keychain=keychain or Keychain(), log_file=log_file)
