"""How jobs look on the command line: JSON objects and aligned text tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from render_manager.domain.job import Job, progress_text


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def job_json(job: Job) -> dict[str, Any]:
    """The JSON shape of a job, the same for every back-end."""
    return {
        "id": job.id,
        "connection": job.connection,
        "batch_id": job.batch_id,
        "name": job.name,
        "status": job.status.value,
        "raw_status": job.raw_status,
        # None while the share is unknown (a render of unknown length): never a false 0.
        "progress": None if job.progress is None else round(job.progress, 2),
        "frames_done": job.frames_done,
        "total_frames": job.total_frames,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "output": job.output,
        "error": job.error,
    }


def print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Rows as left-aligned columns; the last column is not padded."""
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [v.ljust(w) for v, w in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)


def job_rows(jobs: Sequence[Job]) -> list[list[str]]:
    """A header row and one row per job."""
    rows = [["ID", "STATUS", "PROGRESS", "CONNECTION", "NAME", "ERROR / OUTPUT"]]
    for job in jobs:
        detail = job.error or job.output or ""
        rows.append([
            job.id,
            job.status.value,
            progress_text(job),
            job.connection,
            job.name,
            detail.splitlines()[0] if detail else "",
        ])  # fmt: skip
    return rows
