"""Every batch's progress in words and numbers: the side panel's cards and `renderctl batches`
say the same thing because both read it here.

The counting rule is batch_progress's: a cancelled or failed job is never done and never
work to do, so "8 of 50 finished · 42 cancelled" sits next to a full bar, and a batch whose
jobs were all cancelled reads "cancelled", never 100 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from render_manager.domain.job import Batch
from render_manager.services.batch_progress import BatchProgress, BatchProgressTracker
from render_manager.store.jobs import JobRepository


def counts_text(progress: BatchProgress) -> str:
    """`8 of 50 finished · 2 failed · 40 cancelled`: finished, failed and cancelled apart."""
    c = progress.counts
    parts = [f"{c.finished} of {c.total} finished"]
    if c.failed:
        parts.append(f"{c.failed} failed")
    if c.cancelled:
        parts.append(f"{c.cancelled} cancelled")
    return " · ".join(parts)


def progress_text(progress: BatchProgress) -> str:
    """`16 %` of the work that will be done, or why there is none left.

    A batch whose every job was cancelled reads `cancelled`, never 100 %; one left with
    nothing but failures (and cancels) reads `failed`.
    """
    percent = progress.percent
    if percent is None:
        return "failed" if progress.counts.failed else "cancelled"
    return f"{math.floor(percent)} %"


def eta_text(progress: BatchProgress) -> str:
    """Time left as `12:27`; `done` once every job that was to render finished, `ended`
    once the batch can change no more but some of it failed; empty while unknown, or when
    there was no work left at all (the progress already says "cancelled" or "failed")."""
    c = progress.counts
    if not c.done:
        return "" if progress.eta_seconds is None else clock_text(progress.eta_seconds)
    if progress.fraction is None:
        return ""
    return "ended" if c.failed else "done"


def clock_text(seconds: float) -> str:
    """Seconds as `1:23:45`, or `4:05` under an hour."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class BatchReport:
    """One stored batch and its progress (None once it has no jobs left in the store)."""

    batch: Batch
    progress: BatchProgress | None

    def to_json(self) -> dict[str, Any]:
        """The `renderctl batches --json` shape.

        `progress` is 0-100 over the work that will be done, null when there is none (every
        job cancelled or failed); `eta_s` is the seconds left, 0 once the batch ended, null
        while unknown.
        """
        p = self.progress
        c = None if p is None else p.counts
        eta: int | None = None
        if p is not None and p.counts.done:
            eta = 0
        elif p is not None and p.eta_seconds is not None:
            eta = round(p.eta_seconds)
        percent = None if p is None else p.percent
        return {
            "id": self.batch.id,
            "connection": self.batch.connection,
            "name": self.batch.name,
            "total": 0 if c is None else c.total,
            "queued": 0 if p is None else p.queued,
            "rendering": 0 if p is None else p.rendering,
            "finished": 0 if c is None else c.finished,
            "failed": 0 if c is None else c.failed,
            "cancelled": 0 if c is None else c.cancelled,
            "progress": None if percent is None else round(percent, 1),
            "eta_s": eta,
        }


def report_batches(
    jobs: JobRepository, now: datetime, *, connection: str | None = None
) -> list[BatchReport]:
    """Every stored batch (of `connection` if given), newest first, with its progress."""
    reports = []
    for batch in jobs.batches(connection=connection):
        tracker = BatchProgressTracker()
        tracker.update(jobs.list(batch_id=batch.id))
        reports.append(BatchReport(batch, tracker.progress(batch.id, now)))
    return reports
