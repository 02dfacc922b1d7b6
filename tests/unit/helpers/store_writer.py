"""Child process: open a home, upsert jobs in small transactions and read between writes.

Usage: store_writer.py HOME WORKER COUNT CHUNK [STATUS]

Waits for one line on stdin before opening the store, so a test can start several writers
at once. Exits 0 after printing "wrote COUNT"; exits 1 naming the first read that did not
see this process's own writes.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.store import open_store
from render_manager.store.jobs import JobRepository

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def make_job(worker: int, n: int, status: JobStatus = JobStatus.QUEUED) -> Job:
    """The n-th job of a worker, the same in every process."""
    return Job(
        id=f"w{worker}-{n:04d}",
        connection="local",
        name=f"worker {worker} shot {n}",
        status=status,
        raw_status=status.value,
        created_at=T0 + timedelta(seconds=n, microseconds=worker),
        progress=100.0 if status is JobStatus.FINISHED else 0.0,
        tags=(f"worker:{worker}",),
    )


def main(argv: list[str]) -> int:
    home, worker, count, chunk = Path(argv[1]), int(argv[2]), int(argv[3]), int(argv[4])
    status = JobStatus(argv[5]) if len(argv) > 5 else JobStatus.QUEUED
    sys.stdin.readline()
    with open_store(home) as db:
        repo = JobRepository(db)
        seen = repo.changed_since(0).seq
        for start in range(0, count, chunk):
            batch = [make_job(worker, n, status) for n in range(start, min(start + chunk, count))]
            seq = repo.upsert_many(batch)
            changes = repo.changed_since(seen)
            if not {j.id for j in batch} <= {j.id for j in changes.jobs} or changes.seq < seq:
                print(f"changed_since({seen}) missed this process's write {seq}", file=sys.stderr)
                return 1
            seen = changes.seq
            mine = [j for j in repo.list() if j.id.startswith(f"w{worker}-")]
            if len(mine) < start + len(batch) or repo.get(batch[-1].id) != batch[-1]:
                print(f"list() missed this process's jobs after {start}", file=sys.stderr)
                return 1
    print(f"wrote {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
