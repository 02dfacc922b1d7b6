"""Jobs, batches and batch counts: the rules every value must keep."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render_manager.domain.job import Batch, BatchCounts, DomainError, Job
from render_manager.domain.status import BackendKind, JobStatus

AWARE = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
NAIVE = datetime(2024, 5, 1, 12, 30)

offsets = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)).map(
    lambda d: timezone(timedelta(minutes=round(d.total_seconds() / 60)))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)


def _job(**changes: object) -> Job:
    fields: dict[str, object] = {
        "id": "job-1",
        "connection": "local",
        "name": "Shot 010",
        "status": JobStatus.QUEUED,
        "raw_status": "queued",
        "created_at": AWARE,
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["created_at", "started_at", "finished_at"])
def test_naive_datetime_is_rejected(field: str) -> None:
    with pytest.raises(DomainError, match=field):
        _job(**{field: NAIVE})


@given(created=aware_datetimes, started=aware_datetimes, finished=aware_datetimes)
def test_aware_datetimes_in_any_zone_are_kept(
    created: datetime, started: datetime, finished: datetime
) -> None:
    job = _job(created_at=created, started_at=started, finished_at=finished)
    assert (job.created_at, job.started_at, job.finished_at) == (created, started, finished)


@given(
    progress=st.one_of(
        st.floats(max_value=-1e-9, allow_nan=False),
        st.floats(min_value=100.000001, allow_nan=False),
        st.just(math.nan),
    )
)
def test_progress_outside_0_to_100_is_rejected(progress: float) -> None:
    with pytest.raises(DomainError, match="progress"):
        _job(progress=progress)


@given(progress=st.floats(min_value=0.0, max_value=100.0))
def test_progress_within_0_to_100_is_kept(progress: float) -> None:
    assert _job(progress=progress).progress == progress


@pytest.mark.parametrize(("field", "words"), [("id", "needs an id"), ("connection", "connection")])
def test_job_needs_an_id_and_a_connection(field: str, words: str) -> None:
    with pytest.raises(DomainError, match=words):
        _job(**{field: ""})


def test_with_changes_validates_again_and_leaves_the_original_alone() -> None:
    job = _job(progress=10.0)
    with pytest.raises(DomainError, match="progress"):
        job.with_changes(progress=101.0)
    with pytest.raises(DomainError, match="finished_at"):
        job.with_changes(finished_at=NAIVE)
    moved = job.with_changes(progress=55.5, status=JobStatus.RENDERING)
    assert (moved.progress, moved.status) == (55.5, JobStatus.RENDERING)
    assert (job.progress, job.status) == (10.0, JobStatus.QUEUED)


def test_from_raw_normalizes_and_keeps_the_raw_word() -> None:
    job = Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id="c-1",
        connection="cloud",
        name="Promo",
        raw_status="render:dorender",
        created_at=AWARE,
        progress=42.0,
    )
    assert job.status is JobStatus.RENDERING
    assert job.raw_status == "render:dorender"
    assert job.progress == 42.0
    assert not job.is_terminal
    unknown = Job.from_raw(
        kind=BackendKind.RENDLEY,
        id="r-1",
        connection="rendley",
        name="Promo",
        raw_status="render:dorender",
        created_at=AWARE,
    )
    assert unknown.status is JobStatus.PENDING
    assert unknown.raw_status == "render:dorender"


@given(statuses=st.lists(st.sampled_from(list(JobStatus)), max_size=60))
def test_batch_counts_add_up(statuses: list[JobStatus]) -> None:
    counts = BatchCounts.of(iter(statuses))
    tally = Counter(statuses)
    assert counts.total == len(statuses)
    assert counts.total == counts.finished + counts.failed + counts.cancelled + counts.pending
    assert counts.finished == tally[JobStatus.FINISHED]
    assert counts.failed == tally[JobStatus.FAILED]
    assert counts.cancelled == tally[JobStatus.CANCELLED]
    assert counts.pending == sum(1 for s in statuses if not s.is_terminal)
    assert counts.done == all(s.is_terminal for s in statuses)
    if statuses:
        ended = sum(1 for s in statuses if s.is_terminal)
        assert counts.fraction_done == pytest.approx(ended / len(statuses))
    else:
        assert counts.fraction_done == 1.0
    assert 0.0 <= counts.fraction_done <= 1.0


def test_batch_rejects_naive_time_and_empty_id() -> None:
    with pytest.raises(DomainError, match="created_at"):
        Batch(id="b-1", connection="local", name="Batch", created_at=NAIVE)
    with pytest.raises(DomainError, match="id"):
        Batch(id="", connection="local", name="Batch", created_at=AWARE)
    batch = Batch(id="b-1", connection="local", name="Batch", created_at=AWARE)
    assert batch.counts.total == 0
    assert batch.counts.done
