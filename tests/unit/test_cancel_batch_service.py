"""Cancelling a batch through the cancel service: one request for a whole Nexrender Cloud
batch, job by job otherwise, and every affected job stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from render_manager.domain.connection import Connection
from render_manager.domain.ids import new_ulid
from render_manager.domain.status import JobStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley, export_body


def body(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "template": {"id": "tpl-1", "composition": "Main"}, **extra}


def nested(name: str) -> dict[str, Any]:
    child = {"template": {"id": "tpl-1", "composition": "Intro"}}
    return body(name, assets=[{"type": "job", "layerName": "intro", "job": child}])


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    return cloud_home(home, keychain)


@pytest.fixture
def cloud() -> FakeNexrenderCloud:
    return FakeNexrenderCloud()


@pytest.fixture
def rendley() -> FakeRendley:
    return FakeRendley()


@pytest_asyncio.fixture
async def services(
    ctx: AppContext, cloud: FakeNexrenderCloud, rendley: FakeRendley
) -> AsyncIterator[AppServices]:
    fakes = {"cloud": cloud, "rendley": rendley}

    def transport_for(connection: Connection) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(fakes[connection.name])  # type: ignore[arg-type]

    made = AppServices(ctx, transport_for=transport_for)
    yield made
    await made.aclose()


@pytest.fixture
def remote(services: AppServices) -> JobService:
    return services.job_service


def _active_ids(ctx: AppContext, batch_id: str) -> list[str]:
    return [j.id for j in ctx.jobs.list(batch_id=batch_id) if not j.is_terminal]


@pytest.mark.asyncio
async def test_a_whole_cloud_batch_goes_in_one_request_and_every_job_is_stored(
    ctx: AppContext, services: AppServices, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    result = await remote.submit("cloud", [body("Shot 1"), nested("Shot 2"), body("Shot 3")])
    assert result.batch_id is not None
    assert result.batch_id in cloud.batches
    rendering = result.jobs[0][1]
    cloud.start(rendering)
    await remote.refresh("cloud")

    summary = await services.cancel(_active_ids(ctx, result.batch_id), batch_id=result.batch_id)

    assert cloud.count("POST", f"/batches/{result.batch_id}/cancel") == 1
    assert cloud.count("PATCH", "/jobs/*") == cloud.count("POST", "/jobs/cancel") == 0
    stored = {j.id: j for j in ctx.jobs.list(batch_id=result.batch_id)}
    assert len(stored) == 4  # three rows and the child nested in the second
    cancelled = {i for i, j in stored.items() if j.status is JobStatus.CANCELLED}
    assert cancelled == set(stored) - {rendering}
    assert sorted(summary.cancelled) == sorted(cancelled)
    assert summary.skipped == [(rendering, "Job is actively rendering")]
    assert {stored[i].name for i in cancelled} >= {"Shot 2", "Shot 3"}


@pytest.mark.asyncio
async def test_a_batch_with_jobs_left_out_is_cancelled_job_by_job(
    ctx: AppContext, services: AppServices, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    result = await remote.submit("cloud", [body("Shot 1"), body("Shot 2"), body("Shot 3")])
    assert result.batch_id is not None
    first, second, kept = (job_id for _, job_id in result.jobs)

    summary = await services.cancel([first, second], batch_id=result.batch_id)

    assert cloud.count("POST", "/batches/*") == 0  # no batch cancel
    assert sorted(summary.cancelled) == sorted([first, second])
    assert cloud.jobs[kept].status == "queued"
    still = ctx.jobs.get(kept)
    assert still is not None
    assert still.status is JobStatus.QUEUED


@pytest.mark.asyncio
async def test_a_batch_the_cloud_does_not_know_falls_back_to_one_cancel_per_job(
    ctx: AppContext, services: AppServices, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    # One job per chunk goes through POST /jobs: the app files it under its own grouping.
    grouping = new_ulid()
    for name in ("Shot 1", "Shot 2"):
        await remote.submit("cloud", [body(name)], batch_id=grouping, batch_name="Promo")
    ids = _active_ids(ctx, grouping)
    assert len(ids) == 2

    summary = await services.cancel(ids, batch_id=grouping)

    assert cloud.count("POST", f"/batches/{grouping}/cancel") == 1  # 404: not a cloud batch
    assert sorted(summary.cancelled) == sorted(ids)
    assert summary.skipped == []
    assert {j.status for j in ctx.jobs.list(batch_id=grouping)} == {JobStatus.CANCELLED}
    assert remote.health["cloud"].ok


@pytest.mark.asyncio
async def test_other_back_ends_cancel_a_batch_job_by_job(
    ctx: AppContext, services: AppServices, remote: JobService, rendley: FakeRendley
) -> None:
    result = await remote.submit("rendley", [export_body("prj_1"), export_body("prj_2")])
    assert result.batch_id is not None

    summary = await services.cancel(_active_ids(ctx, result.batch_id), batch_id=result.batch_id)

    assert rendley.count("DELETE") == 2
    assert len(summary.cancelled) == 2
    assert {j.status for j in ctx.jobs.list(batch_id=result.batch_id)} == {JobStatus.CANCELLED}


@pytest.mark.asyncio
async def test_without_a_batch_id_a_whole_batch_is_still_cancelled_job_by_job(
    ctx: AppContext, services: AppServices, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    result = await remote.submit("cloud", [body("Shot 1"), body("Shot 2")])
    assert result.batch_id is not None

    summary = await services.cancel(_active_ids(ctx, result.batch_id))

    assert cloud.count("POST", f"/batches/{result.batch_id}/cancel") == 0
    assert cloud.count("POST", "/jobs/cancel") == 1
    assert len(summary.cancelled) == 2
