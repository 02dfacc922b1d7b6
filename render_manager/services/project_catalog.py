"""After Effects projects read for the window: off the event loop, once per version of a file.

Reading a large .aep takes long enough to freeze a window (py-aep is pure Python), so the
reader runs in a worker thread (`asyncio.to_thread`) and the event loop stays free. What
was read is kept by (path, mtime_ns, size): choosing the same project again, in the same
dialog or the next one, shows it at once, and a project saved again meanwhile is read
again. Two requests for the same file while it is being read share one read.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from render_manager.projects import ProjectInfo, ProjectUnreadable, read_project

# (absolute path, mtime_ns, size): one version of one file.
_Key = tuple[str, int, int]

# Projects kept in memory: a dialog uses one or two; a few dozen is plenty and bounded.
_KEPT = 32


class ProjectCatalog:
    """Projects read off the event loop and kept by file version.

    `read` is the reader (the project reader by default; tests may slow it down).
    """

    def __init__(self, read: Callable[[Path], ProjectInfo] = read_project) -> None:
        self._read = read
        self._kept: OrderedDict[_Key, ProjectInfo | ProjectUnreadable] = OrderedDict()
        self._reading: dict[_Key, asyncio.Future[ProjectInfo | ProjectUnreadable]] = {}

    async def read(self, path: Path | str) -> ProjectInfo:
        """The project at `path`; raises `ProjectUnreadable` (the file and what is wrong)."""
        path = Path(path)
        key = await asyncio.to_thread(_version_of, path)
        if key is None:
            # Missing or unreadable file: the reader's own message says which and why.
            found = await asyncio.to_thread(self._read_or_error, path)
        else:
            found = await self._kept_or_read(key, path)
        if isinstance(found, ProjectUnreadable):
            raise found
        return found

    def kept(self, path: Path | str) -> ProjectInfo | None:
        """The project already read from this path, if any version of it was (no disk)."""
        absolute = os.path.abspath(path)
        for key in reversed(self._kept):
            found = self._kept[key]
            if key[0] == absolute and isinstance(found, ProjectInfo):
                return found
        return None

    async def _kept_or_read(self, key: _Key, path: Path) -> ProjectInfo | ProjectUnreadable:
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(asyncio.to_thread(self._read_or_error, path))
            self._reading[key] = reading
            # Kept when the read ends, even if the one who asked has stopped waiting.
            reading.add_done_callback(lambda done: self._settle(key, done))
        # A caller cancelled (a dialog closed) stops waiting; the read goes on for the others.
        return await asyncio.shield(reading)

    def _settle(self, key: _Key, done: asyncio.Future[ProjectInfo | ProjectUnreadable]) -> None:
        self._reading.pop(key, None)
        if not done.cancelled() and done.exception() is None:
            self._keep(key, done.result())

    def _keep(self, key: _Key, found: ProjectInfo | ProjectUnreadable) -> None:
        self._kept[key] = found
        while len(self._kept) > _KEPT:
            self._kept.popitem(last=False)

    def _read_or_error(self, path: Path) -> ProjectInfo | ProjectUnreadable:
        try:
            return self._read(path)
        except ProjectUnreadable as exc:
            return exc


def _version_of(path: Path) -> _Key | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
