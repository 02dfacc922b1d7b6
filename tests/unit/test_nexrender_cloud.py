"""Nexrender Cloud back-end against a fake built from Nexrender's documentation."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render_manager.backends.errors import (
    BadResponse,
    JobGone,
    NoCredits,
    NotAllowed,
    TokenRejected,
    Unavailable,
)
from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from tests.fakes.nexrender_cloud import TOKEN, FakeNexrenderCloud

CLOUD = Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD)
ACTIVE = ["queued", "pending", "render:dorender"]


class Sleeps:
    """An injected sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def body(composition: str = "Main", **extra: Any) -> dict[str, Any]:
    return {"template": {"id": "tpl-1", "composition": composition}, "assets": [], **extra}


def nested_body() -> dict[str, Any]:
    child = body("Intro")
    return body("Final", assets=[{"type": "job", "layerName": "intro", "job": child}])


def make_backend(
    cloud: FakeNexrenderCloud, sleeps: Sleeps, token: str | None = TOKEN
) -> NexrenderCloudBackend:
    return NexrenderCloudBackend(CLOUD, token, transport=cloud.transport(), sleep=sleeps)


@pytest.fixture
def cloud() -> FakeNexrenderCloud:
    return FakeNexrenderCloud()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest_asyncio.fixture
async def backend(
    cloud: FakeNexrenderCloud, sleeps: Sleeps
) -> AsyncIterator[NexrenderCloudBackend]:
    client = make_backend(cloud, sleeps)
    yield client
    await client.aclose()


def watched(job_id: str) -> Job:
    """A queued job as the store would know it."""
    return Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id=job_id,
        connection="cloud",
        name="watched",
        raw_status="queued",
        created_at=datetime(2024, 5, 1, tzinfo=UTC),
    )


async def active_jobs(backend: NexrenderCloudBackend) -> list[Job]:
    listing = await backend.list_jobs(states=ACTIVE, minimal=True)
    return listing.jobs


# -- submitting ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_one_job_is_created_with_post_jobs_and_named_after_its_composition(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.submit_many([body("Lower Third", tags=["spring"])])

    assert outcome.status == "created"
    assert outcome.batch_id is None
    [(row, job)] = outcome.jobs
    assert row == 0
    assert list(cloud.jobs) == [job.id]
    assert (job.name, job.status, job.connection) == ("Lower Third", JobStatus.QUEUED, "cloud")
    assert job.tags == ("spring",)  # the app's own rm- tags stay out of sight
    assert job.created_at.utcoffset() is not None
    assert (cloud.count("POST", "/jobs"), cloud.count("POST", "/batches")) == (1, 0)


