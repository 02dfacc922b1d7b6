"""Coroutines a widget runs on the event loop: kept referenced, failures logged and shown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    """The running tasks of one widget.

    asyncio keeps only weak references to tasks: one nobody holds can vanish mid-way. A
    task that fails is logged with `what` and its error handed to `on_error`, so a failure
    in a slot never passes silently.
    """

    def __init__(self, what: str, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._what = what
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` on the running loop."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def cancel_all(self) -> None:
        """Cancel every task still running (the widget is closing)."""
        for task in list(self._tasks):
            task.cancel()

    async def wait_idle(self) -> None:
        """Wait until every task, including ones started meanwhile, has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or (exc := task.exception()) is None:
            return
        log.error("%s failed", self._what, exc_info=exc)
        if self._on_error is not None:
            self._on_error(exc)
