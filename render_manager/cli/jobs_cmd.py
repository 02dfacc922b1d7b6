"""`renderctl jobs | show | cancel | wait | refresh`.

`show` re-reads the output link of a finished job whose back-end's links expire (Rendley),
so the link printed works now; if it cannot, the stored one is printed with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import Any, TextIO

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import RefreshesLinks
from render_manager.backends.rules import rules_for
from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.cli.formatting import job_json, job_rows, print_table
from render_manager.domain.job import Job, progress_detail
from render_manager.domain.results import CancelSummary
from render_manager.domain.status import JobStatus
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_history import job_history
from render_manager.services.priority import QueueFacts, queue_facts


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the job commands."""
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
    cancel.add_argument(
        "--batch",
        metavar="ID",
        help="cancel every job of a batch (a Nexrender Cloud batch in one request)",
    )
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(handler=_cancel)

    wait = commands.add_parser("wait", help="wait until jobs end; exit 1 if any did not finish")
    wait.add_argument("ids", nargs="*", metavar="ID")
    wait.add_argument("--batch", metavar="ID")
    wait.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds")
    wait.add_argument("--json", action="store_true", help="print the jobs as JSON at the end")
    wait.set_defaults(handler=_wait)

    refresh = commands.add_parser("refresh", help="fetch the latest state of remote jobs")
    refresh.add_argument("-c", "--connection", metavar="NAME", help="only this connection")
    refresh.set_defaults(handler=_refresh)


def _statuses(text: str | None) -> list[JobStatus] | None:
    if not text:
        return None
    try:
        return [JobStatus(s.strip()) for s in text.split(",") if s.strip()]
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise BadInput(f"unknown status in {text!r}: use {known}") from None


