"""After the engine is killed with SIGKILL, a new one loses and duplicates nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

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


def _render_child(engine_pid: int) -> psutil.Process | None:
    """The fake aerender the engine started, once it runs (exec'd into the fake itself)."""
    try:
        children = psutil.Process(engine_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    for child in children:
        try:
            if any(part.endswith("fake_aerender.py") for part in child.cmdline()):
                return child
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return None


def _wait_for_render_child(engine_pid: int, timeout: float = 60.0) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while (child := _render_child(engine_pid)) is None:
        assert time.monotonic() < deadline, "aerender never started"
        time.sleep(0.005)
    return child


def test_a_render_started_but_not_yet_recorded_is_found_by_its_folder(
    engine: Engine, fake_env: pytest.MonkeyPatch, fake_aerender: Path
) -> None:
    # What an engine killed between starting aerender and recording its PID leaves behind:
    # a claimed job without a PID, and its render running in the job's folder.
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "80")
    ((_, job_id),) = engine.submit(engine.job_body(outputExt="mov")).jobs
    assert engine.local.claim(job_id)
    claimed = engine.local.get(job_id)
    assert claimed is not None
    work = Path(claimed.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    project = work / engine.project.name
    shutil.copyfile(engine.project, project)
    with (work / "aerender.log").open("ab") as log:
        command = [str(fake_aerender), "-project", str(project), "-comp", "Main"]
        render = subprocess.Popen(
            [*command, "-output", str(work / "result.mov")],
            cwd=work,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        result = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)
        assert render.wait(timeout=30) == 0, "the render ran to its end, nobody stopped it"
    finally:
        render.kill()
        render.wait(timeout=30)

    assert result.returncode == 0, result.stdout + result.stderr
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.FINISHED, job.error
    assert job.output == str(work / "result.mov")
    record = engine.local.get(job_id)
    assert record is not None
    assert record.attempts == 1, "re-adopted, not rendered again"
    assert record.frames_done == 80


def test_an_engine_killed_as_soon_as_the_render_started_leaves_it_to_the_next(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    # The engine's state changes are committed in groups; the start of a render is not
    # one that may wait: killed the moment aerender runs, the engine has recorded it.
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "40")
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    proc = start_engine(engine.ctx.home)
    try:
        render = _wait_for_render_child(proc.pid)
    finally:
        proc.kill()  # SIGKILL at once: no clean-up, no grouped commit flushed
        proc.wait(timeout=30)
    assert render.is_running(), "killed while its render runs"

    result = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    record = engine.local.get(job_id)
    assert record is not None
    assert record.attempts == 1, "re-adopted, not rendered again"
    assert record.frames_done == 40
