"""`renderctl submit`: one job file, or a job template filled from each row of a data file."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from render_manager.backends.rules import rules_for
from render_manager.cli.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput, CliError
from render_manager.cli.submit_queue_options import with_queue_options
from render_manager.cli.submit_render_queue import submit_render_queue
from render_manager.domain.connection import Connection
from render_manager.domain.results import SubmitResult
from render_manager.services.app_services import AppServices
from render_manager.services.batch_data import PreparedRow, prepare_rows
from render_manager.services.data_files import read_data
from render_manager.services.job_files import JobFileError, load_job_bodies
from render_manager.services.job_templates import DataFileError

# Rows named in a warning shared by many, before "and N more".
_ROWS_NAMED = 5


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `submit` command."""
    submit = commands.add_parser("submit", help="submit the jobs of a job file")
    submit.add_argument("-c", "--connection", required=True, metavar="NAME")
    submit.add_argument(
        "file", type=Path, metavar="FILE", nargs="?",
        help='one job, a JSON array of jobs, or {"jobs": [...]} — in the connection\'s format',
    )  # fmt: skip
    submit.add_argument(
        "--render-queue", type=Path, metavar="PROJECT.aep",
        help="instead of FILE: one job per output module of each Queued item of the "
        "project's render queue, as one batch named after the project (local connections)",
    )  # fmt: skip
    submit.add_argument(
        "--rows", type=Path, metavar="DATA",
        help="FILE is a template: submit one job per row of a data file (CSV or TSV in "
        "UTF-8, UTF-16 or Windows-1252, an Excel .xlsx, or JSON), {{column}} filled from the row",
    )  # fmt: skip
    submit.add_argument(
        "--sheet", metavar="NAME", help="the sheet of an .xlsx --rows file (default: the first)"
    )
    submit.add_argument(
        "--priority", type=int, metavar="N",
        help="every job's priority: higher renders first (the local engine, Nexrender Cloud "
        "and a nexrender server take one)",
    )  # fmt: skip
    submit.add_argument(
        "--at", metavar="TIME",
        help="start no job before TIME: HH:MM (the next such time, today or tomorrow) or "
        "ISO 8601 such as 2026-12-08T02:00, local time unless it has an offset (local "
        "connections; a time already past starts now)",
    )  # fmt: skip
    submit.add_argument("--json", action="store_true", help="print JSON")
    submit.set_defaults(handler=_submit)


def _submit(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    if args.render_queue is not None:
        if args.priority is not None or args.at is not None:
            raise BadInput("--priority and --at go with FILE, not with --render-queue")
        return submit_render_queue(services, args, out)
    if args.file is None:
        raise BadInput("give FILE (a job file) or --render-queue PROJECT.aep")
    connection = services.ctx.connections.get(args.connection)
    prepared = with_queue_options(connection, _prepared(args), args.priority, args.at)
    name = args.rows.name if args.rows else args.file.name
    # A back-end that queues a submission whole or not at all (the local engine) gets
    # every row or none: each bad row is reported and nothing is queued. Others create
    # the good rows and report the bad ones.
    whole = rules_for(connection.kind).all_or_nothing
    result = asyncio.run(
        _send(services, connection, prepared, name, args.file, skip_invalid=not whole)
    )
    _print(result, args.json, out)
    if result.status == "created":
        return EXIT_OK
    if whole:
        print("nothing was queued", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_FAILED


def _prepared(args: argparse.Namespace) -> list[PreparedRow]:
    """One prepared row per job body, numbered by data-file row (or position in the file)."""
    if args.rows is None:
        if args.sheet is not None:
            raise BadInput("--sheet chooses a sheet of the --rows workbook: give --rows too")
        try:
            loaded = load_job_bodies(args.file)
        except JobFileError as exc:
            raise BadInput(str(exc)) from None
        return [PreparedRow(i, {}, body) for i, body in enumerate(loaded)]
    try:
        template = args.file.read_text(encoding="utf-8-sig")
        table = read_data(args.rows, args.sheet)
    except OSError as exc:
        raise BadInput(f"{args.file}: cannot read it ({exc.strerror or exc})") from None
    except DataFileError as exc:
        raise BadInput(str(exc)) from None
    return prepare_rows(template, table.rows)


async def _send(
    services: AppServices,
    connection: Connection,
    prepared: list[PreparedRow],
    batch: str,
    file: Path,
    *,
    skip_invalid: bool,
) -> SubmitResult:
    try:
        submission = services.submission(
            connection,
            prepared,
            base_dir=file.resolve().parent,
            batch_name=batch,
            stamp=False,
        )
        result = await submission.submit(skip_invalid=skip_invalid)
    finally:
        await services.aclose()
    if not result.jobs and submission.stopped is not None:
        raise CliError(submission.stopped)
    return result


def _print(result: SubmitResult, as_json: bool, out: TextIO) -> None:
    """Write the result to `out`, and to stderr why each refused row was refused and what
    could not be checked in the others (warnings).

    The JSON document lists the rows' errors as well: `--json | jq` always reads JSON alone.
    """
    if as_json:
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
    else:
        for index, job_id in result.jobs:
            print(f"submitted {job_id} (row {index})", file=out)
        if result.batch_id:
            print(f"batch {result.batch_id}: {len(result.jobs)} jobs", file=out)
    for index, error in result.errors:
        print(f"row {index}: {error}", file=sys.stderr)
    # What could not be checked: said, but the jobs were queued and the exit status is theirs.
    # A batch of one unreadable template warns the same of every row: said once.
    rows_of: dict[str, list[int]] = {}
    for index, warning in result.warnings:
        rows_of.setdefault(warning, []).append(index)
    for warning, rows in rows_of.items():
        print(f"{_rows_named(rows)}: warning: {warning}", file=sys.stderr)


def _rows_named(rows: list[int]) -> str:
    """ "row 3", "rows 0, 1, 2", or "rows 0, 1, 2 and 97 more"."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(i) for i in rows[:_ROWS_NAMED])
    more = f" and {len(rows) - _ROWS_NAMED} more" if len(rows) > _ROWS_NAMED else ""
    return f"rows {shown}{more}"
