"""Every connection kind through the same service calls, and its capabilities.

The local engine renders with the fake aerender (tests/engine/fixtures.py); Nexrender
Cloud and Rendley are the fakes of tests/fakes (their services cannot run here); the
nexrender server is the real open-source one. Each goes through submit, refresh, get and
cancel of the one service of `AppServices`, and each optional ability the back-end
claims (a capability protocol) is checked against what the service then really does: the
job found again by its key, the templates listed, the price read, the batch cancelled in
one request, the output link signed afresh. A back-end without the ability gets the
service's documented answer instead (CannotCheck, no templates, no price, job-by-job
cancel, the stored link).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from render_manager.backends.protocol import (
    CancelsBatches,
    FindsByKey,
    HasTemplates,
    Prices,
    RefreshesLinks,
)
from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_output import NoOutputYet, NotALink, is_link
from render_manager.services.job_service import CannotCheck, JobService
from tests.engine.fixtures import Engine
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley, export_body
from tests.integration.nexrender_server import NexrenderServer, render_one


@dataclass
class Remote:
    """One connection kind as the test drives it: bodies it accepts, and how a job ends."""

    name: str
    kind: BackendKind
    body: Callable[[str], dict[str, Any]]
    # Play the service's render node: the job finishes with an output.
    finish: Callable[[str], Awaitable[None]]
    cloud: FakeNexrenderCloud | None = None
    rendley: FakeRendley | None = None


@dataclass
class Setup:
    remote: Remote
    ctx: AppContext
    services: AppServices

    @property
    def service(self) -> JobService:
        return self.services.job_service


def _cloud_body(name: str) -> dict[str, Any]:
    return {"name": name, "template": {"id": "tpl-1", "composition": "Main"}}


def _farm_body(name: str) -> dict[str, Any]:
    return {"name": name, "template": {"src": "file:///projects/promo.aep", "composition": name}}


def _rendley_body(name: str) -> dict[str, Any]:
    return export_body(f"prj_{name}")


def _remote(request: pytest.FixtureRequest, ctx: AppContext, keychain: Keychain) -> Remote:
    match request.param:
        case "cloud":
            cloud = FakeNexrenderCloud()

            async def finish_cloud(job_id: str) -> None:
                cloud.start(job_id)
                cloud.finish(job_id)

            return Remote("cloud", BackendKind.NEXRENDER_CLOUD, _cloud_body, finish_cloud, cloud)
        case "rendley":
            rendley = FakeRendley()

            async def finish_export(job_id: str) -> None:
                rendley.advance(job_id)  # processing
                rendley.advance(job_id)  # completed

            return Remote(
                "rendley", BackendKind.RENDLEY, _rendley_body, finish_export, rendley=rendley
            )
        case _:
            server: NexrenderServer = request.getfixturevalue("nexrender_server")
            ctx.connections.add(
                Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url=server.url)
            )
            keychain.set("farm", server.secret)

            async def finish_render(job_id: str) -> None:
                rendered = await render_one(server)
                assert rendered is not None
                assert rendered["uid"] == job_id

            return Remote("farm", BackendKind.NEXRENDER_SERVER, _farm_body, finish_render)


def _local(engine: Engine) -> Remote:
    """The local engine, one render at a time, so a job can finish while another waits."""
    engine.configure(concurrency=1)

    def body(name: str) -> dict[str, Any]:
        return {"name": name, **engine.job_body()}

    async def finish_render(job_id: str) -> None:
        # This home's engine renders the queue until the job has finished; a render it
        # started next is ended and goes back to the queue when it stops.
        pool = RenderPool(
            engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
        )
        running = asyncio.create_task(pool.run())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not _stored(engine.ctx, job_id).is_terminal:
            assert loop.time() < deadline, "the render never ended"
            assert not running.done(), running
            await asyncio.sleep(0.02)
        await pool.stop()
        await running
        assert _stored(engine.ctx, job_id).status is JobStatus.FINISHED

    return Remote("local", BackendKind.LOCAL, body, finish_render)


@pytest_asyncio.fixture(params=["local", "cloud", "rendley", "farm"])
async def setup(
    request: pytest.FixtureRequest, home: Path, keychain: Keychain
) -> AsyncIterator[Setup]:
    if request.param == "local":
        engine: Engine = request.getfixturevalue("engine")
        ctx, remote = engine.ctx, _local(engine)
    else:
        ctx = cloud_home(home, keychain)
        remote = _remote(request, ctx, keychain)

    def transport_for(connection: Connection) -> httpx.AsyncBaseTransport | None:
        fake = remote.cloud or remote.rendley
        return fake.transport() if fake is not None else None  # the farm is real HTTP

    services = AppServices(ctx, transport_for=transport_for)
    yield Setup(remote, ctx, services)
    await services.aclose()


def _stored(ctx: AppContext, job_id: str) -> Job:
    job = ctx.jobs.get(job_id)
    assert job is not None
    return job


@pytest.mark.asyncio
async def test_every_kind_submits_refreshes_gets_and_cancels(setup: Setup) -> None:
    remote, ctx, service = setup.remote, setup.ctx, setup.service
    result = await service.submit(remote.name, [remote.body("intro"), remote.body("outro")])
    assert result.status == "created"
    first, second = (job_id for _, job_id in result.jobs)
    assert {j.id for j in ctx.jobs.list(connection=remote.name)} == {first, second}
    assert not _stored(ctx, first).is_terminal

    await remote.finish(first)
    report = await service.refresh(remote.name)
    assert (report.changed, report.active) == (1, 1)
    assert _stored(ctx, first).status is JobStatus.FINISHED

    backend = await service.backend(remote.name)
    assert backend.kind is remote.kind
    assert (await backend.get(first)).status is JobStatus.FINISHED

    summary = await service.cancel([_stored(ctx, second)])
    assert summary.cancelled == [second]
    assert _stored(ctx, second).status is JobStatus.CANCELLED
    assert service.health[remote.name].ok


@pytest.mark.asyncio
async def test_a_job_is_found_by_its_key_exactly_where_the_back_end_finds_by_key(
    setup: Setup,
) -> None:
    remote, ctx, service = setup.remote, setup.ctx, setup.service
    backend = await service.backend(remote.name)
    rules = rules_for(remote.kind)
    assert rules is not None
    body, key = rules.stamp(remote.body("keyed"), "rm-bwalk-0")
    # A body carries a key exactly where the back-end can look a job up by it.
    assert (key is not None) is isinstance(backend, FindsByKey)
    ((_, job_id),) = (await service.submit(remote.name, [body])).jobs
    if key is None:
        with pytest.raises(CannotCheck):
            await service.find_created(remote.name, "rm-bwalk-0")
        return
    found = await service.find_created(remote.name, key, job_name="Keyed again")
    assert found is not None
    assert found.id == job_id
    assert _stored(ctx, job_id).name == "Keyed again"


@pytest.mark.asyncio
async def test_templates_and_prices_exactly_where_the_back_end_has_them(setup: Setup) -> None:
    remote, service = setup.remote, setup.service
    if remote.cloud is not None:
        remote.cloud.add_template("Promo")
    backend = await service.backend(remote.name)

    names = [t.name for t in await service.templates(remote.name)]
    assert names == (["Promo"] if isinstance(backend, HasTemplates) else [])

    prices = await service.cost(remote.name, [remote.body("priced")])
    if isinstance(backend, Prices):
        assert prices is not None
        assert [row for row, _ in prices] == [0]
    else:
        assert prices is None


@pytest.mark.asyncio
async def test_a_batch_is_cancelled_in_one_request_exactly_where_the_back_end_can(
    setup: Setup,
) -> None:
    remote, ctx, service = setup.remote, setup.ctx, setup.service
    bodies = [remote.body(f"row{i}") for i in range(3)]
    result = await service.submit(remote.name, bodies, batch_name="Walk")
    assert result.batch_id is not None
    ids = [job_id for _, job_id in result.jobs]
    backend = await service.backend(remote.name)

    summary = await setup.services.cancel(ids, batch_id=result.batch_id)
    assert sorted(summary.cancelled) == sorted(ids)
    assert {_stored(ctx, i).status for i in ids} == {JobStatus.CANCELLED}
    if remote.cloud is not None:
        batch_cancels = [c for c in remote.cloud.calls if c.path.endswith("/cancel")]
        assert isinstance(backend, CancelsBatches)
        assert [c.path for c in batch_cancels] == [f"/batches/{result.batch_id}/cancel"]
    else:
        assert not isinstance(backend, CancelsBatches)


@pytest.mark.asyncio
async def test_an_output_link_is_signed_afresh_exactly_where_links_expire(setup: Setup) -> None:
    remote, ctx, service = setup.remote, setup.ctx, setup.service
    ((_, job_id),) = (await service.submit(remote.name, [remote.body("linked")])).jobs
    await remote.finish(job_id)
    await service.refresh(remote.name)
    job = _stored(ctx, job_id)
    backend = await service.backend(remote.name)
    rules = rules_for(remote.kind)
    assert rules is not None
    assert rules.links_expire is isinstance(backend, RefreshesLinks)
    if remote.rendley is not None:
        remote.rendley.expire_links()
    outputs = setup.services.outputs
    if isinstance(backend, RefreshesLinks):
        fresh = await backend.fresh_output_url(job_id)
        assert fresh is not None
        assert fresh != job.output
        assert await outputs.link(job) == fresh
    elif job.output is not None and not is_link(job.output):
        # A render on this computer: its output is a file, opened as one, never as a link.
        with pytest.raises(NotALink):
            await outputs.link(job)
        assert Path(job.output).is_file()
    elif job.output is not None:
        assert await outputs.link(job) == job.output
    else:
        with pytest.raises(NoOutputYet):
            await outputs.link(job)
