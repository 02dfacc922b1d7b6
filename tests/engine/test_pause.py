"""Pause and resume on the local engine, through the services, with the fake aerender and
one render at a time: a paused queue starts nothing new, a paused job is passed over while
later ones render, resuming puts it back in its old place, and "stop running renders"
puts a render back unattempted."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from render_manager.domain.status import JobStatus, LocalStatus
from render_manager.engine.pool import RenderPool
from render_manager.services.app_services import AppServices
from tests.engine.fixtures import Engine


def _pool(engine: Engine) -> RenderPool:
    return RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )


def _status(engine: Engine, job_id: str) -> JobStatus:
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    return job.status


def _attempts(engine: Engine, job_id: str) -> int:
    record = engine.local.get(job_id)
    assert record is not None
    return record.attempts


async def _until(condition: object, what: str, timeout: float = 30.0) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}"
        await asyncio.sleep(0.02)


def _submit(engine: Engine, count: int) -> list[str]:
    return [job_id for _, job_id in engine.submit(*[engine.job_body()] * count).jobs]


@pytest.mark.asyncio
async def test_a_paused_connection_starts_nothing_new_while_its_running_render_ends(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    engine.configure(concurrency=1)
    first, second = _submit(engine, 2)
    services = AppServices(engine.ctx)
    pool = _pool(engine)
    run = asyncio.create_task(pool.run(until_idle=True))
    await _until(lambda: _status(engine, first) is JobStatus.RENDERING, "the first render")

    paused = await services.pause_connection("local")

    assert (paused.connection, paused.changed, paused.stopped) == ("local", True, [])
    # The pool goes idle once the running render ends: nothing else may start.
    await asyncio.wait_for(run, 60)
    assert _status(engine, first) is JobStatus.FINISHED
    assert _status(engine, second) is JobStatus.QUEUED
    assert _attempts(engine, second) == 0

    resumed = await services.resume_connection("local")
    assert resumed.changed
    await asyncio.wait_for(_pool(engine).run(until_idle=True), 60)
    assert _status(engine, second) is JobStatus.FINISHED


@pytest.mark.asyncio
async def test_a_paused_job_is_passed_over_while_later_ones_render_then_resumes(
    engine: Engine,
) -> None:
    engine.configure(concurrency=1)
    first, held, last = _submit(engine, 3)
    services = AppServices(engine.ctx)

    paused = await services.pause([held, first], stop_running=False)
    assert paused.done == [held, first]
    resumed = await services.resume([first])
    assert resumed.done == [first]
    await asyncio.wait_for(_pool(engine).run(until_idle=True), 60)

    assert _status(engine, first) is JobStatus.FINISHED
    assert _status(engine, last) is JobStatus.FINISHED
    assert _status(engine, held) is JobStatus.PAUSED
    assert _attempts(engine, held) == 0
    # Resumed, it waits in its old place: before a job submitted after it.
    (later,) = _submit(engine, 1)
    await services.resume([held])
    order = [record.job.id for record in engine.local.queued("local", 5)]
    assert order == [held, later]


@pytest.mark.asyncio
async def test_jobs_that_cannot_be_paused_or_resumed_say_why(engine: Engine) -> None:
    queued, cancelled = _submit(engine, 2)
    services = AppServices(engine.ctx)
    await services.cancel([cancelled])

    paused = await services.pause([queued, queued, cancelled, "nope"])
    assert paused.done == [queued]
    assert paused.skipped == [
        (cancelled, "it has already been cancelled"),
        ("nope", "no such job"),
    ]
    again = await services.pause([queued])
    assert again.skipped == [(queued, "already paused")]
    retried = await services.retry([queued])
    assert retried.skipped == [(queued, "paused: resume it instead")]
    resumed = await services.resume([cancelled])
    assert resumed.skipped == [(cancelled, "not paused: it has already been cancelled")]
    # A paused job can still be cancelled, at once.
    gone = await services.cancel([queued])
    assert gone.cancelled == [queued]


@pytest.mark.asyncio
async def test_stop_running_puts_a_render_back_in_the_paused_queue_unattempted(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    engine.configure(concurrency=1)
    (job_id,) = _submit(engine, 1)
    services = AppServices(engine.ctx)
    pool = _pool(engine)
    run = asyncio.create_task(pool.run(until_idle=True))
    await _until(lambda: (engine.local.get(job_id) or engine).pid is not None, "its render")
    record = engine.local.get(job_id)
    assert record is not None
    assert record.pid is not None
    render = psutil.Process(record.pid)

    paused = await services.pause_connection("local", stop_running=True)

    assert paused.stopped == [job_id]
    assert paused.skipped == []
    await asyncio.wait_for(run, 30)
    assert not render.is_running() or render.status() == psutil.STATUS_ZOMBIE
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert (job.raw_status, job.started_at) == (LocalStatus.QUEUED, None)
    assert _attempts(engine, job_id) == 0


@pytest.mark.asyncio
async def test_pausing_a_running_job_with_stop_running_holds_it_and_others_go_on(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    engine.configure(concurrency=1)
    running, after = _submit(engine, 2)
    services = AppServices(engine.ctx)
    run = asyncio.create_task(_pool(engine).run(until_idle=True))
    await _until(lambda: _status(engine, running) is JobStatus.RENDERING, "the first render")

    refused = await services.pause([running])
    assert refused.skipped == [
        (running, "it is rendering: stop running renders too to hold it (--stop-running)")
    ]
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.002")
    paused = await services.pause([running], stop_running=True)

    assert (paused.done, paused.stopped) == ([running], [running])
    await asyncio.wait_for(run, 60)
    assert _status(engine, running) is JobStatus.PAUSED
    assert _attempts(engine, running) == 0
    assert _status(engine, after) is JobStatus.FINISHED


@pytest.mark.asyncio
async def test_stop_running_without_an_engine_ends_the_render_left_behind(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    engine.configure(concurrency=1)
    (job_id,) = _submit(engine, 1)
    pool = _pool(engine)
    run = asyncio.create_task(pool.run())
    await _until(lambda: (engine.local.get(job_id) or engine).pid is not None, "its render")
    await pool.stop(leave_running=True)  # the engine quits, its render runs on
    await asyncio.wait_for(run, 30)
    record = engine.local.get(job_id)
    assert record is not None
    assert record.pid is not None
    render = psutil.Process(record.pid)

    paused = await AppServices(engine.ctx).pause([job_id], stop_running=True)

    assert paused.stopped == [job_id]
    assert not render.is_running() or render.status() == psutil.STATUS_ZOMBIE
    assert _status(engine, job_id) is JobStatus.PAUSED
    assert _attempts(engine, job_id) == 0
