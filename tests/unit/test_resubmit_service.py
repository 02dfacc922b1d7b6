"""Edit and resubmit through the service: the edited body is sent as a new job linked to the
one it retries (`retry_of`), locally and remotely, never twice when an answer is lost, and
a job that cannot be resubmitted is refused with the reason."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus, LocalStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.resubmit import resubmit_body
from render_manager.services.resubmit_source import NO_BODY, ResubmitSource, load_source
from tests.engine.fixtures import Engine
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    return cloud_home(home, keychain)


def _services(ctx: AppContext, cloud: FakeNexrenderCloud) -> AppServices:
    def transport_for(connection: Connection) -> httpx.AsyncBaseTransport:
        assert connection.name == "cloud"
        return httpx.MockTransport(cloud)

    return AppServices(ctx, transport_for=transport_for)


def _body(composition: str) -> dict[str, Any]:
    return {
        "template": {"id": "tpl-1", "composition": composition},
        "assets": [
            {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hi"}
        ],
        "tags": ["promo"],
    }


async def _failed_cloud_job(services: AppServices, cloud: FakeNexrenderCloud) -> str:
    result = await services.job_service.submit("cloud", [_body("Mian")])
    ((_, job_id),) = result.jobs
    cloud.fail(job_id)
    await services.job_service.refresh("cloud")
    return job_id


async def test_an_edited_cloud_body_is_sent_as_a_new_job_linked_to_the_failed_one(
    ctx: AppContext,
) -> None:
    cloud = FakeNexrenderCloud()
    services = _services(ctx, cloud)
    old = await _failed_cloud_job(services, cloud)
    job = ctx.jobs.get(old)
    assert job is not None
    source = load_source(ctx, services.local_jobs, job)
    assert isinstance(source, ResubmitSource)
    assert source.body["template"] == {"id": "tpl-1", "composition": "Mian"}
    assert not any(t.startswith("rm-") for t in source.body.get("tags", [])), "key removed"
    edited = copy.deepcopy(dict(source.body))
    edited["template"]["composition"] = "Main"

    summary = await resubmit_body(services, old, edited, base_dir=ctx.home)

    ((asked, new),) = summary.retried
    assert (asked, summary.skipped) == (old, [])
    assert cloud.jobs[new].body["template"] == {"id": "tpl-1", "composition": "Main"}
    assert cloud.jobs[old].body["template"]["composition"] == "Mian"
    assert ctx.jobs.get(old).status is JobStatus.FAILED  # type: ignore[union-attr]
    assert ctx.requests.links([new])[new].retry_of == old
    assert ctx.requests.links([old])[old].retried_as == new

    again = await resubmit_body(services, old, edited, base_dir=ctx.home)
    assert again.retried == []
    assert again.skipped == [(old, f"already retried as {new}: edit that job instead")]
    await services.aclose()


async def test_a_lost_answer_is_looked_up_and_the_edited_job_never_made_twice(
    ctx: AppContext,
) -> None:
    cloud = FakeNexrenderCloud()
    services = _services(ctx, cloud)
    old = await _failed_cloud_job(services, cloud)
    before = len(cloud.jobs)
    cloud.timeout_after_next("POST", "/batches")
    cloud.timeout_after_next("POST", "/jobs")

    summary = await resubmit_body(services, old, _body("Main"), base_dir=ctx.home)

    assert len(cloud.jobs) == before + 1, "created once, found again by its row tag"
    ((_, new),) = summary.retried
    assert cloud.jobs[new].body["template"]["composition"] == "Main"
    assert ctx.requests.links([new])[new].retry_of == old
    await services.aclose()


async def test_jobs_that_cannot_be_resubmitted_say_why(ctx: AppContext) -> None:
    cloud = FakeNexrenderCloud()
    services = _services(ctx, cloud)
    result = await services.job_service.submit("cloud", [_body("Main")])
    ((_, queued),) = result.jobs
    failed = "made-elsewhere"  # a job the team view found: no body of ours
    ctx.jobs.upsert_many([
        Job.from_raw(
            kind=BackendKind.NEXRENDER_CLOUD, id=failed, connection="cloud", name="theirs",
            raw_status="error", created_at=datetime(2026, 11, 2, tzinfo=UTC),
        )
    ])  # fmt: skip

    summary = await resubmit_body(services, queued, _body("Main"), base_dir=ctx.home)
    other = await resubmit_body(services, failed, _body("Main"), base_dir=ctx.home)
    missing = await resubmit_body(services, "nope", _body("Main"), base_dir=ctx.home)

    assert summary.skipped == [
        (queued, "only a failed or cancelled job can be resubmitted; this one is still queued")
    ]
    assert other.skipped == [(failed, NO_BODY)]
    assert missing.skipped == [("nope", "no such job")]
    assert len(cloud.jobs) == 1, "nothing was sent"
    await services.aclose()


async def test_a_failed_local_job_resubmitted_is_a_new_queued_job_linked_to_it(
    engine: Engine,
) -> None:
    ctx = engine.ctx
    services = AppServices(ctx)
    ((_, old),) = engine.submit(engine.job_body(composition="Mian", frameEnd=9)).jobs
    engine.local.set_status(old, LocalStatus.FAILED, error="No comp was found")
    job = ctx.jobs.get(old)
    assert job is not None
    source = load_source(ctx, services.local_jobs, job)
    assert isinstance(source, ResubmitSource)
    assert source.body["template"]["composition"] == "Mian"
    edited = copy.deepcopy(dict(source.body))
    edited["template"]["composition"] = "Main"

    summary = await resubmit_body(services, old, edited, base_dir=ctx.home)

    ((asked, new),) = summary.retried
    assert asked == old
    assert new != old, "a new job: the body changed"
    record = engine.local.get(new)
    assert record is not None
    assert record.job.status is JobStatus.QUEUED
    assert record.spec["template"]["composition"] == "Main"
    assert record.spec["template"]["frameEnd"] == 9, "what was not edited is kept"
    assert ctx.jobs.get(old).status is JobStatus.FAILED  # type: ignore[union-attr]
    assert ctx.requests.links([new])[new].retry_of == old
    retry = await services.retry([old])
    assert retry.skipped == [(old, f"already retried as {new}")], "not requeued as well"
    await services.aclose()


async def test_an_edited_local_body_the_engine_refuses_is_not_sent(engine: Engine) -> None:
    ctx = engine.ctx
    services = AppServices(ctx)
    ((_, old),) = engine.submit(engine.job_body(composition="Mian")).jobs
    engine.local.set_status(old, LocalStatus.FAILED, error="No comp was found")
    body = engine.job_body(composition="Main")
    body["template"]["src"] = str(engine.project.parent / "gone.aep")

    summary = await resubmit_body(services, old, body, base_dir=ctx.home)

    assert summary.retried == []
    ((asked, why),) = summary.skipped
    assert asked == old
    assert why.startswith("not retried: ")
    assert "gone.aep" in why
    assert [j.id for j in ctx.jobs.list()] == [old]
    assert ctx.requests.links([old]) == {}
    await services.aclose()
