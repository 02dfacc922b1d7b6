"""A job's output and log as the details panel reaches them: real renders, a fake Rendley."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext, open_context
from render_manager.services.job_output import (
    LinkUnavailable,
    LogFollower,
    NoLog,
    NoOutputYet,
    NotALink,
    OutputMissing,
    resolve_local_output,
)
from render_manager.services.job_service import JobService
from tests.conftest import MemoryKeyring
from tests.engine.fixtures import Engine
from tests.fakes import rendley
from tests.fakes.rendley import FakeRendley, export_body


def _job(**fields: object) -> Job:
    values: dict[str, object] = {
        "id": "job-1",
        "connection": "local",
        "name": "promo_01",
        "status": JobStatus.FINISHED,
        "raw_status": "finished",
        "created_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    }
    values.update(fields)
    return Job(**values)  # type: ignore[arg-type]


async def _render(engine: Engine) -> Job:
    ((_, job_id),) = engine.submit(engine.job_body(outputExt="mov")).jobs
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    await pool.run(until_idle=True)
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.FINISHED, job.error
    return job


# -- local outputs ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_rendered_output_resolves_to_the_file_on_disk(engine: Engine) -> None:
    job = await _render(engine)

    local = resolve_local_output(job)

    assert local.path == Path(str(job.output))
    assert local.path.is_file()
    assert local.folder == local.path.parent
    assert not local.is_sequence


@pytest.mark.asyncio
async def test_a_deleted_output_is_reported_with_its_path(engine: Engine) -> None:
    job = await _render(engine)
    Path(str(job.output)).unlink()

    with pytest.raises(OutputMissing, match="moved or deleted") as caught:
        resolve_local_output(job)
    assert str(job.output) in str(caught.value)


def test_a_sequence_opens_at_its_first_frame(tmp_path: Path) -> None:
    for frame in (3, 1, 2):
        (tmp_path / f"shot_{frame:04d}.png").write_bytes(b"png")
    pattern = str(tmp_path / "shot_[####].png")

    local = resolve_local_output(_job(output=pattern))

    assert local.is_sequence
    assert local.path == tmp_path / "shot_0001.png"
    assert local.recorded == pattern


def test_a_file_link_is_a_path(tmp_path: Path) -> None:
    movie = tmp_path / "my movie.mov"
    movie.write_bytes(b"moov")
    assert resolve_local_output(_job(output=movie.as_uri())).path == movie


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        (JobStatus.QUEUED, None, "has not started rendering"),
        (JobStatus.RENDERING, None, "still rendering (42 %)"),
        (JobStatus.FAILED, "aerender ERROR: No comp\nmore detail", "failed, so it has no output"),
        (JobStatus.CANCELLED, None, "was cancelled"),
    ],
)
def test_no_output_yet_says_why(status: JobStatus, error: str | None, reason: str) -> None:
    job = _job(status=status, progress=42.0, error=error)

    with pytest.raises(NoOutputYet, match=re.escape(reason)) as caught:
        resolve_local_output(job)
    assert "promo_01" in str(caught.value)
    assert "more detail" not in str(caught.value)  # the first line of an error is enough


def test_a_web_link_is_not_a_local_file() -> None:
    with pytest.raises(NotALink):
        resolve_local_output(_job(output="https://storage.example/out.mp4"))


# -- logs ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_log_of_a_render_is_read_then_followed(engine: Engine) -> None:
    job = await _render(engine)
    follower = AppServices(engine.ctx).outputs.log_follower(job)

    lines, restart = follower.read(final=True)

    assert restart
    assert any("Finished composition" in line for line in lines)
    with follower.path.open("ab") as log:
        log.write(b"appended one\r\nappended two\nhalf a li")
    lines, restart = follower.read()
    assert (lines, restart) == (["appended one", "appended two"], False)
    with follower.path.open("ab") as log:
        log.write(b"ne\n")
    assert follower.read() == (["half a line"], False)


def test_a_long_log_shows_its_end_from_a_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "aerender.log"
    path.write_text("".join(f"PROGRESS: frame {n:05d}\n" for n in range(10_000)))
    follower = LogFollower(path, tail_bytes=1000)

    lines, restart = follower.read()

    assert restart
    assert lines[-1] == "PROGRESS: frame 09999"
    assert all(line.startswith("PROGRESS: frame ") for line in lines)
    assert len(lines) < 50


def test_a_rewritten_log_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "aerender.log"
    path.write_text("first run line 1\nfirst run line 2\n")
    follower = LogFollower(path)
    follower.read()

    path.write_text("retry\n")

    assert follower.read() == (["retry"], True)


def test_a_log_that_went_away_says_so(tmp_path: Path) -> None:
    follower = LogFollower(tmp_path / "gone.log")
    with pytest.raises(NoLog, match="not there any more"):
        follower.read()


def test_a_queued_job_has_no_log_yet(engine: Engine) -> None:
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    job = engine.ctx.jobs.get(job_id)
    assert job is not None

    with pytest.raises(NoLog, match="has not started"):
        AppServices(engine.ctx).outputs.log_follower(job)


# -- links -----------------------------------------------------------------------------------


@pytest.fixture
def remote_ctx(home: Path, keychain: Keychain) -> AppContext:
    context = open_context(home, keychain=keychain)
    context.connections.add(Connection(name="rendley", kind=BackendKind.RENDLEY))
    context.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    keychain.set("rendley", rendley.TOKEN)
    return context


@pytest_asyncio.fixture
async def service(remote_ctx: AppContext) -> AsyncIterator[tuple[AppServices, FakeRendley]]:
    fake = FakeRendley()

    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return fake.transport()

    services = AppServices(remote_ctx, transport_for=transport_for)
    yield services, fake
    await services.aclose()


async def _finished_rendley_job(ctx: AppContext, remote: JobService, fake: FakeRendley) -> Job:
    result = await remote.submit("rendley", [export_body()])
    ((_, job_id),) = result.jobs
    fake.advance(job_id)
    fake.advance(job_id)
    await remote.refresh("rendley")
    job = ctx.jobs.get(job_id)
    assert job is not None
    assert job.output is not None
    return job


@pytest.mark.asyncio
async def test_a_rendley_link_is_read_afresh_because_links_expire(
    remote_ctx: AppContext, service: tuple[AppServices, FakeRendley]
) -> None:
    services, fake = service
    remote = services.job_service
    job = await _finished_rendley_job(remote_ctx, remote, fake)
    assert job.output is not None
    assert job.output.endswith("?expires=1")
    fake.expire_links()
    before = fake.count("GET", f"/v1/jobs/{job.id}")

    url = await services.outputs.link(job)

    assert url == f"https://storage.rendley.com/exports/{job.id}.mp4?expires=2"
    assert fake.count("GET", f"/v1/jobs/{job.id}") == before + 1


@pytest.mark.asyncio
async def test_a_link_that_cannot_be_refreshed_is_not_replaced_by_the_stale_one(
    remote_ctx: AppContext, service: tuple[AppServices, FakeRendley]
) -> None:
    services, fake = service
    remote = services.job_service
    job = await _finished_rendley_job(remote_ctx, remote, fake)
    del fake.jobs[job.id]  # Rendley no longer has it

    with pytest.raises(LinkUnavailable, match="could not be refreshed") as caught:
        await services.outputs.link(job)
    assert "the stored one was not used" in str(caught.value)
    assert "expires" not in str(caught.value)


@pytest.mark.asyncio
async def test_a_rendley_job_not_completed_has_no_link(
    remote_ctx: AppContext, service: tuple[AppServices, FakeRendley]
) -> None:
    services, fake = service
    remote = services.job_service
    job = await _finished_rendley_job(remote_ctx, remote, fake)
    fake.jobs[job.id].status = "processing"

    with pytest.raises(LinkUnavailable, match="no finished output"):
        await services.outputs.link(job)


@pytest.mark.asyncio
async def test_links_that_do_not_expire_are_used_as_stored(
    remote_ctx: AppContext, memory_keyring: MemoryKeyring
) -> None:
    job = _job(connection="cloud", output="https://cloud.example/out.mp4")
    calls = memory_keyring.calls

    url = await AppServices(remote_ctx).outputs.link(job)

    assert url == "https://cloud.example/out.mp4"
    # No back-end was made for it: not even the token was read.
    assert memory_keyring.calls == calls


@pytest.mark.asyncio
async def test_a_remote_job_without_output_says_why(remote_ctx: AppContext) -> None:
    job = _job(connection="cloud", status=JobStatus.RENDERING, progress=10.0)
    with pytest.raises(NoOutputYet, match="still rendering"):
        await AppServices(remote_ctx).outputs.link(job)


@pytest.mark.asyncio
async def test_a_file_output_has_no_link(remote_ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(NotALink, match="file on this computer"):
        await AppServices(remote_ctx).outputs.link(_job(output=str(tmp_path / "a.mov")))


def test_a_remote_job_keeps_its_log_on_its_service(remote_ctx: AppContext) -> None:
    job = _job(connection="rendley", id="job_0001")
    with pytest.raises(NoLog, match="keeps the log"):
        AppServices(remote_ctx).outputs.log_follower(job)
