"""After the engine is killed with SIGKILL, a new one loses and duplicates nothing."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from render_manager.domain.engine_settings import OnInterrupted
from render_manager.domain.status import JobStatus
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl, start_engine, wait_for


def _kill_engine_mid_render(engine: Engine, job_id: str, *, with_render: bool) -> int:
    proc = start_engine(engine.ctx.home)
    try:
        wait_for(
            lambda: (
                (r := engine.local.get(job_id)) is not None
                and r.pid is not None
                and (r.frames_done or 0) >= 2
            ),
            what="the render to be under way",
        )
    finally:
        proc.kill()  # SIGKILL: no clean-up runs in the engine
        proc.wait(timeout=30)
    record = engine.local.get(job_id)
    assert record is not None
    assert record.pid is not None
    if with_render:
        os.killpg(record.pid, signal.SIGKILL)
        wait_for(
            lambda: (
                not psutil.pid_exists(record.pid)
                or psutil.Process(record.pid).status() == psutil.STATUS_ZOMBIE
            )
        )
    return record.pid


def test_a_render_still_running_is_re_adopted_and_finishes_once(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "80")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    pid = _kill_engine_mid_render(engine, job_id, with_render=False)
    assert psutil.pid_exists(pid), "aerender runs in its own session and survives the engine"

    result = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    jobs = engine.ctx.jobs.list()
    assert [j.id for j in jobs] == [job_id]
    (job,) = jobs
    assert job.status is JobStatus.FINISHED, job.error
    assert job.output is not None
    assert os.path.isfile(job.output)
    record = engine.local.get(job_id)
    assert record is not None
    assert record.attempts == 1, "re-adopted, not rendered again"
    assert record.frames_done == 80


def test_a_render_whose_process_died_too_fails_as_interrupted(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    # Long enough (10 s) that the render cannot end on its own before it is killed.
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "200")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    _kill_engine_mid_render(engine, job_id, with_render=True)

    result = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)

    assert result.returncode == 1
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.startswith("interrupted")


def test_with_requeue_set_an_interrupted_render_renders_again(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    engine.configure(on_interrupted=OnInterrupted.REQUEUE)
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "200")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    _kill_engine_mid_render(engine, job_id, with_render=True)
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.001")

    result = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    record = engine.local.get(job_id)
    assert record is not None
    assert record.attempts == 2
