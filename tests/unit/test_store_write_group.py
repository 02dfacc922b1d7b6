"""The engine's grouped commits: few transactions, nothing lost, other processes kept current."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus, LocalStatus
from render_manager.store import Database, open_store
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import NewLocalJob
from render_manager.store.write_group import GROUP_INTERVAL_S, WriteGroup


@pytest.fixture
def db(home: Path) -> Iterator[Database]:
    database = open_store(home)
    yield database
    database.close()


@pytest.fixture
def other(home: Path, db: Database) -> Iterator[Database]:
    """A second connection to the same file: what the window or renderctl reads."""
    database = open_store(home)
    yield database
    database.close()


def _queue(db: Database, n: int) -> list[str]:
    jobs = [
        Job.from_raw(
            kind=BackendKind.LOCAL,
            id=f"job-{i}",
            connection="local",
            name=f"promo_{i}",
            raw_status="queued",
            created_at=datetime(2026, 12, 1, 9, i, tzinfo=UTC),
        )
        for i in range(n)
    ]
    LocalJobRepository(db).submit(
        [NewLocalJob(job, "aerender", {"template": {}}, work_dir=f"/tmp/{job.id}") for job in jobs]
    )
    return [job.id for job in jobs]


def _commits(db: Database) -> list[str]:
    """Every COMMIT the connection runs, in order."""
    seen: list[str] = []
    db._conn.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


async def _wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


@pytest.mark.asyncio
async def test_one_transaction_claims_the_next_jobs_and_commits_what_was_deferred(
    db: Database, other: Database
) -> None:
    first, second, third = _queue(db, 3)
    engine = LocalJobRepository(db, WriteGroup(db, interval_s=60))
    (claimed,) = engine.claim_queued("local", 1)
    engine.start_render(first, pid=4242, started_at=1.0, log_path="/tmp/job-0/aerender.log")
    engine.set_progress(first, percent=50.0, frames_done=10, total_frames=20, eta_seconds=1)
    engine.set_progress(first, percent=100.0, frames_done=20, total_frames=20, eta_seconds=0)
    engine.set_status(first, LocalStatus.FINISHED, output="/tmp/job-0/result.mov")
    commits = _commits(db)

    records = engine.claim_queued("local", 4, skip={third})

    assert claimed.job.id == first
    assert [r.job.id for r in records] == [second], "skipped jobs stay queued"
    assert commits == ["COMMIT"], "progress, outcome and claim in one transaction"
    done = JobRepository(other).get(first)
    assert done is not None
    assert done.status is JobStatus.FINISHED
    assert done.output == "/tmp/job-0/result.mov"
    assert (JobRepository(other).get(third) or done).status is JobStatus.QUEUED
    assert records[0].attempts == 0, "the record as it was before its claim"
    assert (LocalJobRepository(other).get(second) or claimed).attempts == 1
    assert (LocalJobRepository(other).get(first) or claimed).frames_done == 20, "the last reading"


@pytest.mark.asyncio
async def test_a_started_render_is_on_disk_for_other_processes_when_start_render_returns(
    db: Database, other: Database
) -> None:
    (job_id,) = _queue(db, 1)
    engine = LocalJobRepository(db, WriteGroup(db, interval_s=60))
    engine.claim_queued("local", 1)

    engine.start_render(job_id, pid=4242, started_at=1.0, log_path="/tmp/job-0/aerender.log")

    record = LocalJobRepository(other).get(job_id)
    assert record is not None
    assert (record.pid, record.job.status) == (4242, JobStatus.RENDERING)


@pytest.mark.asyncio
async def test_deferred_changes_reach_other_processes_within_the_interval_then_notify(
    db: Database, other: Database
) -> None:
    (job_id,) = _queue(db, 1)
    flushed: list[JobStatus | None] = []
    readers = JobRepository(other)
    group = WriteGroup(
        db, on_flush=lambda: flushed.append(getattr(readers.get(job_id), "status", None))
    )
    engine = LocalJobRepository(db, group)
    engine.claim_queued("local", 1)
    engine.start_render(job_id, pid=4242, started_at=1.0, log_path="/tmp/job-0/aerender.log")
    loop = asyncio.get_running_loop()
    start = loop.time()

    engine.set_status(job_id, LocalStatus.FINISHED, output="/tmp/job-0/result.mov")
    await _wait_until(lambda: flushed)

    assert loop.time() - start < GROUP_INTERVAL_S + 0.5
    assert flushed == [JobStatus.FINISHED], "told of the change once it can be read"


@pytest.mark.asyncio
async def test_reads_through_the_engine_repository_see_its_deferred_changes(
    db: Database,
) -> None:
    (job_id,) = _queue(db, 1)
    engine = LocalJobRepository(db, WriteGroup(db, interval_s=60))
    engine.claim_queued("local", 1)

    engine.requeue(job_id, "retry after: aerender exited with code 1")

    assert [r.job.id for r in engine.queued("local", 5)] == [job_id]


@pytest.mark.asyncio
async def test_a_failing_change_does_not_take_the_rest_of_its_group_with_it(
    db: Database, other: Database
) -> None:
    first, second = _queue(db, 2)
    group = WriteGroup(db, interval_s=60)
    engine = LocalJobRepository(db, group)
    engine.claim_queued("local", 2)
    engine.set_status(first, LocalStatus.FINISHED, output="/tmp/job-0/result.mov")

    def broken(sql: sqlite3.Connection) -> None:
        sql.execute("UPDATE no_such_table SET x = 1")

    group.defer(broken)
    engine.set_status(second, LocalStatus.FAILED, error="aerender exited with code 1")
    group.flush()

    readers = JobRepository(other)
    assert (readers.get(first) or _never()).status is JobStatus.FINISHED
    assert (readers.get(second) or _never()).status is JobStatus.FAILED


def test_without_a_running_loop_a_deferred_change_commits_at_once(
    db: Database, other: Database
) -> None:
    (job_id,) = _queue(db, 1)
    engine = LocalJobRepository(db, WriteGroup(db, interval_s=60))
    engine.claim_queued("local", 1)

    engine.set_status(job_id, LocalStatus.FAILED, error="staging failed")

    assert (JobRepository(other).get(job_id) or _never()).status is JobStatus.FAILED


def _never() -> Job:
    raise AssertionError("job vanished")


@pytest.mark.asyncio
async def test_the_outcome_of_a_job_deleted_meanwhile_changes_nothing_and_loses_no_other(
    db: Database, other: Database, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = _queue(db, 2)
    engine = LocalJobRepository(db, WriteGroup(db, interval_s=60))
    engine.claim_queued("local", 2)
    engine.set_status(first, LocalStatus.FINISHED, output="/tmp/job-0/result.mov")
    engine.set_status(second, LocalStatus.FINISHED, output="/tmp/job-1/result.mov")
    with other.write() as sql:  # the user removes the first job from another process
        sql.execute("DELETE FROM jobs WHERE id = ?", (first,))

    engine.flush()

    readers = JobRepository(other)
    assert readers.get(first) is None
    assert (readers.get(second) or _never()).status is JobStatus.FINISHED
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "not an error"
