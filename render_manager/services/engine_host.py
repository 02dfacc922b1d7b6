"""Running the local engines inside a long-lived process (the window, `renderctl engine`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from render_manager.domain.status import BackendKind
from render_manager.engine.pool import RenderPool
from render_manager.services.context import AppContext
from render_manager.store.engine_lock import EngineBusy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EngineState:
    """Whether this process renders a connection's queue, and if not, who does."""

    connection: str
    running_here: bool
    message: str


class EngineHost:
    """Starts a render pool for each local connection, unless another process runs it."""

    def __init__(
        self, ctx: AppContext, *, command: str, on_change: Callable[[], None] | None = None
    ) -> None:
        self._ctx = ctx
        self._command = command
        self._on_change = on_change
        self._pools: dict[str, RenderPool] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.states: dict[str, EngineState] = {}

    async def start(self) -> list[EngineState]:
        """Start the pools; a home whose engine runs elsewhere is reported, not an error."""
        connections = await asyncio.to_thread(self._ctx.connections.list)
        for connection in connections:
            if connection.kind is not BackendKind.LOCAL or connection.name in self._pools:
                continue
            pool = RenderPool(
                self._ctx.db,
                self._ctx.home,
                connection,
                command=self._command,
                on_change=self._on_change,
            )
            try:
                pool.acquire()
            except EngineBusy as busy:
                who = busy.holder.describe() if busy.holder else "another process"
                self.states[connection.name] = EngineState(
                    connection.name, False, f"local renders run in {who}"
                )
                continue
            task = asyncio.create_task(pool.run(), name=f"engine:{connection.name}")
            self._pools[connection.name] = pool
            self._tasks[connection.name] = task
            task.add_done_callback(self._on_pool_done)
            self.states[connection.name] = EngineState(
                connection.name, True, f"rendering {pool.concurrency} at a time"
            )
        return list(self.states.values())

    def pool(self, connection: str) -> RenderPool | None:
        """The pool of a connection, if this process runs it."""
        return self._pools.get(connection)

    def running_count(self) -> int:
        """How many local renders this process runs right now."""
        return sum(pool.running_count for pool in self._pools.values())

    def wake(self) -> None:
        """Make every pool look at its queue and cancel requests now."""
        for pool in self._pools.values():
            pool.wake()

    async def stop(self, *, leave_running: bool = False) -> None:
        """Stop every pool: renders are ended (and requeued) or left to be re-adopted."""
        for pool in self._pools.values():
            await pool.stop(leave_running=leave_running)
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._pools.clear()
        self._tasks.clear()

    def _on_pool_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("a render pool stopped unexpectedly", exc_info=exc)
