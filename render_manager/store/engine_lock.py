"""One engine per local connection of a home: an OS file lock naming the process holding it."""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

DEFAULT_CONNECTION = "local"


def lock_path(home: Path, connection: str = DEFAULT_CONNECTION) -> Path:
    """The lock file of a local connection's engine."""
    name = "engine.lock" if connection == DEFAULT_CONNECTION else f"engine-{connection}.lock"
    return home / name


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    # Lock a byte far past the content, so other processes can still read who holds it.
    _LOCK_OFFSET = 1 << 20

    def _try_lock(fh: IO[bytes]) -> bool:
        fh.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            fh.seek(0)
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(_LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class EngineHolder:
    """Who holds a home's engine."""

    pid: int
    host: str
    command: str
    since: str

    def describe(self) -> str:
        """A short human description."""
        return f"process {self.pid} ({self.command}) on {self.host}, since {self.since}"


class EngineBusy(RuntimeError):
    """Another process already runs the local engine for this home."""

    def __init__(self, home: Path, holder: EngineHolder | None) -> None:
        who = holder.describe() if holder else "another process (it did not say which)"
        super().__init__(
            f"the local engine for {home} is already running in {who}; "
            "its renders are shown here, but only that process starts new ones"
        )
        self.holder = holder


class EngineLock:
    """Held while a process runs the local engine; released on close or when it dies.

    The OS drops the lock with the process, so a crashed engine never blocks the next one.
    """

    def __init__(self, home: Path, command: str, connection: str = DEFAULT_CONNECTION) -> None:
        self._path = lock_path(home, connection)
        self._connection = connection
        self._home = home
        self._command = command
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise EngineBusy naming the holder."""
        if self._fh is not None:
            return
        fh = self._path.open("a+b")
        if not _try_lock(fh):
            fh.close()
            raise EngineBusy(self._home, read_holder(self._home, self._connection))
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self._command,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(holder).encode())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Give the lock up."""
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        fh.seek(0)
        fh.truncate()
        fh.flush()
        _unlock(fh)
        fh.close()

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fh is not None

    def __enter__(self) -> EngineLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def read_holder(home: Path, connection: str = DEFAULT_CONNECTION) -> EngineHolder | None:
    """Who last took the engine lock of a local connection (None if nobody says)."""
    try:
        data = json.loads(lock_path(home, connection).read_bytes() or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return EngineHolder(
            int(data["pid"]), str(data["host"]), str(data["command"]), str(data["since"])
        )
    except (KeyError, TypeError, ValueError):
        return None
