"""`renderctl priority (--set N | --raise | --lower) JOB_ID... [--json]`.

Higher priorities render first; equal ones in submission order. Only jobs still waiting in
a queue whose service can change it (the local engine) move. Exit status: 0 when every job
asked about got its new priority, 1 when any was left as it was (each reason on stderr, and
in the JSON), 2 for bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO

from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput
from render_manager.services.app_services import AppServices
from render_manager.services.priority import PrioritySummary, change_priority
from render_manager.services.priority_plan import PriorityChange, PriorityMove


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the priority command."""
    priority = commands.add_parser(
        "priority",
        help="change where queued jobs stand in their queue (higher renders first)",
        description=(
            "Give queued jobs a new priority: higher renders first, equal priorities in "
            "submission order. Exit 0 when every job changed, 1 when any was left as it was."
        ),
    )
    priority.add_argument("ids", nargs="+", metavar="JOB_ID")
    how = priority.add_mutually_exclusive_group(required=True)
    how.add_argument("--set", type=int, metavar="N", help="set the priority to N (any integer)")
    how.add_argument("--raise", dest="up", action="store_true", help="one step higher")
    how.add_argument("--lower", dest="down", action="store_true", help="one step lower")
    priority.add_argument("--json", action="store_true", help="print JSON")
    priority.set_defaults(handler=_priority)


def _change(args: argparse.Namespace) -> PriorityChange:
    if args.set is not None:
        if abs(args.set) > MAX_PRIORITY:
            raise BadInput(
                f"--set {args.set}: a priority is between -{MAX_PRIORITY} and {MAX_PRIORITY}"
            )
        return PriorityChange(PriorityMove.SET, args.set)
    return PriorityChange(PriorityMove.RAISE if args.up else PriorityMove.LOWER)


# Beyond this a number is a typing slip, not a place in a queue.
MAX_PRIORITY = 1_000_000


def _priority(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    summary = asyncio.run(_apply(services, list(args.ids), _change(args)))
    if args.json:
        json.dump(summary.to_json(), out, indent=2)
        out.write("\n")
    else:
        for job_id, was, new in summary.changed:
            print(f"{job_id}: priority {was} -> {new}", file=out)
    for job_id, reason in summary.skipped:
        print(f"not changed {job_id}: {reason}", file=sys.stderr)
    return EXIT_FAILED if summary.skipped else EXIT_OK


async def _apply(services: AppServices, ids: list[str], change: PriorityChange) -> PrioritySummary:
    try:
        return await change_priority(services, ids, change)
    finally:
        await services.aclose()