def _jobs(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    if args.connection:
        ctx.connections.get(args.connection)
    found = ctx.jobs.list(
        connection=args.connection, statuses=_statuses(args.status), batch_id=args.batch
    )
    if args.json:
        facts = queue_facts(services, found)
        json.dump([_queued_json(job_json(j), facts[j.id]) for j in found], out, indent=2)
        out.write("\n")
    else:
        print_table(job_rows(found), out)
    return EXIT_OK


def _queued_json(data: dict[str, Any], facts: QueueFacts) -> dict[str, Any]:
    """A job's JSON with its priority (None: unknown) and start time (None: at its turn)."""
    start = facts.not_before
    data.update({
        "priority": facts.priority,
        "not_before": None if start is None else start.isoformat(timespec="seconds"),
    })  # fmt: skip
    return data


def _show(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    job = ctx.jobs.get(args.id)
    if job is None:
        raise BadInput(f"no job with id {args.id!r}")
    data = _queued_json(job_json(job), queue_facts(services, [job])[job.id])
    if _link_expires(ctx, job):
        fresh = asyncio.run(_fresh_link(services, job))
        if fresh is not None:
            data["output"] = fresh
        if args.json:
            data["output_refreshed"] = fresh is not None
    history = job_history(ctx, services.local_jobs, job)
    data.update({"retry_of": history.retry_of, "retried_as": history.retried_as})
    if history.attempts:
        data["attempt_history"] = [attempt.to_json() for attempt in history.attempts]
    record = services.local_jobs.get(job.id)
    if record is not None:
        data.update({
            "frames_done": record.frames_done,
            "total_frames": record.total_frames,
            "eta_seconds": record.eta_seconds,
            "attempts": record.attempts,
            "warnings": list(record.warnings),
            "work_dir": record.work_dir,
            "log": record.log_path,
            # How the render reached aerender: plain, rewrite or script (None: not staged yet).
            "route": None if record.route is None else record.route.value,
        })  # fmt: skip
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
    else:
        data["progress"] = progress_detail(job)
        for attempt in data.pop("attempt_history", []):
            ended = f" ({attempt['error']})" if attempt["error"] else ""
            log = f", log {attempt['log']}" if attempt["log"] else ""
            line = f"{attempt['status']}{ended}{log}"
            print(f"{'attempt ' + str(attempt['attempt']) + ':':<14}{line}", file=out)
        for key, value in data.items():
            if value not in (None, [], ""):
                print(f"{key + ':':<14}{value}", file=out)
    return EXIT_OK


def _link_expires(ctx: AppContext, job: Job) -> bool:
    """True for a finished job whose back-end signs its output links for a while only."""
    if job.status is not JobStatus.FINISHED:
        return False
    kinds = {c.name: c.kind for c in ctx.connections.list()}
    kind = kinds.get(job.connection)
    return kind is not None and rules_for(kind).links_expire


async def _fresh_link(services: AppServices, job: Job) -> str | None:
    """The output link read afresh (Rendley's expire), or None with a note on stderr.

    A link that cannot be re-read does not fail the command: the stored one is printed, and
    the note says it may have expired.
    """
    try:
        backend = await services.job_service.backend(job.connection)
        if not isinstance(backend, RefreshesLinks):
            return None
        url = await backend.fresh_output_url(job.id)
        why = None if url else f"{job.connection} reports no finished output for it now"
    except BackendError as exc:
        url, why = None, f"it could not be read afresh: {exc}"
    finally:
        await services.aclose()
    if why is not None:
        stored = "the stored link is shown and may have expired" if job.output else "none stored"
        print(f"note: output link of {job.id}: {why}; {stored}", file=sys.stderr)
    return url


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


def _cancel(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    # Of a batch, only the jobs still going are to be cancelled; ended ones are not failures.
    ids = _target_ids(ctx, args, active_only=True)
    summary = asyncio.run(_cancel_all(services, ids, args.batch))
    if args.json:
        json.dump(summary.to_json(), out, indent=2)
        out.write("\n")
    else:
        for job_id in summary.cancelled:
            print(f"cancelled {job_id}", file=out)
    # Why a job was not cancelled is a diagnostic (the JSON document lists them as well).
    for job_id, reason in summary.skipped:
        print(f"not cancelled {job_id}: {reason}", file=sys.stderr)
    return EXIT_FAILED if summary.skipped else EXIT_OK


async def _cancel_all(services: AppServices, ids: list[str], batch_id: str | None) -> CancelSummary:
    try:
        # With the batch id, a Nexrender Cloud batch goes in one request, cascades included.
        return await services.cancel(ids, batch_id=batch_id)
    finally:
        await services.aclose()


def _wait(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    ids = _target_ids(ctx, args)
    unknown = [i for i in ids if ctx.jobs.get(i) is None]
    if unknown:
        raise BadInput(f"no job with id {unknown[0]!r}")
    jobs = asyncio.run(_wait_for(services, ids, args.timeout))
    if args.json:
        json.dump([job_json(j) for j in jobs], out, indent=2)
        out.write("\n")
    else:
        print_table(job_rows(jobs), out)
    still = sum(not j.is_terminal for j in jobs)
    if still:
        raise CliError(f"timed out after {args.timeout:g} s; {still} job(s) still running")
    return EXIT_OK if all(j.status is JobStatus.FINISHED for j in jobs) else EXIT_FAILED


async def _wait_for(services: AppServices, ids: list[str], timeout: float | None) -> list[Job]:
    """Wait until every job has ended (or the timeout); those of back-ends that do not
    keep their jobs in this store (remote ones) are refreshed meanwhile."""
    ctx = services.ctx
    asked = {c.name for c in ctx.connections.list() if not rules_for(c.kind).stores_jobs}
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    try:
        while True:
            jobs = [j for i in ids if (j := ctx.jobs.get(i)) is not None]
            pending = {j.connection for j in jobs if not j.is_terminal}
            if not pending or (deadline is not None and loop.time() >= deadline):
                return jobs
            for name in sorted(pending & asked):
                with contextlib.suppress(BackendError):
                    await services.job_service.refresh(name)
            # Remote APIs ask for at most one poll a second; local jobs change in the store.
            await asyncio.sleep(1.0 if pending & asked else 0.25)
    finally:
        await services.aclose()


def _refresh(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    # A back-end that keeps its jobs in this store (the local engine) has nothing to fetch.
    connections = [
        c
        for c in ctx.connections.list()
        if not rules_for(c.kind).stores_jobs and (not args.connection or c.name == args.connection)
    ]
    if args.connection and not connections:
        ctx.connections.get(args.connection)  # unknown name: exit 2 with its message
        raise BadInput(f"{args.connection} is the local engine: its jobs are always current")
    return asyncio.run(_refresh_all(services, [c.name for c in connections], out))


async def _refresh_all(services: AppServices, names: list[str], out: TextIO) -> int:
    failed = 0
    try:
        for name in names:
            try:
                report = await services.job_service.refresh(name)
            except BackendError as exc:
                failed += 1
                # Back-end errors name their connection already: say it once.
                why = str(exc).removeprefix(f"{name}: ")
                print(f"{name}: refresh failed: {why}", file=sys.stderr)
                continue
            print(
                f"{name}: {report.changed} changed, {report.active} active "
                f"({report.requests} requests)",
                file=out,
            )
    finally:
        await services.aclose()
    return EXIT_FAILED if failed else EXIT_OK
