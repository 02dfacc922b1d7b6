"""Nexrender Cloud's team view: refresh also brings in jobs created elsewhere on the account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from render_manager.domain.connection import Connection
from render_manager.domain.ids import ulid_time
from render_manager.domain.status import JobStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import Call, FakeNexrenderCloud


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    context = cloud_home(home, keychain)
    cloud = context.connections.get("cloud")
    context.connections.update(replace(cloud, team_view=True))
    return context


@pytest.fixture
def cloud() -> FakeNexrenderCloud:
    fake = FakeNexrenderCloud()
    fake.now = datetime.now(UTC) - timedelta(hours=3)  # the team's jobs are recent
    return fake


@pytest_asyncio.fixture
async def remote(ctx: AppContext, cloud: FakeNexrenderCloud) -> AsyncIterator[JobService]:
    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return cloud.transport()

    service = AppServices(ctx, transport_for=transport_for).job_service
    yield service
    await service.aclose()


def _team_listings(cloud: FakeNexrenderCloud) -> list[Call]:
    return [c for c in cloud.calls if c.path == "/jobs" and "from_date" in c.params]


@pytest.mark.asyncio
async def test_jobs_created_elsewhere_are_stored_with_their_status(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    queued = cloud.add_job()
    done = cloud.add_job(status="finished")

    report = await remote.refresh("cloud")

    first = ctx.jobs.get(queued.id)
    finished = ctx.jobs.get(done.id)
    assert first is not None
    assert finished is not None
    assert (first.status, finished.status) == (JobStatus.QUEUED, JobStatus.FINISHED)
    assert finished.output == done.output_url
    # Minimal records carry no times: the creation time is read from the server's ULID.
    assert first.created_at == ulid_time(queued.id)
    assert (report.changed, report.active) == (2, 1)
    [listing] = _team_listings(cloud)
    assert listing.params["minimal"] == "true"
    since = datetime.fromisoformat(listing.params["from_date"])
    assert timedelta(days=6) < datetime.now(UTC) - since < timedelta(days=8)


@pytest.mark.asyncio
async def test_the_first_refresh_looks_back_a_week_and_no_further(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    cloud.now = datetime.now(UTC) - timedelta(days=10)
    old = cloud.add_job()
    cloud.now = datetime.now(UTC) - timedelta(days=2)
    recent = cloud.add_job()

    await remote.refresh("cloud")

    assert ctx.jobs.get(old.id) is None
    assert ctx.jobs.get(recent.id) is not None


@pytest.mark.asyncio
async def test_later_refreshes_ask_only_since_the_newest_job_seen(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    mine = await remote.submit(
        "cloud", [{"name": "Spring promo", "template": {"id": "tpl-1", "composition": "Main"}}]
    )
    ((_, my_job),) = mine.jobs
    await remote.refresh("cloud")
    newest = ulid_time(my_job)
    assert newest is not None
    cloud.now += timedelta(minutes=30)
    colleague = cloud.add_job()

    report = await remote.refresh("cloud")

    second = _team_listings(cloud)[-1]
    assert datetime.fromisoformat(second.params["from_date"]) == newest - timedelta(minutes=1)
    assert report.changed == 1
    assert ctx.jobs.get(colleague.id) is not None
    # A job this app submitted keeps the name the user gave it.
    stored = ctx.jobs.get(my_job)
    assert stored is not None
    assert stored.name == "Spring promo"
    assert len(ctx.jobs.list(connection="cloud")) == 2


@pytest.mark.asyncio
async def test_a_team_job_is_followed_by_the_usual_refresh_afterwards(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    job = cloud.add_job()
    await remote.refresh("cloud")
    cloud.start(job.id, progress=30.0)

    await remote.refresh("cloud")

    stored = ctx.jobs.get(job.id)
    assert stored is not None
    assert (stored.status, stored.progress) == (JobStatus.RENDERING, 30.0)


@pytest.mark.asyncio
async def test_a_team_job_of_a_batch_made_elsewhere_is_filed_under_that_batch(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    job_id, batch_id = "01KB0000000000000000000001", "01KB0000000000000000000BAT"
    cloud.add_raw({"id": job_id, "status": "queued", "batchId": batch_id, "templateId": "tpl-9"})

    await remote.refresh("cloud")

    stored = ctx.jobs.get(job_id)
    assert stored is not None
    assert stored.batch_id == batch_id
    batch = ctx.jobs.batch(batch_id)
    assert batch is not None
    assert batch.connection == "cloud"


@pytest.mark.asyncio
async def test_with_the_team_view_off_only_this_app_s_jobs_are_shown(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    ctx.connections.update(replace(ctx.connections.get("cloud"), team_view=False))
    elsewhere = cloud.add_job()

    await remote.refresh("cloud")

    assert ctx.jobs.get(elsewhere.id) is None
    assert _team_listings(cloud) == []


@pytest.mark.asyncio
async def test_turning_the_team_view_on_takes_effect_after_forget_all(
    ctx: AppContext, remote: JobService, cloud: FakeNexrenderCloud
) -> None:
    ctx.connections.update(replace(ctx.connections.get("cloud"), team_view=False))
    elsewhere = cloud.add_job()
    await remote.refresh("cloud")
    # The user ticks "Team view" in the Connections dialog, which saves and resets.
    ctx.connections.update(replace(ctx.connections.get("cloud"), team_view=True))
    await remote.forget_all()

    await remote.refresh("cloud")

    assert ctx.jobs.get(elsewhere.id) is not None
