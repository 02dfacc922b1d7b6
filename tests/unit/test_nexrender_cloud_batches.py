"""Cancelling a whole Nexrender Cloud batch with `POST /batches/{id}/cancel`, however much
detail the answer carries."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from render_manager.backends.errors import JobGone
from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from tests.fakes.nexrender_cloud import TOKEN, FakeNexrenderCloud

CLOUD = Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD)


def body(composition: str = "Main", **extra: Any) -> dict[str, Any]:
    return {"template": {"id": "tpl-1", "composition": composition}, "assets": [], **extra}


def nested_body() -> dict[str, Any]:
    return body("Final", assets=[{"type": "job", "layerName": "intro", "job": body("Intro")}])


@pytest.fixture
def cloud() -> FakeNexrenderCloud:
    return FakeNexrenderCloud()


@pytest_asyncio.fixture
async def backend(cloud: FakeNexrenderCloud) -> AsyncIterator[NexrenderCloudBackend]:
    client = NexrenderCloudBackend(CLOUD, TOKEN, transport=cloud.transport())
    yield client
    await client.aclose()


async def _batch_with_one_rendering(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> tuple[str, list[Job]]:
    """A batch of a plain job (now rendering), a nested job and another plain job."""
    submitted = await backend.submit_many(
        [body(name="Shot 1"), {**nested_body(), "name": "Shot 2"}, body(name="Shot 3")]
    )
    assert submitted.batch_id is not None
    known = [job for _, job in submitted.jobs]
    cloud.start(known[0].id)
    return submitted.batch_id, known


@pytest.mark.asyncio
@pytest.mark.parametrize("detail", ["full", "rows", "counts"])
async def test_one_request_cancels_the_batch_and_reports_every_job(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud, detail: str
) -> None:
    batch_id, known = await _batch_with_one_rendering(backend, cloud)
    cloud.batch_cancel_detail = detail
    rendering, *rest = known
    before = len(cloud.calls)

    outcome = await backend.cancel_batch(batch_id, known)

    assert cloud.count("POST", f"/batches/{batch_id}/cancel") == 1
    assert cloud.count("PATCH", "/jobs/*") == cloud.count("POST", "/jobs/cancel") == 0
    # Every job the cloud cancelled (the nested child included) comes back cancelled, with
    # the name the user gave it.
    assert {j.id for j in outcome.cancelled} == {j.id for j in rest}
    assert all(j.status is JobStatus.CANCELLED for j in outcome.cancelled)
    assert {j.name for j in outcome.cancelled} == {j.name for j in rest}
    assert {j.batch_id for j in outcome.cancelled} == {batch_id}
    assert [job_id for job_id, _ in outcome.skipped] == [rendering.id]
    assert set(cloud.statuses().values()) == {"render:dorender", "manually_cancelled"}
    if detail == "full":
        assert len(cloud.calls) == before + 1  # the answer says everything: no follow-up


@pytest.mark.asyncio
async def test_a_terse_answer_is_settled_by_reading_the_batch_and_each_nested_job(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    batch_id, known = await _batch_with_one_rendering(backend, cloud)
    child = next(job for job in known if job.parent_id is not None)
    cloud.batch_cancel_detail = "counts"

    outcome = await backend.cancel_batch(batch_id, known)

    # The batch lists its row jobs; the nested child has no row, so it is read on its own.
    assert cloud.count("GET", f"/batches/{batch_id}") == 1
    assert [c.path for c in cloud.calls if c.path.startswith("/jobs/")] == [f"/jobs/{child.id}"]
    reasons = dict(outcome.skipped)
    assert reasons == {known[0].id: "Nexrender Cloud cancels only queued and pending jobs"}


@pytest.mark.asyncio
async def test_a_row_marked_cancelled_is_cancelled_whatever_status_it_shows(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    batch_id, known = await _batch_with_one_rendering(backend, cloud)
    cloud.batch_cancel_detail = "rows"  # rows show the status from before the cancel

    outcome = await backend.cancel_batch(batch_id, known)

    last = next(j for j in outcome.cancelled if j.id == known[-1].id)
    assert (last.status, last.raw_status) == (JobStatus.CANCELLED, "manually_cancelled")


@pytest.mark.asyncio
async def test_the_cloud_s_reason_for_a_skipped_job_is_kept(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    batch_id, known = await _batch_with_one_rendering(backend, cloud)

    outcome = await backend.cancel_batch(batch_id, known)

    assert dict(outcome.skipped) == {known[0].id: "Job is actively rendering"}


@pytest.mark.asyncio
async def test_cancelled_children_unknown_to_the_caller_are_reported_too(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([nested_body(), body()])
    assert submitted.batch_id is not None
    parents = [job for _, job in submitted.jobs if job.parent_id is None]

    outcome = await backend.cancel_batch(submitted.batch_id, parents)

    assert len(outcome.cancelled) == 3  # both row jobs and the child nested in the first
    child = next(j for j in outcome.cancelled if j.id not in {p.id for p in parents})
    assert child.status is JobStatus.CANCELLED
    assert child.batch_id == submitted.batch_id
    assert outcome.skipped == []


@pytest.mark.asyncio
async def test_a_known_job_the_batch_request_did_not_reach_is_cancelled_on_its_own(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    submitted = await backend.submit_many([body(), body()])
    assert submitted.batch_id is not None
    # Filed under the batch here, but created on its own at the cloud.
    stray = (await backend.submit_many([body("Stray")])).jobs[0][1]
    known = [job for _, job in submitted.jobs] + [stray.with_changes(batch_id=submitted.batch_id)]

    outcome = await backend.cancel_batch(submitted.batch_id, known)

    assert {job.id for job in outcome.cancelled} == {job.id for job in known}
    assert outcome.skipped == []
    assert cloud.jobs[stray.id].status == "manually_cancelled"
    assert cloud.count("PATCH", f"/jobs/{stray.id}/cancel") == 1


@pytest.mark.asyncio
async def test_a_batch_the_cloud_does_not_know_is_job_gone(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud
) -> None:
    job = cloud.add_job()

    with pytest.raises(JobGone):
        await backend.cancel_batch("01HZZZZZZZZZZZZZZZZZZZZZZZ", [])

    assert cloud.jobs[job.id].status == "queued"


@pytest.mark.asyncio
async def test_the_answer_the_cloud_sends_is_read_without_a_warning_and_settles_every_job(
    backend: NexrenderCloudBackend, cloud: FakeNexrenderCloud, caplog: pytest.LogCaptureFixture
) -> None:
    submitted = await backend.submit_many([nested_body(), body(name="Plain"), nested_body()])
    assert submitted.batch_id is not None
    known = [job for _, job in submitted.jobs]
    assert len(known) == 5  # three row jobs, two of them with a nested child
    before = len(cloud.calls)

    with caplog.at_level(logging.WARNING, logger="render_manager"):
        outcome = await backend.cancel_batch(submitted.batch_id, known)

    assert [r.getMessage() for r in caplog.records] == []
    assert {j.id for j in outcome.cancelled} == {j.id for j in known}
    assert {j.status for j in outcome.cancelled} == {JobStatus.CANCELLED}
    assert {j.name for j in outcome.cancelled} == {j.name for j in known}
    assert outcome.skipped == []
    # The answer names every job it cancelled: nothing is read again.
    assert len(cloud.calls) == before + 1
