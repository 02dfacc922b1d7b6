"""Edit and resubmit: a failed or cancelled job sent again as a retry, with an edited body.

Unlike a plain retry, the body changed, so the job is never put back in place, locally
either: the edited body becomes a new job on the same connection, linked to the one it
retries (`retry_of`), through the same never-twice submission as any other (a lost answer
is looked up by its key before anything is sent again). The old job keeps its failure,
its attempts and its log; a later retry of it says it was retried already.

`load_source` (resubmit_source.py) says what the job was sent with, or why it cannot be
edited and sent again (the window's tooltip, `renderctl retry --body`'s skip reason);
`resubmit_body` sends an edited body as the retry.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from render_manager.domain.results import RetrySummary
from render_manager.services.batch_data import PreparedRow, check_body
from render_manager.services.batch_submit import RowState
from render_manager.services.resubmit_source import load_source
from render_manager.services.retry import RESEND

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices


async def resubmit_body(
    services: AppServices, job_id: str, body: Any, *, base_dir: Path
) -> RetrySummary:
    """Send `body` as the retry of job `job_id`: a new job linked to it, or the reason not.

    Relative paths in a local body are read from `base_dir` (the edited file's folder)."""
    ctx = services.ctx
    summary = RetrySummary()
    job = await asyncio.to_thread(ctx.jobs.get, job_id)
    if job is None:
        summary.skipped.append((job_id, "no such job"))
        return summary
    source = await asyncio.to_thread(load_source, ctx, services.local_jobs, job)
    if isinstance(source, str):
        summary.skipped.append((job_id, source))
        return summary
    kind = source.connection.kind
    problem = check_body(kind, body)
    submission = services.submission(
        source.connection,
        [PreparedRow(0, {}, body, problem)],
        base_dir=base_dir,
        batch_name=source.submission_name(),
        batch_id=job.batch_id,
        retry_of={0: job.id},
    )
    await submission.check_files()
    await submission.submit()
    (row,) = submission.rows
    if row.state is RowState.UNKNOWN:
        # A lost answer: looked up by its key before anything could be sent twice.
        await submission.retry_failed()
    if row.state is RowState.CREATED and row.job_id is not None:
        summary.retried.append((job_id, row.job_id))
    elif row.state is RowState.UNKNOWN:
        why = f"not retried: {row.error}; " + RESEND.format(connection=job.connection)
        summary.skipped.append((job_id, why))
    else:
        summary.skipped.append((job_id, f"not retried: {row.error or row.state.value}"))
    return summary
