"""`renderctl pause (-c NAME | JOB_ID... | --batch ID) [--stop-running] [--json]`, and
`renderctl resume (-c NAME | JOB_ID... | --batch ID) [--json]`.

Exit status: 0 when every job asked about was paused (resumed), or the connection's queue
is paused (running) now, also when it was so already (a note on stderr); 1 when any job
was skipped (each reason on stderr, and in the JSON), a running render's stop was not
confirmed, or the connection's service has no pause (one line on stderr); 2 for bad input
(an unknown connection or batch, no target).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.domain.job import Job
from render_manager.domain.results import PauseSummary
from render_manager.services.app_services import AppServices
from render_manager.services.pause import PauseUnavailable
from render_manager.services.pause_plan import batch_pause_targets, batch_resume_targets


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the pause and resume commands."""
    pause = commands.add_parser(
        "pause",
        help="hold queued jobs, or a local connection's whole queue, until resumed",
        description=(
            "Pause jobs (never started until resumed) or a local connection's queue (its "
            "engine starts no new render; running renders carry on unless --stop-running). "
            "Services without a pause (Nexrender Cloud, Rendley, a nexrender server) "
            "refuse. Exit 0 when everything asked about is paused, 1 when anything was not."
        ),
    )
    _targets(pause)
    pause.add_argument(
        "--stop-running",
        action="store_true",
        help="also stop running renders: they go back to the queue (a paused job is held), "
        "their run not counted as an attempt",
    )
    pause.set_defaults(handler=_pause)
    resume = commands.add_parser(
        "resume",
        help="put paused jobs back in the queue, or let a paused connection start renders",
        description=(
            "Resume paused jobs (back in the queue, in their old places) or a paused "
            "connection's queue. Exit 0 when everything asked about is resumed, 1 when "
            "anything was not."
        ),
    )
    _targets(resume)
    resume.set_defaults(handler=_resume)


def _targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="JOB_ID")
    parser.add_argument("-c", "--connection", metavar="NAME", help="a local connection's queue")
    parser.add_argument("--batch", metavar="ID", help="the batch's jobs")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _pause(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    stop = bool(args.stop_running)
    if args.connection:
        return _run(services, args, out, lambda: _connection(services, args.connection, stop))
    ids = _job_ids(services, args, lambda b, jobs: batch_pause_targets(b, jobs, stop_running=stop))
    return _run(services, args, out, lambda: services.pause(ids, stop_running=stop))


def _resume(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    if args.connection:
        return _run(services, args, out, lambda: services.resume_connection(args.connection))
    ids = _job_ids(services, args, batch_resume_targets)
    return _run(services, args, out, lambda: services.resume(ids))


async def _connection(services: AppServices, name: str, stop: bool) -> PauseSummary:
    return await services.pause_connection(name, stop_running=stop)


def _job_ids(
    services: AppServices,
    args: argparse.Namespace,
    targets: Callable[[str, list[Job]], list[Job]],
) -> list[str]:
    ctx = services.ctx
    if args.ids and args.batch:
        raise BadInput("name job ids or --batch ID, not both")
    if args.batch:
        if ctx.jobs.batch(args.batch) is None:
            raise BadInput(f"no batch with id {args.batch!r}")
        return [job.id for job in targets(args.batch, ctx.jobs.list(batch_id=args.batch))]
    if not args.ids:
        raise BadInput("name at least one job id, --batch ID or -c NAME")
    return list(args.ids)


def _run(
    services: AppServices,
    args: argparse.Namespace,
    out: TextIO,
    act: Callable[[], Awaitable[PauseSummary]],
) -> int:
    if args.connection and (args.ids or args.batch):
        raise BadInput("name -c NAME alone, without job ids or --batch")

    async def run() -> PauseSummary:
        try:
            return await act()
        finally:
            await services.aclose()

    try:
        summary = asyncio.run(run())
    except PauseUnavailable as exc:
        raise CliError(str(exc), EXIT_FAILED) from None
    _report(summary, args, out)
    return EXIT_FAILED if summary.skipped else EXIT_OK


def _report(summary: PauseSummary, args: argparse.Namespace, out: TextIO) -> None:
    verb = "paused" if summary.action == "pause" else "resumed"
    if args.json:
        json.dump(summary.to_json(), out, indent=2)
        out.write("\n")
    elif summary.connection is not None:
        state = "paused: it starts no new render" if summary.action == "pause" else "running"
        print(f"{summary.connection} {state}", file=out)
        for job_id in summary.stopped:
            print(f"stopped {job_id}: back in the queue", file=out)
    else:
        for job_id in summary.done:
            note = " (its render stopped)" if job_id in summary.stopped else ""
            print(f"{verb} {job_id}{note}", file=out)
    if summary.connection is not None and not summary.changed:
        was = "paused already" if summary.action == "pause" else "not paused"
        print(f"note: {summary.connection} was {was}", file=sys.stderr)
    if summary.connection is None and not summary.done and not summary.skipped:
        print(f"note: batch {args.batch} has no job to {summary.action}", file=sys.stderr)
    for job_id, reason in summary.skipped:
        print(f"not {verb} {job_id}: {reason}", file=sys.stderr)
