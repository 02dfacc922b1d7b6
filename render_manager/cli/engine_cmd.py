"""`renderctl engine`: the local render pools without the window, one per local connection."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from typing import TextIO

from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.store.engine_lock import EngineBusy


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `engine` command."""
    engine = commands.add_parser(
        "engine", help="run the local render engine headless (Ctrl+C stops it)"
    )
    engine.add_argument(
        "-c",
        "--connection",
        metavar="NAME",
        help="run only this local connection's queue (default: every local connection)",
    )
    engine.add_argument(
        "--until-idle", action="store_true", help="exit once nothing is queued or rendering"
    )
    engine.add_argument(
        "--leave-running",
        action="store_true",
        help="on Ctrl+C, leave renders running for the next engine to re-adopt",
    )
    engine.set_defaults(handler=_engine)


def _engine(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    if args.connection is not None:
        connection = ctx.connections.get(args.connection)
        if connection.kind is not BackendKind.LOCAL:
            raise BadInput(f"{connection.name} is a {connection.kind.value} connection, not local")
        connections = [connection]
    else:
        connections = [c for c in ctx.connections.list() if c.kind is BackendKind.LOCAL]
        if not connections:
            raise BadInput(
                "this home has no local connection: add one with "
                "`renderctl connection add NAME --kind local`"
            )
    return asyncio.run(_run(ctx, connections, args, out))


def _acquire(ctx: AppContext, connections: list[Connection]) -> dict[str, RenderPool]:
    """A pool for each connection whose engine lock is free; the others are noted on stderr.

    Raises EngineBusy when not one of them could be taken (a single connection's message is
    the whole story; several are summed up).
    """
    command = " ".join(["renderctl", *sys.argv[1:]])
    pools: dict[str, RenderPool] = {}
    busy: list[EngineBusy] = []
    for connection in connections:
        pool = RenderPool(ctx.db, ctx.home, connection, command=command)
        try:
            pool.acquire()
        except EngineBusy as exc:
            busy.append(exc)
            if len(connections) > 1:
                print(f"engine {connection.name}: not started: {exc}", file=sys.stderr)
            continue
        pools[connection.name] = pool
    if not pools:
        if len(busy) == 1:
            raise busy[0]
        raise CliError("every local connection's engine already runs in another process")
    return pools


async def _run(
    ctx: AppContext, connections: list[Connection], args: argparse.Namespace, out: TextIO
) -> int:
    pools = _acquire(ctx, connections)
    names = set(pools)

    stopping: list[asyncio.Task[None]] = []

    def stop_all() -> None:
        stopping.extend(
            asyncio.create_task(pool.stop(leave_running=args.leave_running))
            for pool in pools.values()
        )

    loop = asyncio.get_running_loop()
    if sys.platform != "win32":
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop_all)
    seq = ctx.jobs.changed_since(0).seq
    reporter = _Reporter(ctx, seq, names, out)
    ticker = asyncio.ensure_future(reporter.follow())
    for name, pool in pools.items():
        # What runs here is a diagnostic: stdout carries the jobs' status lines only.
        print(
            f"engine {name}: {pool.concurrency} render(s) at a time",
            file=sys.stderr,
            flush=True,
        )
    try:
        # Each connection keeps its own lock, queue and concurrency; one process runs them all.
        await asyncio.gather(*(pool.run(until_idle=args.until_idle) for pool in pools.values()))
    finally:
        ticker.cancel()
        reporter.report()  # the last changes, written as the pools wound down
    # With --until-idle the exit code tells a script whether this run's jobs all finished.
    ended = [j for j in ctx.jobs.changed_since(seq).jobs if j.connection in names]
    failed = [j for j in ended if j.status in (JobStatus.FAILED, JobStatus.CANCELLED)]
    return EXIT_FAILED if args.until_idle and failed else EXIT_OK


class _Reporter:
    """Prints each job's status changes as they land in the store."""

    def __init__(self, ctx: AppContext, seq: int, connections: set[str], out: TextIO) -> None:
        self._ctx = ctx
        self._seq = seq
        self._connections = connections
        self._out = out
        self._seen: dict[str, str] = {}
        # The timer reports from a worker thread; the last report comes from the main one.
        self._lock = threading.Lock()

    def report(self) -> None:
        with self._lock:
            self._report()

    def _report(self) -> None:
        changes = self._ctx.jobs.changed_since(self._seq)
        self._seq = changes.seq
        for job in changes.jobs:
            if job.connection not in self._connections:
                continue
            if self._seen.get(job.id) != job.raw_status:
                self._seen[job.id] = job.raw_status
                detail = job.error or job.output or ""
                line = f"{job.id}  {job.raw_status:<11} {job.name}  {detail}"
                print(line.rstrip(), file=self._out, flush=True)

    async def follow(self) -> None:
        while True:
            await asyncio.to_thread(self.report)
            await asyncio.sleep(0.5)
