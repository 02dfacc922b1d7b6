"""Batch progress in the side panel: counts, overall progress and an ETA from throughput."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render_manager.domain.job import BatchCounts, Job
from render_manager.domain.status import JobStatus
from render_manager.services.batch_progress import (
    BatchProgressTracker,
    batch_progress,
    eta_seconds,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(seconds=100)


def _job(
    n: int,
    status: JobStatus = JobStatus.QUEUED,
    *,
    batch: str | None = "b1",
    progress: float = 0.0,
    started: float | None = None,
) -> Job:
    return Job(
        id=f"j{n}",
        connection="farm",
        name=f"shot {n}",
        status=status,
        raw_status=status.value,
        created_at=T0 + timedelta(seconds=n),
        batch_id=batch,
        progress=progress,
        started_at=None if started is None else T0 + timedelta(seconds=started),
    )


def _mixed_batch() -> list[Job]:
    """10 jobs: 4 finished, 1 failed, 1 rendering at 50 %, 4 queued; first start at T0."""
    jobs = [_job(n, JobStatus.FINISHED, progress=100, started=n) for n in range(4)]
    jobs.append(_job(4, JobStatus.FAILED, started=0))
    jobs.append(_job(5, JobStatus.RENDERING, progress=50, started=60))
    jobs += [_job(n) for n in range(6, 10)]
    return jobs


def test_counts_and_progress_include_the_part_of_running_jobs_already_rendered() -> None:
    progress = batch_progress("b1", _mixed_batch(), NOW)
    assert progress is not None
    assert progress.counts == BatchCounts(total=10, finished=4, failed=1, cancelled=0, pending=5)
    assert (progress.queued, progress.rendering) == (4, 1)
    # The failed job is work that will not be done: 4.5 done of the 9 that will be.
    assert progress.fraction == pytest.approx((4 + 0.5) / 9)
    assert progress.connection == "farm"


def test_eta_is_the_work_left_at_the_throughput_since_the_first_start() -> None:
    progress = batch_progress("b1", _mixed_batch(), NOW)
    assert progress is not None
    # 4.5 job-equivalents finished in 100 s (the failed job's time counts, its work not);
    # 4.5 left.
    assert progress.eta_seconds == pytest.approx(4.5 * 100 / 4.5)
    later = batch_progress("b1", _mixed_batch(), NOW + timedelta(seconds=100))
    assert later is not None
    assert later.eta_seconds is not None
    # Nothing moved in another 100 s: the measured throughput halves, so the ETA doubles.
    assert later.eta_seconds == pytest.approx(2 * progress.eta_seconds)


def test_no_eta_before_anything_started_or_moved() -> None:
    queued = batch_progress("b1", [_job(1), _job(2)], NOW)
    assert queued is not None
    assert queued.eta_seconds is None
    just_started = batch_progress("b1", [_job(1, JobStatus.RENDERING, started=90), _job(2)], NOW)
    assert just_started is not None
    assert just_started.eta_seconds is None


def test_a_batch_that_ended_has_no_eta_and_is_complete() -> None:
    jobs = [_job(1, JobStatus.FINISHED, started=0), _job(2, JobStatus.FAILED, started=0)]
    progress = batch_progress("b1", jobs, NOW)
    assert progress is not None
    assert progress.eta_seconds is None
    assert progress.fraction == 1.0
    assert progress.counts.done


@pytest.mark.parametrize(("finished", "cancelled"), [(2, 3), (8, 42)], ids=["5 jobs", "50 jobs"])
def test_cancelled_jobs_are_never_done_and_leave_the_work_to_do(
    finished: int, cancelled: int
) -> None:
    jobs = [_job(n, JobStatus.FINISHED, progress=100, started=0) for n in range(finished)]
    jobs += [_job(finished + n, JobStatus.CANCELLED) for n in range(cancelled)]
    jobs.append(_job(99))  # one job still queued: the batch is not over
    progress = batch_progress("b1", jobs, NOW)
    assert progress is not None
    assert progress.counts.finished == finished
    assert progress.counts.cancelled == cancelled
    assert progress.fraction == pytest.approx(finished / (finished + 1))
    assert progress.eta_seconds == pytest.approx(100 / finished)


def test_a_batch_whose_jobs_were_all_cancelled_has_no_progress_not_a_full_one() -> None:
    jobs = [_job(n, JobStatus.CANCELLED) for n in range(5)]
    progress = batch_progress("b1", jobs, NOW)
    assert progress is not None
    assert progress.counts.done
    assert progress.fraction is None
    assert progress.percent is None
    assert progress.eta_seconds is None


def test_failed_jobs_are_work_that_will_not_be_done() -> None:
    jobs = [_job(1, JobStatus.FINISHED, started=0), _job(2, JobStatus.FAILED, started=0)]
    jobs += [_job(3), _job(4)]
    progress = batch_progress("b1", jobs, NOW)
    assert progress is not None
    assert progress.fraction == pytest.approx(1 / 3)
    # 1 job finished in 100 s, 2 left: the failure's time slows the pace, its work does not
    # count as done.
    assert progress.eta_seconds == pytest.approx(200.0)
    all_failed = batch_progress("b1", [_job(1, JobStatus.FAILED, started=0)], NOW)
    assert all_failed is not None
    assert all_failed.fraction is None


def test_cancelled_jobs_neither_speed_up_nor_slow_down_the_eta() -> None:
    base = [_job(1, JobStatus.FINISHED, started=0), _job(2)]
    with_cancelled = [*base, _job(3, JobStatus.CANCELLED), _job(4, JobStatus.CANCELLED)]
    a = batch_progress("b1", base, NOW)
    b = batch_progress("b1", with_cancelled, NOW)
    assert a is not None
    assert b is not None
    assert a.eta_seconds == b.eta_seconds == pytest.approx(100.0)
    assert b.counts.cancelled == 2


def test_eta_arithmetic_edges() -> None:
    assert eta_seconds(2.0, 2.0, 60.0) == pytest.approx(60.0)
    assert eta_seconds(0.0, 3.0, 60.0) is None
    assert eta_seconds(2.0, 0.0, 60.0) == 0.0
    assert eta_seconds(2.0, 1.0, 0.0) is None


def test_tracker_reports_only_batches_that_changed() -> None:
    tracker = BatchProgressTracker()
    assert tracker.update([_job(1), _job(2, batch="b2"), _job(3, batch=None)]) == {"b1", "b2"}
    assert sorted(tracker.batch_ids()) == ["b1", "b2"]
    # The same job again: nothing to redraw.
    assert tracker.update([_job(1)]) == set()
    assert tracker.update([_job(1, JobStatus.RENDERING, progress=10, started=5)]) == {"b1"}
    # A job that moves to another batch leaves the first one.
    assert tracker.update([_job(2, batch="b1")]) == {"b1", "b2"}
    assert tracker.batch_ids() == ["b1"]
    b1 = tracker.progress("b1", NOW)
    assert b1 is not None
    assert b1.counts.total == 2


def test_tracker_forgets_removed_jobs_and_empty_batches() -> None:
    tracker = BatchProgressTracker()
    tracker.update([_job(1, started=10), _job(2, JobStatus.FINISHED, started=0)])
    assert tracker.remove(["j2", "unknown"]) == {"b1"}
    progress = tracker.progress("b1", NOW)
    assert progress is not None
    assert progress.counts.total == 1
    # The earliest start left with j2: the next one is j1's.
    assert progress.started_at == T0 + timedelta(seconds=10)
    assert tracker.remove(["j1"]) == {"b1"}
    assert tracker.progress("b1", NOW) is None
    assert tracker.batch_ids() == []


_statuses = st.sampled_from(list(JobStatus))
_changes = st.lists(
    st.tuples(
        st.integers(0, 11),  # job number
        st.sampled_from(["b1", "b2", None, "remove"]),
        _statuses,
        st.integers(0, 100),
        st.one_of(st.none(), st.integers(0, 50)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_changes)
def test_tracker_always_matches_a_full_recount(
    changes: list[tuple[int, str | None, JobStatus, int, int | None]],
) -> None:
    tracker = BatchProgressTracker()
    current: dict[str, Job] = {}
    for n, batch, status, progress, started in changes:
        if batch == "remove":
            tracker.remove([f"j{n}"])
            current.pop(f"j{n}", None)
            continue
        job = _job(n, status, batch=batch, progress=float(progress), started=started)
        tracker.update([job])
        current[job.id] = job
    for batch_id in ("b1", "b2"):
        assert tracker.progress(batch_id, NOW) == batch_progress(batch_id, current.values(), NOW)
    expected = {j.batch_id for j in current.values() if j.batch_id is not None}
    assert set(tracker.batch_ids()) == expected
