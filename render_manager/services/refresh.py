"""Refreshing remote connections on a timer that adapts to what is going on.

About every 2 s while something renders, slower when idle, never faster than once a second
(Rendley asks for that); after an error it backs off and always recovers by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from render_manager.backends.errors import BackendError

if TYPE_CHECKING:
    # Types only: the window reads Cadence at start-up, before the HTTP stack is loaded.
    from render_manager.services.job_service import JobService, RefreshReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often to refresh."""

    active_s: float = 2.0
    idle_s: float = 15.0
    minimum_s: float = 1.0
    max_backoff_s: float = 120.0

    def next_delay(self, report: RefreshReport | None, failures: int) -> float:
        """Seconds until the next refresh after a success (report) or the n-th failure."""
        if failures:
            delay = min(self.max_backoff_s, self.active_s * 2.0**failures)
        elif report is not None and report.active:
            delay = self.active_s
        else:
            delay = self.idle_s
        return max(self.minimum_s, delay)


class RefreshScheduler:
    """One refresh loop per remote connection, on the running asyncio loop."""

    def __init__(
        self,
        service: JobService,
        *,
        cadence: Cadence = Cadence(),
        on_report: Callable[[RefreshReport], None] | None = None,
        on_error: Callable[[str, BackendError], None] | None = None,
    ) -> None:
        self._service = service
        self._cadence = cadence
        self._on_report = on_report
        self._on_error = on_error
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wake: dict[str, asyncio.Event] = {}

    def start(self, names: list[str]) -> None:
        """Refresh these connections until stopped."""
        for name in names:
            if name not in self._tasks:
                self._wake[name] = asyncio.Event()
                self._tasks[name] = asyncio.create_task(self._loop(name), name=f"refresh:{name}")

    @property
    def cadence(self) -> Cadence:
        """How often connections are refreshed."""
        return self._cadence

    def set_cadence(self, cadence: Cadence) -> None:
        """Refresh at a new pace, starting now."""
        self._cadence = cadence
        self.force()

    def sync(self, names: list[str]) -> None:
        """Refresh exactly these connections: start new ones, stop those no longer listed."""
        for name in set(self._tasks) - set(names):
            self._tasks.pop(name).cancel()
            self._wake.pop(name, None)
        self.start(names)

    def force(self) -> None:
        """Refresh every connection now (F5), still no faster than the minimum interval."""
        for event in self._wake.values():
            event.set()

    async def stop(self) -> None:
        """Stop every loop."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()

    async def _loop(self, name: str) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            report: RefreshReport | None = None
            try:
                report = await self._service.refresh(name)
                failures = 0
                if self._on_report:
                    self._on_report(report)
            except BackendError as exc:
                failures += 1
                log.warning("refresh of %s failed (%d in a row): %s", name, failures, exc)
                if self._on_error:
                    self._on_error(name, exc)
            except Exception:
                # A bug must not end refreshing for good: log it and keep going.
                failures += 1
                log.exception("refresh of %s crashed", name)
            delay = self._cadence.next_delay(report, failures)
            wake = self._wake[name]
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), delay)
            # Even a forced refresh waits out the minimum interval since the last one.
            rest = self._cadence.minimum_s - (loop.time() - started)
            if rest > 0:
                await asyncio.sleep(rest)
