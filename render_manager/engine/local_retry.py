"""Retrying local jobs: a failed or cancelled job goes back to its queue under its own id.

The log of the attempt that ended is moved aside (``aerender.log`` becomes
``aerender.attempt-2.log``) so the next attempt writes a log of its own and every earlier
one stays readable; what each attempt ended with is kept in the event log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from render_manager.domain.status import BackendKind, retry_refusal_reason
from render_manager.engine.job_runner import LOG_NAME
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import LocalJobRecord

log = logging.getLogger(__name__)


def attempt_log_name(attempt: int) -> str:
    """The name the log of attempt `attempt` (1 first) is kept under once retried."""
    stem, dot, suffix = LOG_NAME.rpartition(".")
    return f"{stem}.attempt-{attempt}{dot}{suffix}"


class LocalRetrier:
    """Puts ended local jobs back in the queue, from any process sharing the home."""

    def __init__(
        self, local: LocalJobRepository, *, wake_engine: Callable[[], None] | None = None
    ) -> None:
        self._local = local
        self._wake_engine = wake_engine

    async def retry(
        self, job_ids: Sequence[str]
    ) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
        """Requeue each job that ended failed or cancelled; returns (job id, the attempt
        it now waits to run as) for those, and (job id, why not) for the others."""
        # Files are moved and the store written off the loop: a batch must not freeze the window.
        requeued, skipped = await asyncio.to_thread(self._retry_all, list(job_ids))
        if requeued and self._wake_engine is not None:
            self._wake_engine()
        return requeued, skipped

    def _retry_all(self, job_ids: list[str]) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
        requeued: list[tuple[str, int]] = []
        skipped: list[tuple[str, str]] = []
        for job_id in dict.fromkeys(job_ids):
            record = self._local.get(job_id)
            if record is None:
                skipped.append((job_id, "no such job"))
                continue
            reason = retry_refusal_reason(BackendKind.LOCAL, record.job.raw_status)
            if reason is not None:
                skipped.append((job_id, reason))
                continue
            kept = _keep_log(record)
            attempt = self._local.retry(job_id, None if kept is None else str(kept))
            if attempt is None:
                if kept is not None:
                    _put_back(kept, Path(record.work_dir) / LOG_NAME)
                skipped.append((job_id, "it changed meanwhile: no longer failed or cancelled"))
                continue
            requeued.append((job_id, attempt))
        return requeued, skipped


def _keep_log(record: LocalJobRecord) -> Path | None:
    """Move the ended attempt's log aside; its new path, or None if it wrote none."""
    current = Path(record.work_dir) / LOG_NAME
    if not current.is_file():
        return None
    attempt = max(record.attempts, 1)
    kept = current.with_name(attempt_log_name(attempt))
    n = 1
    while kept.exists():  # a log kept already under that number is never overwritten
        n += 1
        kept = current.with_name(attempt_log_name(attempt).replace(".log", f"-{n}.log"))
    try:
        current.rename(kept)
    except OSError:
        log.exception("job %s: keeping the log of attempt %d", record.job.id, attempt)
        return None
    return kept


def _put_back(kept: Path, current: Path) -> None:
    try:
        kept.rename(current)
    except OSError:
        log.exception("putting back %s", kept)
