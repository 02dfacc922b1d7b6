"""The local render pool: N jobs at a time from the store's queue, with cancel and recovery.

The queue lives in the store, so jobs submitted or cancelled by other processes (the window,
`renderctl`) are picked up on the next tick; only the process holding the home's engine lock
starts renders.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path

import psutil

from render_manager.domain.connection import Connection
from render_manager.domain.local_job_rules import LocalJobType
from render_manager.engine.job_runner import LOG_NAME, JobRunner, RunnerContext
from render_manager.engine.processes import ProcessIdentity, find_render_in
from render_manager.store.database import Database
from render_manager.store.engine_lock import EngineLock
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import LocalJobRecord
from render_manager.store.write_group import WriteGroup

log = logging.getLogger(__name__)

# How often the queue and cancel requests written by other processes are looked at: two
# indexed queries, so an idle engine costs next to nothing.
POLL_INTERVAL_S = 0.5
# A timer may fire this much before its time; the poll counts as due then.
_TIMER_SLACK_S = 0.001


def default_concurrency() -> int:
    """Renders at once when the connection does not say.

    After Effects 2022+ already spreads one render over many cores (multi-frame rendering),
    so, like BG Renderer MAX's guidance, allow one render per 8 cores and per 16 GB of RAM.
    """
    cores = os.cpu_count() or 1
    ram_gb = psutil.virtual_memory().total / 1024**3
    return max(1, min(cores // 8, int(ram_gb // 16), 8))


class RenderPool:
    """Runs one local connection's queue."""

    def __init__(
        self,
        db: Database,
        home: Path,
        connection: Connection,
        *,
        command: str,
        poll_interval: float = POLL_INTERVAL_S,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        # The pool is the only writer of its jobs' progress and outcomes: those are grouped
        # into few commits; claims and PIDs still commit before the render goes on.
        notify = on_change or (lambda: None)
        self._repo = LocalJobRepository(db, WriteGroup(db, on_flush=notify))
        self._home = home
        self._connection = connection
        self._lock = EngineLock(home, command, connection.name)
        self._poll_interval = poll_interval
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._runners: dict[str, JobRunner] = {}
        self._wake = asyncio.Event()
        self._look_now = True  # cancel requests: look at the next turn, not at the next poll
        self._stopping = False
        self._ctx = RunnerContext(
            repo=self._repo,
            home=home,
            connection=connection,
            on_change=notify,
        )
        self.concurrency = connection.concurrency or default_concurrency()

    @property
    def running_count(self) -> int:
        """How many renders this pool runs right now."""
        return len(self._tasks)

    def wake(self) -> None:
        """Look at the queue now rather than at the next tick (after a submit or cancel)."""
        self._look_now = True
        self._wake.set()

    def acquire(self) -> None:
        """Take the home's engine lock now; raises EngineBusy naming the process holding it."""
        self._lock.acquire()

    async def run(self, *, until_idle: bool = False) -> None:
        """Run until stopped (or, with until_idle, until nothing is queued or running).

        Raises EngineBusy if another process runs this home's engine.
        """
        self._lock.acquire()  # no-op when `acquire` was called already
        try:
            self._recover()
            loop = asyncio.get_running_loop()
            next_poll = loop.time()
            while not self._stopping:
                self._start_queued()
                # A render ending turns the loop too; cancel requests other processes wrote
                # are only looked for once per poll interval (or when woken for a cancel).
                if self._look_now or loop.time() >= next_poll - _TIMER_SLACK_S:
                    self._look_now = False
                    next_poll = loop.time() + self._poll_interval
                    await self._apply_cancel_requests()
                if until_idle and not self._tasks and self._nothing_to_start():
                    break
                self._wake.clear()
                woken = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait(
                    [woken, *self._tasks.values()],
                    timeout=max(0.0, next_poll - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                woken.cancel()
        finally:
            try:
                await self._shutdown()
            finally:
                # Everything recorded is on disk before the next engine may take over.
                self._repo.flush()
                self._lock.release()

    async def stop(self, *, leave_running: bool = False) -> None:
        """Stop the pool: end the renders, or leave them running to be re-adopted later."""
        for runner in self._runners.values():
            runner.detach_on_stop = leave_running
        self._stopping = True
        self._wake.set()

    # -- internals -------------------------------------------------------------------------

    def _recover(self) -> None:
        for record in self._repo.active(self._connection.name):
            identity = (
                ProcessIdentity(record.pid, record.pid_started_at)
                if record.pid is not None and record.pid_started_at is not None
                else self._unrecorded_render(record)
            )
            alive = identity is not None and identity.is_alive()
            log.info("recovering job %s (process %s)", record.job.id, "alive" if alive else "gone")
            self._launch(record, adopt=identity if alive else None, recovered=True)

    def _unrecorded_render(self, record: LocalJobRecord) -> ProcessIdentity | None:
        # The claim is on disk before a render's process exists, its PID a moment after
        # the process started: an engine killed in between left a render nobody recorded.
        started = record.job.started_at
        if record.job_type is not LocalJobType.RENDER or started is None:
            return None
        identity = find_render_in(Path(record.work_dir), started_after=started.timestamp())
        if identity is not None:
            # Recorded now, so that the job is found by its PID should this engine die too.
            log_path = Path(record.work_dir) / LOG_NAME
            self._repo.start_render(record.job.id, identity.pid, identity.started_at, str(log_path))
            log.info(
                "job %s: found its render (process %s) by its folder", record.job.id, identity.pid
            )
        return identity

    def _nothing_to_start(self) -> bool:
        # A paused queue has nothing to start, whatever waits in it.
        name = self._connection.name
        return not self._repo.queued(name, 1) or self._repo.is_paused(name)

    def _start_queued(self) -> None:
        free = self.concurrency - len(self._tasks)
        if free <= 0 or self._stopping:
            return
        # One transaction claims them all (and commits what the runners deferred).
        claimed = self._repo.claim_queued(self._connection.name, free, skip=self._tasks.keys())
        for record in claimed:
            self._launch(record, adopt=None, recovered=False)
        if claimed:
            self._ctx.on_change()

    def _launch(
        self, record: LocalJobRecord, *, adopt: ProcessIdentity | None, recovered: bool
    ) -> None:
        runner = JobRunner(self._ctx, record)
        task = asyncio.create_task(
            runner.run(adopt=adopt, recovered=recovered), name=f"render:{record.job.id}"
        )
        self._tasks[record.job.id] = task
        self._runners[record.job.id] = runner
        task.add_done_callback(functools.partial(self._on_done, record.job.id))

    def _on_done(self, job_id: str, task: asyncio.Task[None]) -> None:
        # A retried job may already run again under the same id: forget only this run.
        if self._tasks.get(job_id) is task:
            del self._tasks[job_id]
            self._runners.pop(job_id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # A runner records its own failures; reaching here is a bug, and it must not
            # take the pool down with it.
            log.error("job %s: runner crashed", job_id, exc_info=exc)
        self._ctx.on_change()
        self._wake.set()

    async def _apply_cancel_requests(self) -> None:
        for job_id in self._repo.cancel_requests(self._connection.name):
            runner = self._runners.get(job_id)
            if runner is not None:
                await runner.cancel()
        # A pause with "stop running renders": stop them, the jobs go back unattempted.
        for job_id, to in self._repo.stop_requests(self._connection.name):
            runner = self._runners.get(job_id)
            if runner is not None:
                await runner.hold(to)

    async def _shutdown(self) -> None:
        runners = list(self._runners.values())
        for runner in runners:
            await runner.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
