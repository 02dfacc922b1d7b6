"""`renderctl submit`: one job file, or a job template filled from each row of a data file."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any, TextIO

from render_manager.backends.errors import BackendError
from render_manager.cli.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.cli.jobs_cmd import remote_service
from render_manager.domain.status import BackendKind
from render_manager.services.context import AppContext
from render_manager.services.job_files import JobFileError, bodies_of, load_job_bodies
from render_manager.services.job_templates import DataFileError, fill, read_rows
from render_manager.services.local_submit import LocalSubmitter
from render_manager.services.results import SubmitResult
from render_manager.store.local_jobs import LocalJobRepository


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `submit` command."""
    submit = commands.add_parser("submit", help="submit the jobs of a job file")
    submit.add_argument("-c", "--connection", required=True, metavar="NAME")
    submit.add_argument(
        "file", type=Path, metavar="FILE",
        help='one job, a JSON array of jobs, or {"jobs": [...]} — in the connection\'s format',
    )  # fmt: skip
    submit.add_argument(
        "--rows", type=Path, metavar="CSV",
        help="FILE is a template: submit one job per row, {{column}} filled from the row",
    )  # fmt: skip
    submit.add_argument("--json", action="store_true", help="print JSON")
    submit.set_defaults(handler=_submit)


def _submit(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    connection = ctx.connections.get(args.connection)
    bodies, row_errors, numbers = _bodies(args)
    name = args.rows.name if args.rows else args.file.name
    if connection.kind is BackendKind.LOCAL:
        if row_errors:
            # Local submissions are all or nothing: report every bad row, queue none.
            result = SubmitResult(batch_id=None, status="error", errors=row_errors)
        else:
            submitter = LocalSubmitter(ctx.jobs, LocalJobRepository(ctx.db), ctx.home, connection)
            result = submitter.submit(bodies, base_dir=args.file.resolve().parent, batch_name=name)
    else:
        result = (
            _merge(asyncio.run(_remote(ctx, connection.name, bodies, name)), numbers, row_errors)
            if bodies
            else SubmitResult(None, "error", errors=row_errors)
        )
    _print(result, args.json, out)
    if result.status == "created":
        return EXIT_OK
    if connection.kind is BackendKind.LOCAL:
        if not args.json:
            print("nothing was queued", file=out)
        return EXIT_BAD_INPUT
    return EXIT_FAILED


def _bodies(args: argparse.Namespace) -> tuple[list[Any], list[tuple[int, str]], list[int]]:
    """Job bodies, per-row errors, and the row number of each body."""
    if args.rows is None:
        try:
            loaded = load_job_bodies(args.file)
        except JobFileError as exc:
            raise BadInput(str(exc)) from None
        return loaded, [], list(range(len(loaded)))
    try:
        template = args.file.read_text(encoding="utf-8-sig")
        rows = read_rows(args.rows)
    except OSError as exc:
        raise BadInput(f"{args.file}: cannot read it ({exc.strerror or exc})") from None
    except DataFileError as exc:
        raise BadInput(str(exc)) from None
    bodies: list[Any] = []
    errors: list[tuple[int, str]] = []
    numbers: list[int] = []
    for row in rows:
        try:
            (body,) = bodies_of(fill(template, row), f"row {row.index}")
        except (ValueError, JobFileError) as exc:
            errors.append((row.index, str(exc)))
            continue
        bodies.append(body)
        numbers.append(row.index)
    return bodies, errors, numbers


async def _remote(ctx: AppContext, name: str, bodies: list[Any], batch: str) -> SubmitResult:
    service = remote_service(ctx)
    try:
        return await service.submit(name, bodies, batch_name=batch)
    except BackendError as exc:
        raise CliError(str(exc)) from None
    finally:
        await service.aclose()


def _merge(
    result: SubmitResult, numbers: list[int], row_errors: list[tuple[int, str]]
) -> SubmitResult:
    """Map the submitted bodies' positions back to data-file rows, with the rows' own errors."""
    jobs = [(numbers[i], job_id) for i, job_id in result.jobs]
    errors = sorted([(numbers[i], e) for i, e in result.errors] + row_errors)
    status = result.status if not row_errors else ("partial" if jobs else "error")
    return SubmitResult(result.batch_id, status, jobs, errors)


def _print(result: SubmitResult, as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
        return
    for index, job_id in result.jobs:
        print(f"submitted {job_id} (row {index})", file=out)
    if result.batch_id:
        print(f"batch {result.batch_id}: {len(result.jobs)} jobs", file=out)
    for index, error in result.errors:
        print(f"row {index}: {error}", file=out)