@pytest.mark.asyncio
async def test_a_name_in_the_body_names_the_job_and_is_not_sent(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.submit_many([body(name="Hero shot v3")])

    assert outcome.jobs[0][1].name == "Hero shot v3"
    [stored] = cloud.jobs.values()
    assert "name" not in stored.body


@pytest.mark.asyncio
async def test_a_nested_job_reports_its_child_and_a_pending_parent(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.submit_many([nested_body()])

    child, parent = (job for _, job in outcome.jobs)
    assert [row for row, _ in outcome.jobs] == [0, 0]
    assert parent.status is JobStatus.PENDING  # waits for its child
    assert child.parent_id == parent.id
    assert cloud.jobs[child.id].parent_id == parent.id


@pytest.mark.asyncio
async def test_a_batch_of_2500_rows_maps_every_result_back_to_its_row(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    invalid = {3, 1000, 1999, 2499}
    bodies = [{"assets": []} if row in invalid else body() for row in range(2500)]

    outcome = await backend.submit_many(bodies, batch_name="Spring")

    assert outcome.status == "partial"
    assert cloud.count("POST", "/batches") == 3  # 1000 + 1000 + 500
    assert cloud.count("POST", "/jobs") == 0
    assert [row for row, _ in outcome.errors] == sorted(invalid)
    assert all("template.id is required" in message for _, message in outcome.errors)
    rows = [row for row, _ in outcome.jobs]
    assert rows == [row for row in range(2500) if row not in invalid]
    assert len(cloud.jobs) == 2496
    by_row = dict(outcome.jobs)
    assert by_row[0].name == "Spring #1"
    # Each chunk is its own cloud batch; the outcome names the first.
    chunk_ids = [by_row[0].batch_id, by_row[1001].batch_id, by_row[2000].batch_id]
    assert outcome.batch_id == chunk_ids[0]
    assert len(set(chunk_ids)) == 3
    assert by_row[999].batch_id == chunk_ids[0]
    assert sorted(cloud.batches) == sorted(i for i in chunk_ids if i)
    assert {cloud.jobs[job.id].batch_id for job in by_row.values()} == set(chunk_ids)


@pytest.mark.asyncio
async def test_a_batch_whose_rows_are_all_invalid_is_an_error(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.submit_many([{"assets": []}, {"template": {}}])

    assert outcome.status == "error"
    assert [row for row, _ in outcome.errors] == [0, 1]
    assert cloud.jobs == {}


@pytest.mark.asyncio
async def test_a_refused_job_carries_the_servers_message(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.submit_many([body(settings={"type": "gif"})])

    assert outcome.status == "error"
    [(row, message)] = outcome.errors
    assert row == 0
    assert "settings.type must be video, image or aep" in message
    assert cloud.jobs == {}


# -- never twice --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_create_whose_answer_is_lost_is_found_again_not_resent(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    cloud.timeout_after_next("POST", "/jobs")

    outcome = await backend.submit_many([body()])

    assert len(cloud.jobs) == 1
    assert cloud.count("POST", "/jobs") == 1
    assert outcome.status == "created"
    assert [job.id for _, job in outcome.jobs] == list(cloud.jobs)


@pytest.mark.asyncio
async def test_a_batch_whose_answer_is_lost_maps_the_created_jobs_to_their_rows(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    cloud.timeout_after_next("POST", "/batches")

    outcome = await backend.submit_many([body("A"), {"assets": []}, body("C")])

    assert cloud.count("POST", "/batches") == 1
    assert len(cloud.jobs) == 2
    assert outcome.status == "partial"
    by_row = dict(outcome.jobs)
    assert cloud.jobs[by_row[0].id].body["template"]["composition"] == "A"
    assert cloud.jobs[by_row[2].id].body["template"]["composition"] == "C"
    [(row, message)] = outcome.errors
    assert row == 1
    assert "not created" in message


@pytest.mark.asyncio
async def test_a_lost_batch_answer_is_settled_row_by_row_when_records_carry_no_tags() -> None:
    cloud = FakeNexrenderCloud(serve_tags=False)
    backend = make_backend(cloud, Sleeps())
    cloud.timeout_after_next("POST", "/batches")

    outcome = await backend.submit_many([body("A"), body("B"), body("C")])
    await backend.aclose()

    assert cloud.count("POST", "/batches") == 1
    assert len(cloud.jobs) == 3
    assert outcome.status == "created"
    compositions = [cloud.jobs[job.id].body["template"]["composition"] for _, job in outcome.jobs]
    assert compositions == ["A", "B", "C"]
    assert cloud.count("GET", "/jobs") == 1 + 3  # the submission's tag, then each row's


@pytest.mark.asyncio
async def test_a_create_that_never_reached_the_server_is_reported_not_resent(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    cloud.disconnect_next("POST", "/batches")

    outcome = await backend.submit_many([body(), body()])

    assert cloud.count("POST", "/batches") == 1
    assert cloud.jobs == {}
    assert outcome.status == "error"
    assert all("checked with the server, not re-sent" in m for _, m in outcome.errors)


@pytest.mark.asyncio
async def test_a_5xx_on_create_is_never_retried_and_nothing_is_created(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud, sleeps: Sleeps
) -> None:
    cloud.fail_next(503, method="POST", path="/jobs", times=3)

    outcome = await backend.submit_many([body()])

    assert cloud.count("POST", "/jobs") == 1
    assert cloud.jobs == {}
    assert sleeps.delays == []
    assert outcome.status == "error"
    assert "not created" in outcome.errors[0][1]
    assert "503" in outcome.errors[0][1]


@pytest.mark.asyncio
async def test_when_the_check_after_a_lost_answer_fails_the_user_is_told_to_look_first(
    cloud: FakeNexrenderCloud,
) -> None:
    backend = make_backend(cloud, Sleeps())
    cloud.timeout_after_next("POST", "/jobs")
    cloud.fail_next(503, method="GET", path="/jobs", times=10)

    outcome = await backend.submit_many([body()])
    await backend.aclose()

    assert cloud.count("POST", "/jobs") == 1
    assert outcome.status == "error"
    message = outcome.errors[0][1]
    assert "unknown" in message
    assert outcome.unknown == {0}, "flagged, so nothing resends it blindly"
    tag = next(t for t in next(iter(cloud.jobs.values())).tags if t.count("-") == 2)
    assert tag in message  # the tag to search for before submitting again


@pytest.mark.asyncio
async def test_credits_running_out_mid_batch_keeps_the_jobs_already_created(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    cloud.fail_next(402, method="POST", path="/batches", after=1, message="Insufficient credits")

    outcome = await backend.submit_many([body() for _ in range(2500)])

    assert outcome.status == "partial"
    assert [row for row, _ in outcome.jobs] == list(range(1000))
    assert len(cloud.jobs) == 1000
    assert [row for row, _ in outcome.errors] == list(range(1000, 2500))
    assert all("not enough credits" in message for _, message in outcome.errors)
    assert outcome.errors[-1][1].startswith("not sent")
    assert cloud.count("POST", "/batches") == 2  # the third chunk is not tried


# -- refreshing ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_refresh_returns_only_the_jobs_that_changed(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([body(f"Shot {n}") for n in range(5)])
    known = [job for _, job in submitted.jobs]
    first, second = known[0].id, known[1].id
    cloud.start(first, progress=42.5)
    cloud.start(second)
    cloud.finish(second)

    outcome = await backend.refresh(known)

    changed = {job.id: job for job in outcome.changed}
    assert set(changed) == {first, second}
    assert (changed[first].status, changed[first].progress) == (JobStatus.RENDERING, 42.5)
    assert changed[first].name == "Shot 0"  # the store's name survives a minimal record
    assert changed[second].status is JobStatus.FINISHED
    assert changed[second].output == f"https://outputs.nexrender.example/{second}.mp4"
    assert changed[second].finished_at is not None
    assert outcome.requests == 2  # one listing, one GET for the job that finished
    assert outcome.problems == []


@pytest.mark.asyncio
async def test_refresh_cost_follows_active_jobs_not_finished_ones(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    for _ in range(4800):
        cloud.add_job(status="finished")
    for n in range(200):
        cloud.add_job(status="render:dorender" if n % 4 == 0 else "queued")
    known = await active_jobs(backend)
    assert len(known) == 200

    quiet = await backend.refresh(known)
    assert (quiet.changed, quiet.requests) == ([], 1)

    queued = [job.id for job in known if job.raw_status == "queued"]
    rendering = [job.id for job in known if job.raw_status == "render:dorender"]
    for job_id in rendering[:30]:
        cloud.finish(job_id)
    for job_id in queued[:20]:
        cloud.start(job_id, progress=10.0)
    busy = await backend.refresh(known)
    assert busy.requests == 1 + 30  # ceil(170 / 1000) listings + jobs that left the set
    assert len(busy.changed) == 50
    done = [job for job in busy.changed if job.id in rendering[:30]]
    assert all(job.status is JobStatus.FINISHED and job.output for job in done)

    for _ in range(5000):
        cloud.add_job(status="finished")
    still = [job for job in busy.changed if not job.is_terminal] + [
        job for job in known if job.id not in {c.id for c in busy.changed}
    ]
    later = await backend.refresh(still)
    assert (later.changed, later.requests) == ([], 1)


@pytest.mark.asyncio
async def test_refresh_pages_through_more_than_1000_active_jobs(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    for _ in range(2500):
        cloud.add_job()
    known = await active_jobs(backend)

    outcome = await backend.refresh(known)

    assert len(known) == 2500
    assert outcome.requests == math.ceil(2500 / 1000)
    pages = [c.params["from"] for c in cloud.calls if c.params.get("states")]
    assert pages[-3:] == ["0", "1000", "2000"]


@pytest.mark.asyncio
async def test_refresh_with_nothing_to_watch_sends_nothing(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    outcome = await backend.refresh([])

    assert (outcome.requests, cloud.calls) == (0, [])


@pytest.mark.asyncio
async def test_a_job_deleted_on_the_cloud_is_marked_failed_with_a_reason(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([body()])
    job = submitted.jobs[0][1]
    del cloud.jobs[job.id]

    outcome = await backend.refresh([job])

    [gone] = outcome.changed
    assert gone.status is JobStatus.FAILED
    assert "no longer knows" in (gone.error or "")


@pytest.mark.asyncio
async def test_refresh_tells_children_their_parent(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    parent = cloud.add_job(nested_body())
    known = [job.with_changes(parent_id=None) for job in await active_jobs(backend)]

    outcome = await backend.refresh(known)

    [child] = outcome.changed
    assert child.id == parent.children[0]
    assert child.parent_id == parent.id


_garbage_id = st.one_of(st.none(), st.integers(), st.just(""), st.lists(st.text(), max_size=2))
_bad_id = st.integers(0, 10**6).map(lambda n: f"BAD-{n}")
_not_iso = st.text(max_size=12).filter(lambda t: not _is_iso(t))


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


_garbage = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.fixed_dictionaries({"id": _garbage_id, "status": st.just("queued")}),
    st.fixed_dictionaries(
        {"id": _bad_id, "status": st.one_of(st.none(), st.just(""), st.integers(), st.booleans())}
    ),
    st.fixed_dictionaries(
        {
            "id": _bad_id,
            "status": st.just("queued"),
            "progress": st.one_of(
                st.text(max_size=4), st.booleans(), st.just(math.nan), st.lists(st.integers())
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "id": _bad_id,
            "status": st.just("finished"),
            "stats": st.one_of(
                st.text(max_size=4),
                st.integers(),
                st.fixed_dictionaries({"createdAt": st.one_of(_not_iso, st.integers())}),
                st.fixed_dictionaries({"error": st.integers()}),
            ),
        }
    ),
    st.fixed_dictionaries({"id": _bad_id, "status": st.just("queued"), "outputUrl": st.integers()}),
    st.fixed_dictionaries(
        {
            "id": _bad_id,
            "status": st.just("pending"),
            "children": st.one_of(st.integers(), st.lists(st.integers(), min_size=1, max_size=2)),
        }
    ),
)
_good = st.fixed_dictionaries(
    {
        "status": st.one_of(st.sampled_from(ACTIVE), st.text(min_size=1, max_size=12)),
        "progress": st.floats(0, 100),
    }
)


@pytest.mark.asyncio
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    good=st.lists(_good, min_size=1, max_size=6), garbage=st.lists(_garbage, min_size=1, max_size=6)
)
async def test_malformed_records_are_problems_and_the_rest_still_parse(
    good: list[dict[str, Any]], garbage: list[Any]
) -> None:
    cloud = FakeNexrenderCloud()
    records = [{"id": f"GOOD-{n}", **fields} for n, fields in enumerate(good)]
    for record in [*garbage, *records]:
        cloud.add_raw(record)
    known = [watched(record["id"]) for record in records]
    backend = make_backend(cloud, Sleeps())

    outcome = await backend.refresh(known)
    await backend.aclose()

    assert len(outcome.problems) == len(garbage)
    assert outcome.requests == 1
    changed = {job.id: job for job in outcome.changed}
    for record in records:
        if (record["status"], record["progress"]) != ("queued", 0.0):
            assert changed[record["id"]].raw_status == record["status"]  # kept verbatim
            assert changed[record["id"]].progress == record["progress"]


@pytest.mark.asyncio
async def test_a_listing_that_is_not_a_list_is_a_bad_response(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    job = (await backend.submit_many([body()])).jobs[0][1]
    cloud.fail_next(200, method="GET", path="/jobs", message="ok")  # JSON, but not a list

    with pytest.raises(BadResponse, match="expected a list of jobs"):
        await backend.refresh([job])


# -- cancelling ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cancel_reports_cascades_and_skips_rendering_jobs_without_asking(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    children = [{"type": "job", "job": body("Intro")}, {"type": "job", "job": body("Outro")}]
    parent = cloud.add_job(body("Final", assets=children))
    queued = cloud.add_job()
    rendering = cloud.add_job(status="render:dorender")
    jobs = {job.id: job for job in await active_jobs(backend)}
    first_child, sibling = parent.children
    calls_before = len(cloud.calls)

    outcome = await backend.cancel_many([jobs[first_child], jobs[queued.id], jobs[rendering.id]])

    cancelled = {job.id: job for job in outcome.cancelled}
    assert set(cancelled) == {first_child, queued.id, parent.id, sibling}
    assert all(job.status is JobStatus.CANCELLED for job in cancelled.values())
    assert outcome.skipped == [
        (rendering.id, "Nexrender Cloud cancels only queued and pending jobs")
    ]
    assert cloud.jobs[rendering.id].status == "render:dorender"
    assert len(cloud.calls) - calls_before == 1  # one POST /jobs/cancel, nothing for the render
    assert cloud.count("POST", "/jobs/cancel") == 1


@pytest.mark.asyncio
async def test_cancelling_one_parent_uses_patch_and_reports_its_children(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    parent = cloud.add_job(nested_body())
    jobs = {job.id: job for job in await active_jobs(backend)}

    outcome = await backend.cancel_many([jobs[parent.id]])

    assert {job.id for job in outcome.cancelled} == {parent.id, *parent.children}
    assert cloud.count("PATCH", "/jobs/*") == 1
    assert outcome.skipped == []


@pytest.mark.asyncio
async def test_cancelling_only_finished_or_rendering_jobs_sends_no_request(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    cloud.add_job(status="finished")
    cloud.add_job(status="render:dorender")
    listing = await backend.list_jobs()
    calls_before = len(cloud.calls)

    outcome = await backend.cancel_many(listing.jobs)

    assert outcome.cancelled == []
    assert [reason for _, reason in outcome.skipped] == [
        "it has already finished",
        "Nexrender Cloud cancels only queued and pending jobs",
    ]
    assert len(cloud.calls) == calls_before


@pytest.mark.asyncio
async def test_an_unknown_id_in_a_cancel_falls_back_to_one_request_per_job(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    jobs = [job for _, job in (await backend.submit_many([body(), body(), body()])).jobs]
    del cloud.jobs[jobs[1].id]

    outcome = await backend.cancel_many(jobs)

    assert {job.id for job in outcome.cancelled} == {jobs[0].id, jobs[2].id}
    assert outcome.skipped == [(jobs[1].id, "job gone: Nexrender Cloud no longer knows it")]
    assert cloud.count("POST", "/jobs/cancel") == 1
    assert cloud.count("PATCH", "/jobs/*") == 3


@pytest.mark.asyncio
async def test_a_job_that_started_since_the_last_refresh_is_skipped_with_the_reason(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    job = (await backend.submit_many([body()])).jobs[0][1]
    cloud.start(job.id)

    outcome = await backend.cancel_many([job])

    assert outcome.cancelled == []
    assert outcome.skipped == [(job.id, "Nexrender Cloud cancels only queued and pending jobs")]
    assert cloud.jobs[job.id].status == "render:dorender"


@pytest.mark.asyncio
async def test_cancelling_a_batch_cancels_what_it_can_and_says_why_not_the_rest(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([body(), nested_body(), body()])
    assert submitted.batch_id is not None
    first = submitted.jobs[0][1]
    cloud.start(first.id)

    known = [job for _, job in submitted.jobs]

    outcome = await backend.cancel_batch(submitted.batch_id, known)

    assert {job.id for job in outcome.cancelled} == {job.id for job in known[1:]}
    assert {job.name for job in outcome.cancelled} == {job.name for job in known[1:]}
    assert all(job.status is JobStatus.CANCELLED for job in outcome.cancelled)
    assert outcome.skipped == [(first.id, "Job is actively rendering")]
    counts = (await backend.batch(submitted.batch_id)).counts
    assert (counts.total, counts.cancelled, counts.pending) == (3, 2, 1)


@pytest.mark.asyncio
async def test_batch_progress_comes_from_the_cloud_aggregate(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([body(), body()], batch_name="Promo")
    assert submitted.batch_id is not None
    done = submitted.jobs[0][1].id
    cloud.start(done)
    cloud.finish(done)

    batch = await backend.batch(submitted.batch_id)

    assert batch.raw_status == "processing"
    assert (batch.counts.finished, batch.counts.pending, batch.counts.fraction_done) == (1, 1, 0.5)


# -- listing, reading, templates ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_reads_times_error_and_output(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    failed = cloud.add_job(status="error")

    job = await backend.get(failed.id)

    assert job.status is JobStatus.FAILED
    assert job.error == "After Effects crashed while rendering"
    assert job.created_at == failed.created_at
    assert job.started_at is not None
    assert job.started_at.utcoffset() is not None
    assert job.finished_at == failed.error_at


@pytest.mark.asyncio
async def test_list_jobs_applies_every_documented_filter(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    old = cloud.add_job(tags=["promo"])
    done = cloud.add_job(status="finished", tags=["promo", "eu"])
    new = cloud.add_job(status="error", tags=["eu"])

    async def ids(**filters: Any) -> list[str]:
        return [job.id for job in (await backend.list_jobs(**filters)).jobs]

    assert await ids() == [old.id, done.id, new.id]
    assert await ids(sort="newest_first") == [new.id, done.id, old.id]
    assert await ids(states=["finished", "error"]) == [done.id, new.id]
    assert await ids(exclude_states=["finished"]) == [old.id, new.id]
    assert await ids(tags=["promo", "eu"]) == [done.id]
    assert await ids(offset=1, limit=1) == [done.id]
    assert await ids(from_date=done.created_at) == [done.id, new.id]
    assert await ids(to_date=done.created_at.isoformat()) == [old.id, done.id]
    assert sorted(await ids(sort="random")) == sorted([old.id, done.id, new.id])
    minimal = (await backend.list_jobs(minimal=True)).jobs
    assert [job.started_at for job in minimal] == [None, None, None]  # no stats sent


@pytest.mark.asyncio
async def test_list_jobs_follows_pages(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    for _ in range(1203):
        cloud.add_job(status="finished")

    listing = await backend.list_jobs(states=["finished"], minimal=True)

    assert len(listing.jobs) == 1203
    assert listing.requests == 2
    assert len({job.id for job in listing.jobs}) == 1203


@pytest.mark.asyncio
async def test_templates_offer_their_compositions_and_layers(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    layer = {"layerName": "Title", "composition": "Main", "type": "text"}
    template_id = cloud.add_template("Promo", compositions=["Main", "Outro"], layers=[layer])

    [listed] = await backend.templates()
    one = await backend.template(template_id)

    assert listed == one
    assert (one.name, one.compositions, one.ready) == ("Promo", ("Main", "Outro"), True)
    assert [(lay.name, lay.composition, lay.type) for lay in one.layers] == [
        ("Title", "Main", "text")
    ]
    with pytest.raises(JobGone):
        await backend.template("01HZZZZZZZZZZZZZZZZZZZZZZZ")


# -- errors the user sees -----------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_a_missing_or_wrong_token_says_to_update_it(
    cloud: FakeNexrenderCloud, token: str | None
) -> None:
    backend = make_backend(cloud, Sleeps(), token=token)

    with pytest.raises(TokenRejected, match="token rejected — update it in Connections"):
        await backend.submit_many([body()])
    with pytest.raises(TokenRejected):
        await backend.refresh([watched("01HX0000000000000000000000")])
    await backend.aclose()
    assert cloud.jobs == {}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (402, NoCredits, "Insufficient credits"),
        (403, NotAllowed, "Token lacks the jobs:write scope"),
    ],
)
async def test_account_refusals_name_the_problem(
    backend: NexrenderCloudBackend,
    cloud: FakeNexrenderCloud,
    status: int,
    error: type[Exception],
    message: str,
) -> None:
    cloud.fail_next(status, method="POST", path="/jobs", message=message)

    with pytest.raises(error) as raised:
        await backend.submit_many([body()])

    expected = "not enough credits" if status == 402 else "not allowed by your plan or token"
    assert str(raised.value) == f"cloud: {expected}: {message}"
    assert cloud.count("POST", "/jobs") == 1


@pytest.mark.asyncio
async def test_an_unknown_job_is_job_gone_with_the_servers_words(
    backend: NexrenderCloudBackend,
) -> None:
    with pytest.raises(JobGone, match=r"cloud: not found: Job 01HZ\w+ not found"):
        await backend.get("01HZZZZZZZZZZZZZZZZZZZZZZZ")


@pytest.mark.asyncio
async def test_429_waits_as_long_as_retry_after_says(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud, sleeps: Sleeps
) -> None:
    job = cloud.add_job()
    cloud.fail_next(429, method="GET", path=f"/jobs/{job.id}", retry_after="7")

    fetched = await backend.get(job.id)

    assert fetched.id == job.id
    assert sleeps.delays == [7.0]


@pytest.mark.asyncio
async def test_5xx_on_reads_is_retried_a_bounded_number_of_times(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud, sleeps: Sleeps
) -> None:
    job = cloud.add_job()
    cloud.fail_next(502, method="GET", times=2)
    assert (await backend.get(job.id)).id == job.id
    assert len(sleeps.delays) == 2

    cloud.fail_next(503, method="GET", times=50)
    with pytest.raises(Unavailable, match="503"):
        await backend.get(job.id)
    assert cloud.count("GET", f"/jobs/{job.id}") == 3 + 4  # default policy: four attempts
