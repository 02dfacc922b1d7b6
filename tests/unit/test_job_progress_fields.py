"""Frames and ETA of a local render reach every job read, from the engine's own table."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from render_manager.domain.job import DomainError, Job
from render_manager.domain.status import BackendKind, LocalStatus
from render_manager.store import Database, open_store
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import NewLocalJob

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(home: Path) -> Iterator[Database]:
    database = open_store(home)
    yield database
    database.close()


def _job(n: int, *, connection: str = "local", raw_status: str = "queued") -> Job:
    return Job.from_raw(
        kind=BackendKind.LOCAL,
        id=f"job-{n:05d}",
        connection=connection,
        name=f"promo_{n:05d}",
        raw_status=raw_status,
        created_at=T0 + timedelta(minutes=n),
    )


def _submit_and_start(db: Database, n: int) -> str:
    local = LocalJobRepository(db)
    job = _job(n)
    local.submit([NewLocalJob(job, "aerender", {"template": {}}, work_dir=f"/tmp/w{n}")])
    assert local.claim(job.id)
    local.start_render(job.id, pid=4242, started_at=1.0, log_path=f"/tmp/w{n}/log.txt")
    return job.id


def test_engine_progress_comes_back_on_the_job_from_changed_since_get_and_list(
    db: Database,
) -> None:
    jobs, local = JobRepository(db), LocalJobRepository(db)
    job_id = _submit_and_start(db, 1)
    seq = jobs.changed_since(0).seq

    local.set_progress(job_id, percent=4.8, frames_done=12, total_frames=250, eta_seconds=95.5)

    changes = jobs.changed_since(seq)
    assert [j.id for j in changes.jobs] == [job_id]
    (changed,) = changes.jobs
    assert (changed.frames_done, changed.total_frames, changed.eta_seconds) == (12, 250, 95.5)
    assert changed.progress == pytest.approx(4.8)
    assert jobs.get(job_id) == changed
    assert jobs.list(connection="local") == [changed]


def test_a_job_without_engine_detail_reads_as_unknown_and_round_trips(db: Database) -> None:
    jobs = JobRepository(db)
    queued = _submit_and_start(db, 2)  # a local row, but no progress written yet
    plain = _job(3, raw_status="rendering")  # no local_jobs row at all, like a remote job
    jobs.upsert_many([plain])

    for job in (jobs.get(queued), jobs.get(plain.id)):
        assert job is not None
        assert (job.frames_done, job.total_frames, job.eta_seconds) == (None, None, None)
    assert jobs.get(plain.id) == plain


def test_an_upsert_from_elsewhere_does_not_erase_the_engines_frames(db: Database) -> None:
    jobs, local = JobRepository(db), LocalJobRepository(db)
    job_id = _submit_and_start(db, 4)
    local.set_progress(job_id, percent=50.0, frames_done=125, total_frames=250, eta_seconds=60.0)
    before = jobs.get(job_id)
    assert before is not None

    # A writer holding an older copy of the job, without the detail, writes it back.
    jobs.upsert_many([before.with_changes(frames_done=None, total_frames=None, eta_seconds=None)])

    after = jobs.get(job_id)
    assert after is not None
    assert (after.frames_done, after.total_frames, after.eta_seconds) == (125, 250, 60.0)


def test_a_finished_render_keeps_its_frame_count_but_shows_no_eta(db: Database) -> None:
    jobs, local = JobRepository(db), LocalJobRepository(db)
    job_id = _submit_and_start(db, 5)
    local.set_progress(job_id, percent=99.6, frames_done=249, total_frames=250, eta_seconds=0.4)

    local.set_status(job_id, LocalStatus.FINISHED, output="/renders/promo_00005.mov")

    done = jobs.get(job_id)
    assert done is not None
    assert done.is_terminal
    assert (done.frames_done, done.total_frames) == (249, 250)
    assert done.eta_seconds is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("frames_done", -1), ("total_frames", -250), ("eta_seconds", -0.5), ("eta_seconds", math.nan)],
)
def test_negative_or_nan_progress_detail_is_refused_with_the_field_named(
    field: str, value: float
) -> None:
    with pytest.raises(DomainError, match=field):
        _job(6).with_changes(**{field: value})


def test_an_unknown_share_reads_back_as_no_progress_with_its_frames(db: Database) -> None:
    jobs, local = JobRepository(db), LocalJobRepository(db)
    job_id = _submit_and_start(db, 5)

    local.set_progress(job_id, percent=None, frames_done=120, total_frames=None, eta_seconds=None)

    rendering = jobs.get(job_id)
    assert rendering is not None
    assert rendering.progress is None  # not a false 0 %
    assert rendering.frames_done == 120


def test_a_requeued_job_forgets_the_frames_of_its_last_run(db: Database) -> None:
    jobs, local = JobRepository(db), LocalJobRepository(db)
    job_id = _submit_and_start(db, 6)
    local.set_progress(job_id, percent=None, frames_done=120, total_frames=None, eta_seconds=None)

    local.requeue(job_id, "retry after: aerender exited with code 1")

    queued = jobs.get(job_id)
    assert queued is not None
    assert queued.progress == 0.0
    assert (queued.frames_done, queued.total_frames) == (None, None)
