"""Retrying remote jobs through the retry service: a new job from the stored body, linked
both ways, chunked like a submission, and never created twice when an answer is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.status import JobStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley, export_body

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    return cloud_home(home, keychain)


def _services(ctx: AppContext, cloud: FakeNexrenderCloud, rendley: FakeRendley) -> AppServices:
    fakes: dict[str, Any] = {"cloud": cloud, "rendley": rendley}

    def transport_for(connection: Connection) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(fakes[connection.name])

    return AppServices(ctx, transport_for=transport_for)


def _body(name: str) -> dict[str, Any]:
    return {"name": name, "template": {"id": "tpl-1", "composition": "Main"}, "tags": ["promo"]}


async def _submit_and_fail(
    services: AppServices, cloud: FakeNexrenderCloud, count: int
) -> list[str]:
    result = await services.job_service.submit("cloud", [_body(f"job {n}") for n in range(count)])
    ids = [job_id for _, job_id in result.jobs]
    for job_id in ids:
        cloud.fail(job_id)
    await services.job_service.refresh("cloud")
    return ids


async def test_a_failed_cloud_job_is_sent_again_as_a_new_job_linked_both_ways(
    ctx: AppContext,
) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    (old,) = await _submit_and_fail(services, cloud, 1)

    summary = await services.retry([old])

    ((asked, new),) = summary.retried
    assert asked == old
    assert new != old
    assert summary.skipped == []
    assert new in cloud.jobs
    assert cloud.jobs[new].body["template"] == _body("x")["template"]
    # The user's tag goes again; the app's row tag of the first request does not.
    first_tags = {t for t in cloud.jobs[old].tags if t.startswith("rm-")}
    assert "promo" in cloud.jobs[new].tags
    assert not first_tags & set(cloud.jobs[new].tags)
    assert ctx.jobs.get(old).status is JobStatus.FAILED, "the old job keeps its failure"
    links = ctx.requests.links([old, new])
    assert links[old].retried_as == new
    assert links[new].retry_of == old

    again = await services.retry([old])
    assert again.retried == []
    assert again.skipped == [(old, f"already retried as {new}")]
    await services.aclose()


async def test_3000_failed_cloud_jobs_are_retried_in_three_requests(ctx: AppContext) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    ids = await _submit_and_fail(services, cloud, 3000)
    creates = cloud.count("POST")

    summary = await services.retry(ids)

    assert len(summary.retried) == 3000
    assert summary.skipped == []
    assert cloud.count("POST") - creates == 3
    await services.aclose()


async def test_queued_finished_and_unknown_jobs_are_skipped_with_the_reason(
    ctx: AppContext,
) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    result = await services.job_service.submit("cloud", [_body("queued"), _body("done")])
    queued, done = (job_id for _, job_id in result.jobs)
    cloud.start(done)
    cloud.finish(done)
    await services.job_service.refresh("cloud")

    summary = await services.retry([queued, done, "nope"])

    assert summary.retried == []
    assert dict(summary.skipped) == {
        queued: "still queued",
        done: "already finished",
        "nope": "no such job",
    }
    await services.aclose()


async def test_a_lost_create_answer_is_looked_up_and_the_job_never_made_twice(
    ctx: AppContext,
) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    (old,) = await _submit_and_fail(services, cloud, 1)
    before = len(cloud.jobs)
    # The new job is created, then the answer is lost.
    cloud.timeout_after_next("POST", "/batches")
    cloud.timeout_after_next("POST", "/jobs")

    summary = await services.retry([old])

    assert len(cloud.jobs) == before + 1, "created once, found again by its row tag"
    ((_, new),) = summary.retried
    assert new in cloud.jobs
    assert ctx.requests.links([old])[old].retried_as == new
    await services.aclose()


async def test_rendley_holds_a_retry_back_when_the_answer_is_lost(ctx: AppContext) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    result = await services.job_service.submit("rendley", [export_body("prj_1")])
    ((_, old),) = result.jobs
    rendley.advance(old, to="failed")
    await services.job_service.refresh("rendley")
    # The export is created, its answer lost, and the job list cannot be read to find it.
    rendley.timeout_after_create()
    rendley.fail("GET", "/v1/jobs", 503, times=4, after=1, retry_after="0")

    summary = await services.retry([old])

    assert summary.retried == []
    ((_, reason),) = summary.skipped
    assert "check rendley's job list" in reason
    assert len(rendley.jobs) == 2, "sent once, never again behind the user's back"

    again = await services.retry([old])
    assert again.retried == []
    ((_, why),) = again.skipped
    assert "an earlier retry's answer was lost" in why
    assert len(rendley.jobs) == 2, "a second retry waits for the user's word"

    checked = await services.retry([old], resend_unknown=True)  # they looked: not there
    ((_, new),) = checked.retried
    assert len(rendley.jobs) == 3
    assert ctx.requests.unsettled([old]) == set()
    assert ctx.requests.links([old])[old].retried_as == new
    await services.aclose()


async def test_a_cancelled_rendley_job_is_retried(ctx: AppContext) -> None:
    cloud, rendley = FakeNexrenderCloud(), FakeRendley()
    services = _services(ctx, cloud, rendley)
    result = await services.job_service.submit("rendley", [export_body("prj_1")])
    ((_, old),) = result.jobs
    await services.cancel([old])

    summary = await services.retry([old])

    ((asked, new),) = summary.retried
    assert asked == old
    assert rendley.jobs[new].status == "queued"
    await services.aclose()
