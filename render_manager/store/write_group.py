"""Grouped commits: one process's many small writes committed together, a few at a time.

The local engine records several state changes per job (claimed, started, progress,
finished). One transaction each costs more than a trivial render itself, so the engine
gathers the changes that may wait and commits them together: at the latest
`GROUP_INTERVAL_S` after the first of them, or earlier, in the same transaction as the next
change that may not wait (a claim, a render's PID). Other processes (the window,
`renderctl`) therefore see the engine's state at most `GROUP_INTERVAL_S` late, and a
started render is still on disk before anything else happens to it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import TypeVar

from render_manager.store.database import Database

log = logging.getLogger(__name__)

# The longest a deferred change waits for its commit. Short enough that a progress bar or a
# finished job in another process does not visibly lag; long enough to gather the changes
# of several renders when renders are short.
GROUP_INTERVAL_S = 0.05

Change = Callable[[sqlite3.Connection], object]
Key = tuple[str, str]
T = TypeVar("T")


class WriteGroup:
    """The single writer of one engine: deferred changes committed together, in order.

    Changes run in the order given; a change committed with `commit` runs after every
    change deferred before it, in the same transaction. Without a running asyncio loop a
    deferred change is committed at once (nothing would ever flush it later). `on_flush`
    is called after deferred changes were committed, so that a reader told "something
    changed" (the window) reads what changed.
    """

    def __init__(
        self,
        db: Database,
        interval_s: float = GROUP_INTERVAL_S,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._interval_s = interval_s
        self._on_flush = on_flush or (lambda: None)
        self._pending: list[tuple[Key | None, Change]] = []
        self._lock = threading.Lock()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> int:
        """How many changes wait for their commit."""
        return len(self._pending)

    def defer(self, change: Change, *, replaces: Key | None = None) -> None:
        """Commit `change` within the grouping interval (or with the next `commit`).

        With `replaces`, a change still waiting under the same key is dropped: it would be
        overwritten anyway (two progress readings of one job between two commits).
        """
        with self._lock:
            if replaces is not None:
                self._pending = [(k, c) for k, c in self._pending if k != replaces]
            self._pending.append((replaces, change))
            if self._timer is not None:
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                self._timer = loop.call_later(self._interval_s, self.flush)
                return
        self.flush()

    def commit(self, change: Callable[[sqlite3.Connection], T]) -> T:
        """Commit everything deferred so far and then `change`, in one transaction."""
        with self._lock:
            pending = self._take()
            try:
                with self._db.write() as sql:
                    for earlier in pending:
                        earlier(sql)
                    result = change(sql)
            except Exception:
                if not pending:
                    raise
                # Something failed: keep the deferred changes apart from the one asked for.
                self._commit_each(pending)
                with self._db.write() as sql:
                    result = change(sql)
        if pending:
            self._on_flush()
        return result

    def flush(self) -> None:
        """Commit every deferred change now."""
        with self._lock:
            pending = self._take()
            if not pending:
                return
            try:
                with self._db.write() as sql:
                    for change in pending:
                        change(sql)
            except Exception:
                self._commit_each(pending)
        self._on_flush()

    def _take(self) -> list[Change]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        return [change for _key, change in pending]

    def _commit_each(self, changes: list[Change]) -> None:
        # One bad change (a job deleted meanwhile, a full disk) must not take the others of
        # its group with it: each gets its own transaction, and a failure is logged.
        for change in changes:
            try:
                with self._db.write() as sql:
                    change(sql)
            except Exception:
                log.exception("a deferred store change could not be committed")
