"""Remote jobs through the service: what reaches the store, health, and the refresh timer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from render_manager.backends.errors import BackendError, Unavailable
from render_manager.domain.connection import Connection
from render_manager.domain.status import JobStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService, RefreshReport
from render_manager.services.refresh import Cadence, RefreshScheduler
from tests.fakes import cloud_home, nexrender_cloud
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley, export_body


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    return cloud_home(home, keychain)


def _service(ctx: AppContext, **fakes: object) -> JobService:
    def transport_for(connection: Connection) -> httpx.AsyncBaseTransport:
        fake = fakes[connection.name]
        return httpx.MockTransport(fake)  # type: ignore[arg-type]

    return AppServices(ctx, transport_for=transport_for).job_service


@pytest.mark.asyncio
async def test_rendley_jobs_are_stored_refreshed_and_cancelled(ctx: AppContext) -> None:
    fake = FakeRendley()
    service = _service(ctx, rendley=fake)
    result = await service.submit("rendley", [export_body("prj_1"), export_body("prj_2")])
    assert result.status == "created"
    assert result.batch_id is not None
    stored = ctx.jobs.list(connection="rendley")
    assert len(stored) == 2
    assert {j.batch_id for j in stored} == {result.batch_id}
    assert {j.status for j in stored} == {JobStatus.QUEUED}

    first, second = (job_id for _, job_id in result.jobs)
    fake.advance(first)
    fake.advance(first)  # processing -> completed
    report = await service.refresh("rendley")
    assert report.changed == 1
    done = ctx.jobs.get(first)
    assert done is not None
    assert done.status is JobStatus.FINISHED
    assert done.output is not None
    assert done.output.startswith("https://storage.rendley.com/")

    queued = ctx.jobs.get(second)
    assert queued is not None
    summary = await service.cancel([queued, done])
    assert summary.cancelled == [second]
    assert [job_id for job_id, _ in summary.skipped] == [first]
    cancelled = ctx.jobs.get(second)
    assert cancelled is not None
    assert cancelled.status is JobStatus.CANCELLED
    await service.aclose()


@pytest.mark.asyncio
async def test_a_transport_failure_marks_the_connection_not_the_jobs(ctx: AppContext) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, cloud=fake)
    result = await service.submit(
        "cloud", [{"name": "Spring promo", "template": {"id": "tpl-1", "composition": "Main"}}]
    )
    ((_, job_id),) = result.jobs
    fake.fail_next(503, times=20)
    with pytest.raises(Unavailable):
        await service.refresh("cloud")
    assert service.health["cloud"].ok is False
    assert "503" in (service.health["cloud"].error or "")
    job = ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.QUEUED, "a transport error must not change a job"

    fake._faults.clear()
    fake.start(job_id, progress=40.0)
    await service.refresh("cloud")
    assert service.health["cloud"].ok is True
    job = ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.RENDERING
    assert job.progress == 40.0
    # A minimal status record must not overwrite what the user named the job.
    assert job.name == "Spring promo"
    await service.aclose()


@pytest.mark.asyncio
async def test_the_refresh_timer_backs_off_and_recovers_by_itself(ctx: AppContext) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, cloud=fake)
    await service.submit("cloud", [{"template": {"id": "tpl-1", "composition": "Main"}}])
    fake.fail_next(503, times=12)  # three failed cycles of four attempts each
    reports: list[RefreshReport] = []
    errors: list[str] = []
    scheduler = RefreshScheduler(
        service,
        cadence=Cadence(active_s=0.01, idle_s=0.01, minimum_s=0.0, max_backoff_s=0.05),
        on_report=reports.append,
        on_error=lambda name, exc: errors.append(name),
    )
    service_sleep = _no_retry_sleep(service)
    scheduler.start(["cloud"])
    await _until(lambda: bool(reports))
    await scheduler.stop()
    await service.aclose()
    assert errors == ["cloud"] * 3
    assert service.health["cloud"].ok
    assert service_sleep()


def _no_retry_sleep(service: JobService) -> Callable[[], bool]:
    """Make the back-end's retry waits instant (the fake's faults are counted, not timed)."""

    async def instant(_seconds: float) -> None:
        await asyncio.sleep(0)

    async def patch() -> None:
        backend = await service.backend("cloud")
        backend._http._sleep = instant  # type: ignore[attr-defined]

    task = asyncio.ensure_future(patch())
    return task.done


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_scheduler_follows_added_and_removed_connections(ctx: AppContext) -> None:
    cloud, rendley_fake = FakeNexrenderCloud(), FakeRendley()
    service = _service(ctx, cloud=cloud, rendley=rendley_fake)
    refreshed: list[str] = []
    scheduler = RefreshScheduler(
        service,
        cadence=Cadence(active_s=0.01, idle_s=0.01, minimum_s=0.0, max_backoff_s=0.05),
        on_report=lambda report: refreshed.append(report.connection),
    )
    scheduler.sync(["cloud"])
    await _until(lambda: "cloud" in refreshed)
    # The user removed "cloud" and added "rendley" in the Connections dialog.
    scheduler.sync(["rendley"])
    await _until(lambda: "rendley" in refreshed)
    refreshed.clear()
    await _until(lambda: refreshed.count("rendley") >= 3)
    await scheduler.stop()
    await service.aclose()
    assert "cloud" not in refreshed


@pytest.mark.asyncio
async def test_a_new_token_takes_effect_after_forget_all(
    ctx: AppContext, keychain: Keychain
) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, cloud=fake)
    keychain.set("cloud", "wrong-token")
    with pytest.raises(BackendError, match="token rejected"):
        await service.templates("cloud")
    assert not service.health["cloud"].ok
    # The user typed the right token in the Connections dialog.
    keychain.set("cloud", nexrender_cloud.TOKEN)
    await service.forget_all()
    assert "cloud" not in service.health
    await service.templates("cloud")
    assert service.health["cloud"].ok
    await service.aclose()


@pytest.mark.asyncio
async def test_a_new_cadence_takes_effect_without_waiting_out_the_old_one(
    ctx: AppContext,
) -> None:
    service = _service(ctx, cloud=FakeNexrenderCloud())
    reports: list[RefreshReport] = []
    slow = Cadence(active_s=3600.0, idle_s=3600.0, minimum_s=0.0)
    scheduler = RefreshScheduler(service, cadence=slow, on_report=reports.append)
    scheduler.sync(["cloud"])
    await _until(lambda: len(reports) == 1)
    # The user picks a faster rate: the hour-long wait is cut short.
    scheduler.set_cadence(Cadence(active_s=0.01, idle_s=0.01, minimum_s=0.0))
    await _until(lambda: len(reports) >= 3)
    await scheduler.stop()
    await service.aclose()


@pytest.mark.asyncio
async def test_more_than_a_thousand_cloud_jobs_are_all_stored_under_their_batches(
    ctx: AppContext,
) -> None:
    service = _service(ctx, cloud=FakeNexrenderCloud())
    bodies = [{"template": {"id": "tpl-1", "composition": "Main"}} for _ in range(1001)]
    result = await service.submit("cloud", bodies, batch_name="big.csv")
    await service.aclose()
    assert result.status == "created"
    stored = ctx.jobs.list(connection="cloud")
    assert len(stored) == 1001
    # Nexrender Cloud takes at most 1000 jobs a request: two batches, both known here.
    batch_ids = {job.batch_id for job in stored}
    assert len(batch_ids) == 2
    for batch_id in batch_ids:
        assert batch_id is not None
        batch = ctx.jobs.batch(batch_id)
        assert batch is not None
        assert batch.name == "big.csv"
