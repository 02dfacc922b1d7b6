"""Opening a home's SQLite database: WAL, foreign keys, busy timeouts and migrations."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from render_manager.home import database_path, ensure_home
from render_manager.store.errors import DatabaseCorrupt, DatabaseTooNew, StoreError
from render_manager.store.schema import MIGRATIONS, SCHEMA_VERSION

# Several processes share a home (the window, renderctl, a headless engine); transactions are
# short, so waiting this long for a lock means something is stuck, not merely busy.
BUSY_TIMEOUT_S = 15.0

_SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    """One connection to a home's database, safe to share between threads.

    Reads run in autocommit; every write goes through `write()`, one short IMMEDIATE
    transaction, so a writer never upgrades a read lock into a deadlock.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        # Write transactions begun on this connection: tells one transaction from the next.
        self.writes_begun = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for a consistent read (one snapshot for the block)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed whole at the end of the block, or rolled back."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self.writes_begun += 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_store(home: Path) -> Database:
    """Open (creating and migrating if needed) the database of a home.

    A damaged file or one from a newer version raises, and is never modified.
    """
    ensure_home(home)
    path = database_path(home)
    _check_header(path)
    try:
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,  # transactions are explicit, see Database.write
            check_same_thread=False,  # Database serializes access with its own lock
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    try:
        _prepare(conn, path)
    except BaseException:
        conn.close()
        raise
    return Database(conn, path)


def _check_header(path: Path) -> None:
    # sqlite3 happily "opens" any file and would write a journal beside it before failing;
    # reading the header first keeps a foreign file byte-for-byte untouched.
    try:
        with path.open("rb") as fh:
            header = fh.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the database {path}: {exc}") from exc
    if header and header != _SQLITE_MAGIC:
        raise DatabaseCorrupt(path, "it does not start with the SQLite header")


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    # Every check runs before the first write (WAL switch, migrations), so a damaged file
    # or somebody else's database is reported exactly as it was found.
    try:
        # One snapshot: another process may be creating the schema right now.
        conn.execute("BEGIN")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.execute("COMMIT")
        if version > SCHEMA_VERSION:
            raise DatabaseTooNew(path, version, SCHEMA_VERSION)
        if result != "ok":
            raise DatabaseCorrupt(path, result)
        if version == 0 and tables:
            raise DatabaseCorrupt(path, "it is an SQLite database of another program")
        conn.execute("PRAGMA foreign_keys = ON")
        _use_wal(conn)
        # NORMAL is durable across application crashes in WAL mode, which is what we need.
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            _migrate(conn, path)
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            # Locked is not damaged: say who is in the way, and that nothing was changed.
            raise StoreError(
                f"the database {path} is locked by another program (waited "
                f"{BUSY_TIMEOUT_S:.0f} s); close it or try again"
            ) from exc
        raise DatabaseCorrupt(path, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(path, str(exc)) from exc


def _use_wal(conn: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs it alone for a moment. When two processes open a new
    # home together SQLite answers "busy" at once, without its busy wait (waiting could
    # deadlock them): try again, as long as the busy timeout allows.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while this one waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DatabaseTooNew(path, version, SCHEMA_VERSION)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    # executescript() would COMMIT our transaction first; split on complete statements instead.
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer
