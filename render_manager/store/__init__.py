"""SQLite persistence of connections, jobs, batches and the event log."""

from render_manager.store.database import Database, open_store
from render_manager.store.errors import (
    ConnectionExists,
    ConnectionInUse,
    DatabaseCorrupt,
    DatabaseTooNew,
    StoreError,
    UnknownConnection,
)

__all__ = [
    "ConnectionExists",
    "ConnectionInUse",
    "Database",
    "DatabaseCorrupt",
    "DatabaseTooNew",
    "StoreError",
    "UnknownConnection",
    "open_store",
]
