"""Footage URLs downloaded once per batch, however many of its jobs use them.

The pool's runners share one `DownloadCache`. The first job that needs a URL downloads it
into `<home>/downloads/<batch>/`; jobs of the same batch that need it meanwhile wait for
that one download, and later ones find the file. Each job then copies the file into its
own folder, so a job folder stays whole on its own. A failed download fails every job
waiting on it with the reason; a later job tries again.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from render_manager.engine.staging import stage


class DownloadCache:
    """One download per distinct (batch, URL) at a time, shared by a pool's runners."""

    def __init__(self) -> None:
        self._pending: dict[Path, asyncio.Future[Path]] = {}

    async def fetch(self, url: str, folder: Path, name: str) -> Path:
        """The file `url` downloads to under `folder` (named `name`), downloaded if needed.

        Raises `StagingError` with the reason when the download fails.
        """
        # The URL's hash keeps two URLs ending in the same file name apart.
        dest = folder / hashlib.sha256(url.encode()).hexdigest()[:16] / name
        if dest.is_file():
            return dest
        pending = self._pending.get(dest)
        if pending is None:
            pending = asyncio.ensure_future(stage(url, dest))
            self._pending[dest] = pending
            pending.add_done_callback(lambda done: self._settled(dest, done))
        # Shielded: a job cancelled while waiting does not cancel the others' download.
        return await asyncio.shield(pending)

    def _settled(self, dest: Path, done: asyncio.Future[Path]) -> None:
        self._pending.pop(dest, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every waiter was cancelled
