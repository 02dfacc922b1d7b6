"""`renderctl engine`: the local render pool without the window."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from typing import TextIO

from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.services.context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `engine` command."""
    engine = commands.add_parser(
        "engine", help="run the local render engine headless (Ctrl+C stops it)"
    )
    engine.add_argument(
        "-c",
        "--connection",
        default="local",
        metavar="NAME",
        help="the local connection to run (default: local)",
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


def _engine(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    connection = ctx.connections.get(args.connection)
    if connection.kind is not BackendKind.LOCAL:
        raise BadInput(f"{connection.name} is a {connection.kind.value} connection, not local")
    return asyncio.run(_run(ctx, connection.name, args, out))


async def _run(ctx: AppContext, name: str, args: argparse.Namespace, out: TextIO) -> int:
    connection = ctx.connections.get(name)
    pool = RenderPool(ctx.db, ctx.home, connection, command=" ".join(["renderctl", *sys.argv[1:]]))
    loop = asyncio.get_running_loop()
    if sys.platform != "win32":
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(
                sig, lambda: asyncio.ensure_future(pool.stop(leave_running=args.leave_running))
            )
    seq = ctx.jobs.changed_since(0).seq
    reporter = _Reporter(ctx, seq, out)
    ticker = asyncio.ensure_future(reporter.follow())
    print(f"engine {connection.name}: {pool.concurrency} render(s) at a time", file=out, flush=True)
    try:
        await pool.run(until_idle=args.until_idle)
    finally:
        ticker.cancel()
        reporter.report()  # the last changes, written as the pool wound down
    # With --until-idle the exit code tells a script whether this run's jobs all finished.
    ended = [j for j in ctx.jobs.changed_since(seq).jobs if j.connection == name]
    failed = [j for j in ended if j.status in (JobStatus.FAILED, JobStatus.CANCELLED)]
    return EXIT_FAILED if args.until_idle and failed else EXIT_OK


class _Reporter:
    """Prints each job's status changes as they land in the store."""

    def __init__(self, ctx: AppContext, seq: int, out: TextIO) -> None:
        self._ctx = ctx
        self._seq = seq
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
            if self._seen.get(job.id) != job.raw_status:
                self._seen[job.id] = job.raw_status
                detail = job.error or job.output or ""
                line = f"{job.id}  {job.raw_status:<11} {job.name}  {detail}"
                print(line.rstrip(), file=self._out, flush=True)

    async def follow(self) -> None:
        while True:
            await asyncio.to_thread(self.report)
            await asyncio.sleep(0.5)
