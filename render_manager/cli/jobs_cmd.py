"""`renderctl submit | jobs | show | cancel | wait`."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import TextIO

from render_manager.cli.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.cli.formatting import job_json, job_rows, print_table
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.services.context import AppContext
from render_manager.services.job_files import JobFileError, load_job_bodies
from render_manager.services.local_cancel import LocalCanceller
from render_manager.services.local_submit import LocalSubmitter
from render_manager.store.local_jobs import LocalJobRepository


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the job commands."""
    submit = commands.add_parser("submit", help="queue the jobs in a job file")
    submit.add_argument("-c", "--connection", required=True, metavar="NAME")
    submit.add_argument(
        "file", type=Path, metavar="FILE", help='one job, a JSON array of jobs, or {"jobs": [...]}'
    )
    submit.add_argument("--json", action="store_true", help="print JSON")
    submit.set_defaults(handler=_submit)

    jobs = commands.add_parser("jobs", help="list jobs")
    jobs.add_argument("-c", "--connection", metavar="NAME")
    jobs.add_argument("--status", metavar="S,S", help="only these statuses")
    jobs.add_argument("--batch", metavar="ID")
    jobs.add_argument("--json", action="store_true", help="print JSON")
    jobs.set_defaults(handler=_jobs)

    show = commands.add_parser("show", help="show one job")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)

    cancel = commands.add_parser("cancel", help="cancel jobs (running local renders are stopped)")
    cancel.add_argument("ids", nargs="*", metavar="ID")
    cancel.add_argument("--batch", metavar="ID", help="cancel every job of a batch")
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(handler=_cancel)

    wait = commands.add_parser("wait", help="wait until jobs end; exit 1 if any did not finish")
    wait.add_argument("ids", nargs="*", metavar="ID")
    wait.add_argument("--batch", metavar="ID")
    wait.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds")
    wait.add_argument("--json", action="store_true", help="print the jobs as JSON at the end")
    wait.set_defaults(handler=_wait)


def _submit(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    connection = ctx.connections.get(args.connection)
    if connection.kind is not BackendKind.LOCAL:
        raise CliError(
            f"submitting to {connection.kind.value} connections is not available yet",
            EXIT_FAILED,
        )
    try:
        bodies = load_job_bodies(args.file)
    except JobFileError as exc:
        raise BadInput(str(exc)) from None
    submitter = LocalSubmitter(ctx.jobs, LocalJobRepository(ctx.db), ctx.home, connection)
    result = submitter.submit(
        bodies, base_dir=args.file.resolve().parent, batch_name=args.file.name
    )
    if args.json:
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
    else:
        for index, job_id in result.jobs:
            print(f"queued {job_id} (row {index})", file=out)
        if result.batch_id:
            print(f"batch {result.batch_id}: {len(result.jobs)} jobs", file=out)
        for index, error in result.errors:
            print(f"row {index}: {error}", file=out)
    if result.status == "error":
        if not args.json:
            print("nothing was queued", file=out)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _statuses(text: str | None) -> list[JobStatus] | None:
    if not text:
        return None
    try:
        return [JobStatus(s.strip()) for s in text.split(",") if s.strip()]
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise BadInput(f"unknown status in {text!r}: use {known}") from None


def _jobs(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    if args.connection:
        ctx.connections.get(args.connection)
    found = ctx.jobs.list(
        connection=args.connection, statuses=_statuses(args.status), batch_id=args.batch
    )
    if args.json:
        json.dump([job_json(j) for j in found], out, indent=2)
        out.write("\n")
    else:
        print_table(job_rows(found), out)
    return EXIT_OK


def _show(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    job = ctx.jobs.get(args.id)
    if job is None:
        raise BadInput(f"no job with id {args.id!r}")
    data = job_json(job)
    record = LocalJobRepository(ctx.db).get(job.id)
    if record is not None:
        data.update({
            "frames_done": record.frames_done,
            "total_frames": record.total_frames,
            "eta_seconds": record.eta_seconds,
            "attempts": record.attempts,
            "warnings": list(record.warnings),
            "work_dir": record.work_dir,
            "log": record.log_path,
        })  # fmt: skip
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
    else:
        for key, value in data.items():
            if value not in (None, [], ""):
                print(f"{key + ':':<14}{value}", file=out)
    return EXIT_OK


def _target_ids(
    ctx: AppContext, args: argparse.Namespace, *, active_only: bool = False
) -> list[str]:
    ids = list(args.ids)
    if args.batch:
        if ctx.jobs.batch(args.batch) is None:
            raise BadInput(f"no batch with id {args.batch!r}")
        ids += [
            j.id for j in ctx.jobs.list(batch_id=args.batch) if not (active_only and j.is_terminal)
        ]
    elif not ids:
        raise BadInput("name at least one job id, or --batch ID")
    return ids


def _cancel(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    # Of a batch, only the jobs still going are to be cancelled; ended ones are not failures.
    ids = _target_ids(ctx, args, active_only=True)
    canceller = LocalCanceller(ctx.jobs, LocalJobRepository(ctx.db), ctx.home)
    outcome = asyncio.run(canceller.cancel(ids))
    if args.json:
        json.dump(outcome.to_json(), out, indent=2)
        out.write("\n")
    else:
        for job_id in outcome.cancelled:
            print(f"cancelled {job_id}", file=out)
        for job_id, reason in outcome.skipped:
            print(f"not cancelled {job_id}: {reason}", file=out)
    return EXIT_FAILED if outcome.skipped else EXIT_OK


def _wait(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    ids = _target_ids(ctx, args)
    unknown = [i for i in ids if ctx.jobs.get(i) is None]
    if unknown:
        raise BadInput(f"no job with id {unknown[0]!r}")
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    while True:
        jobs = [j for i in ids if (j := ctx.jobs.get(i)) is not None]
        if all(j.is_terminal for j in jobs):
            break
        if deadline is not None and time.monotonic() >= deadline:
            if args.json:
                json.dump([job_json(j) for j in jobs], out, indent=2)
                out.write("\n")
            raise CliError(
                f"timed out after {args.timeout:g} s; "
                f"{sum(not j.is_terminal for j in jobs)} job(s) still running"
            )
        time.sleep(0.25)
    if args.json:
        json.dump([job_json(j) for j in jobs], out, indent=2)
        out.write("\n")
    else:
        print_table(job_rows(jobs), out)
    return EXIT_OK if all(j.status is JobStatus.FINISHED for j in jobs) else EXIT_FAILED
