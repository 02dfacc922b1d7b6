"""`renderctl batches`: every batch's progress, as the window's side panel shows it.

A cancelled or failed job is never counted as done: `progress` is the work done over the
work that will be done (see services/batch_progress.py), and the table says "8 of 50
finished · 42 cancelled" rather than "50/50". Reads the store only, like `renderctl jobs`
(`renderctl refresh` fetches the latest from the farms first).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TextIO

from render_manager.cli.errors import EXIT_OK
from render_manager.cli.formatting import print_table
from render_manager.services.app_services import AppServices
from render_manager.services.batch_report import (
    BatchReport,
    counts_text,
    eta_text,
    progress_text,
    report_batches,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the batches command."""
    batches = commands.add_parser(
        "batches",
        help="list batches with their progress",
        description=(
            "List batches, newest first, with their jobs counted by status, the progress "
            "(0-100 over the jobs that will render: cancelled and failed jobs count neither "
            "as done nor as work to do; null when every job was cancelled or failed) and "
            "the seconds left (eta_s: 0 once the batch ended, null while unknown)."
        ),
    )
    batches.add_argument("-c", "--connection", metavar="NAME", help="only this connection")
    batches.add_argument("--json", action="store_true", help="print JSON")
    batches.set_defaults(handler=_batches)


def _batches(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    if args.connection:
        ctx.connections.get(args.connection)  # an unknown name: exit 2 with its message
    reports = report_batches(ctx.jobs, datetime.now(UTC), connection=args.connection)
    if args.json:
        json.dump([r.to_json() for r in reports], out, indent=2)
        out.write("\n")
    else:
        print_table(_rows(reports), out)
    return EXIT_OK


def _rows(reports: list[BatchReport]) -> list[list[str]]:
    rows = [["ID", "CONNECTION", "PROGRESS", "ETA", "JOBS", "NAME"]]
    for report in reports:
        p = report.progress
        if p is None:
            cells = ["", "", "no jobs"]
        else:
            jobs = counts_text(p)
            waiting = [(p.rendering, "rendering"), (p.queued, "queued")]
            jobs += "".join(f" · {n} {what}" for n, what in waiting if n)
            cells = [progress_text(p), eta_text(p), jobs]
        rows.append([report.batch.id, report.batch.connection, *cells, report.batch.name])
    return rows
