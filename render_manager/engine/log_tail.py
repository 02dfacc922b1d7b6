"""Following a render's log file as it grows.

aerender writes to a file in the job's work folder rather than to a pipe, so a restarted
engine can pick the same file up again and so a hung child holding a pipe cannot stall us.
"""

from __future__ import annotations

import time
from pathlib import Path


class LogTail:
    """Reads the bytes appended to a file since the last call."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self.last_growth = time.monotonic()

    def read_new(self, limit: int = 1 << 20) -> bytes:
        """New bytes (at most `limit`), or b"" if the file has not grown."""
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read(limit)
        except FileNotFoundError:
            return b""
        if data:
            self.offset += len(data)
            self.last_growth = time.monotonic()
        return data

    def idle_for(self) -> float:
        """Seconds since the file last grew."""
        return time.monotonic() - self.last_growth
