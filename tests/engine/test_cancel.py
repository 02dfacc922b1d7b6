"""Cancel really stops renders, whichever process runs the engine."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess

import psutil
import pytest

from render_manager.domain.status import JobStatus, LocalStatus
from render_manager.engine.local_cancel import LocalCanceller
from render_manager.engine.pool import RenderPool
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl, start_engine, wait_for


def _canceller(engine: Engine) -> LocalCanceller:
    return LocalCanceller(engine.ctx.jobs, engine.local, engine.ctx.home)


def _render_pid(engine: Engine, job_id: str) -> int | None:
    record = engine.local.get(job_id)
    return None if record is None else record.pid


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.asyncio
async def test_a_queued_job_is_cancelled_at_once(engine: Engine) -> None:
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    outcome = await _canceller(engine).cancel([job_id, "no-such-job"])
    assert outcome.cancelled == [job_id]
    assert outcome.skipped == [("no-such-job", "no such job")]
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.CANCELLED


@pytest.mark.asyncio
async def test_cancelling_a_running_render_stops_its_process_and_the_pool_goes_on(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    engine.configure(concurrency=1)
    ((_, slow),) = engine.submit(engine.job_body()).jobs
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    runner = asyncio.create_task(pool.run())
    deadline = asyncio.get_running_loop().time() + 30
    while _render_pid(engine, slow) is None:
        assert asyncio.get_running_loop().time() < deadline, "render never started"
        await asyncio.sleep(0.02)
    pid = _render_pid(engine, slow)
    assert pid is not None

    outcome = await _canceller(engine).cancel([slow])

    assert outcome.cancelled == [slow]
    assert _gone(pid)
    job = engine.ctx.jobs.get(slow)
    assert job is not None
    assert job.raw_status == LocalStatus.CANCELLED
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.001")
    ((_, quick),) = engine.submit(engine.job_body()).jobs
    while (j := engine.ctx.jobs.get(quick)) is not None and not j.is_terminal:
        await asyncio.sleep(0.02)
    assert j is not None
    assert j.status is JobStatus.FINISHED
    await pool.stop()
    await runner


def test_renderctl_cancel_stops_a_render_of_an_engine_in_another_process(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    proc = start_engine(engine.ctx.home)
    try:
        wait_for(lambda: _render_pid(engine, job_id) is not None, what="the render to start")
        pid = _render_pid(engine, job_id)
        assert pid is not None
        result = renderctl(engine.ctx.home, "cancel", job_id, "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"cancelled": [job_id], "skipped": []}
        assert _gone(pid)
        job = engine.ctx.jobs.get(job_id)
        assert job is not None
        assert job.status is JobStatus.CANCELLED
        assert proc.poll() is None, "the engine must keep running"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_renderctl_cancel_stops_a_render_left_behind_by_a_killed_engine(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    proc = start_engine(engine.ctx.home)
    try:
        wait_for(lambda: _render_pid(engine, job_id) is not None, what="the render to start")
    finally:
        proc.kill()
        proc.wait(timeout=30)
    pid = _render_pid(engine, job_id)
    assert pid is not None
    assert not _gone(pid), "the render outlives its engine"

    result = renderctl(engine.ctx.home, "cancel", job_id)

    assert result.returncode == 0, result.stderr
    assert f"cancelled {job_id}" in result.stdout
    assert _gone(pid)


def test_cancelling_a_finished_job_is_refused_with_the_reason(engine: Engine) -> None:
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    result = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert result.returncode == 0, result.stdout + result.stderr
    result = renderctl(engine.ctx.home, "cancel", job_id, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "cancelled": [],
        "skipped": [{"id": job_id, "reason": "it has already finished"}],
    }


def test_a_second_engine_says_which_process_holds_the_home(engine: Engine) -> None:
    proc = start_engine(engine.ctx.home)
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        assert "render(s) at a time" in first_line
        second = renderctl(engine.ctx.home, "engine", "--until-idle")
        assert second.returncode == 1
        assert f"process {proc.pid}" in second.stderr
        assert "renderctl engine" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
