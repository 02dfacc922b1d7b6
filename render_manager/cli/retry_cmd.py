"""`renderctl retry (JOB_ID... | --batch ID) [--json]`, and `renderctl retry JOB_ID --body
FILE.json`: the job sent again with an edited body, as a new job linked to it.

Exit status: 0 when every job asked about was retried (or a batch had nothing left to
retry), 1 when any was skipped (each reason on stderr, and in the JSON), 2 for bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from render_manager.cli.errors import EXIT_FAILED, EXIT_OK, BadInput
from render_manager.domain.results import RetrySummary
from render_manager.services.app_services import AppServices
from render_manager.services.retry_facts import load_facts
from render_manager.services.retry_plan import batch_retry_targets


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the retry command."""
    retry = commands.add_parser(
        "retry",
        help="send failed and cancelled jobs again (local ones back to the queue)",
        description=(
            "Retry failed and cancelled jobs: a local job goes back to its queue under the "
            "same id, a remote one is sent again as a new job linked to the old. Exit 0 "
            "when every job asked about was retried, 1 when any was skipped."
        ),
    )
    retry.add_argument("ids", nargs="*", metavar="JOB_ID")
    retry.add_argument(
        "--batch", metavar="ID", help="the batch's failed and cancelled jobs not yet retried"
    )
    retry.add_argument(
        "--resend-unknown",
        action="store_true",
        help="also send jobs whose earlier retry's answer was lost (after checking the "
        "service's job list: it was not created)",
    )
    retry.add_argument(
        "--body",
        metavar="FILE.json",
        type=Path,
        help="send this edited job body instead, as a new job linked to the one JOB_ID "
        "(relative paths in it are read from the file's folder)",
    )
    retry.add_argument("--json", action="store_true", help="print JSON")
    retry.set_defaults(handler=_retry)


def _retry(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    if args.body is not None:
        job_id, body = _edited(args)
        summary = asyncio.run(_resubmit(services, job_id, body, args.body.resolve().parent))
        return _report(summary, args, out)
    ids = _target_ids(services, args)
    if not ids:
        print(f"note: batch {args.batch} has no failed or cancelled job to retry", file=sys.stderr)
    resend = bool(args.resend_unknown)
    summary = asyncio.run(_retry_all(services, ids, resend)) if ids else RetrySummary()
    return _report(summary, args, out)


def _report(summary: RetrySummary, args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        json.dump(summary.to_json(), out, indent=2)
        out.write("\n")
    else:
        for old, new in summary.retried:
            print(f"requeued {old}" if old == new else f"retried {old} as {new}", file=out)
    for job_id, reason in summary.skipped:
        print(f"not retried {job_id}: {reason}", file=sys.stderr)
    return EXIT_FAILED if summary.skipped else EXIT_OK


def _edited(args: argparse.Namespace) -> tuple[str, Any]:
    """The one job id and the edited body `--body` names."""
    if args.batch or args.resend_unknown or len(args.ids) != 1:
        raise BadInput("--body sends one job again: give exactly one JOB_ID, without --batch")
    path: Path = args.body
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(body, dict):
        raise BadInput(f"{path}: a job body is a JSON object")
    return args.ids[0], body


def _target_ids(services: AppServices, args: argparse.Namespace) -> list[str]:
    ctx = services.ctx
    ids = list(args.ids)
    if args.batch:
        if ctx.jobs.batch(args.batch) is None:
            raise BadInput(f"no batch with id {args.batch!r}")
        members = ctx.jobs.list(batch_id=args.batch)
        facts = load_facts(ctx, members, {})
        ids += [job.id for job in batch_retry_targets(args.batch, members, facts)]
    elif not ids:
        raise BadInput("name at least one job id, or --batch ID")
    return ids


async def _resubmit(services: AppServices, job_id: str, body: Any, base: Path) -> RetrySummary:
    from render_manager.services.resubmit import resubmit_body  # noqa: PLC0415 (HTTP stack)

    try:
        return await resubmit_body(services, job_id, body, base_dir=base)
    finally:
        await services.aclose()


async def _retry_all(services: AppServices, ids: list[str], resend: bool) -> RetrySummary:
    try:
        return await services.retry(ids, resend_unknown=resend)
    finally:
        await services.aclose()
