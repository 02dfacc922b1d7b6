"""Renders with the fake aerender end as the user expects: finished only with real output."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from render_manager.domain.status import JobStatus
from render_manager.engine.pool import RenderPool
from tests.engine.fixtures import Engine


async def _run_until_idle(engine: Engine) -> None:
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    await pool.run(until_idle=True)


@pytest.mark.asyncio
async def test_a_render_finishes_with_its_output_progress_and_log(engine: Engine) -> None:
    result = engine.submit(engine.job_body(outputExt="mov"))
    assert result.status == "created"
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    assert job.progress == 100.0
    assert job.output is not None
    assert Path(job.output).is_file()
    assert Path(job.output).name == "result.mov"
    record = engine.local.get(job.id)
    assert record is not None
    assert record.log_path is not None
    log_text = Path(record.log_path).read_text()
    assert "Finished composition" in log_text
    # The render got its own copy of the project, never the user's file.
    assert "-project" in log_text or (Path(record.work_dir) / "promo.aep").is_file()
    assert job.started_at is not None
    assert job.finished_at is not None


@pytest.mark.asyncio
async def test_aerender_error_fails_the_job_with_its_message(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    engine.submit(engine.job_body())
    fake_env.setenv("FAKE_AERENDER_MODE", "error-no-comp")
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert "No comp was found" in job.error


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("no-output", "wrote no output"),
        ("crash", "exited with code"),
    ],
)
async def test_exit_code_and_output_decide_the_outcome(
    engine: Engine, fake_env: pytest.MonkeyPatch, mode: str, reason: str
) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", mode)
    engine.submit(engine.job_body())
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert reason in job.error


@pytest.mark.asyncio
async def test_a_hung_render_is_stopped_by_the_stall_watchdog(
    engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", "hang")
    engine.configure(stall_timeout_s=0.6)
    engine.submit(engine.job_body())
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.startswith("stalled")
    assert not _fake_processes(tmp_path)


@pytest.mark.asyncio
async def test_a_left_over_child_process_is_ended_with_the_render(
    engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    fake_env.setenv("FAKE_AERENDER_MODE", "child")
    fake_env.setenv("FAKE_AERENDER_CHILD_PID_FILE", str(pid_file))
    engine.submit(engine.job_body())
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    child = int(pid_file.read_text())
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


@pytest.mark.asyncio
async def test_a_render_that_never_exits_is_finished_and_ended(
    engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", "no-exit")
    engine.submit(engine.job_body())
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    assert not _fake_processes(tmp_path)


@pytest.mark.asyncio
async def test_one_bad_job_fails_alone_and_retries_when_asked(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    engine.configure(retries=1, concurrency=1)
    good = engine.submit(engine.job_body()).jobs[0][1]
    bad = engine.submit(engine.job_body(composition="Missing")).jobs[0][1]
    fake_env.setenv("FAKE_AERENDER_COMPS", "Main")
    await _run_until_idle(engine)
    good_job = engine.ctx.jobs.get(good)
    bad_job = engine.ctx.jobs.get(bad)
    assert good_job is not None
    assert good_job.status is JobStatus.FINISHED
    assert bad_job is not None
    assert bad_job.status is JobStatus.FAILED
    record = engine.local.get(bad)
    assert record is not None
    assert record.attempts == 2


@pytest.mark.asyncio
async def test_an_error_that_says_interrupted_is_still_a_failure_and_is_retried(
    engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine.configure(retries=1, concurrency=1)
    log = tmp_path / "interrupted.log"
    log.write_text("aerender ERROR: interrupted while reading the disk cache\n", encoding="utf-8")
    fake_env.setenv("FAKE_AERENDER_MODE", "replay")
    fake_env.setenv("FAKE_AERENDER_REPLAY", str(log))
    fake_env.setenv("FAKE_AERENDER_EXIT", "1")
    job_id = engine.submit(engine.job_body()).jobs[0][1]
    await _run_until_idle(engine)
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    # What aerender said decides nothing about the engine: the render failed, twice.
    assert job.raw_status == "failed"
    assert job.error == "interrupted while reading the disk cache"
    record = engine.local.get(job_id)
    assert record is not None
    assert record.attempts == 2


def test_submitting_without_after_effects_queues_nothing(engine: Engine, tmp_path: Path) -> None:
    engine.connection = replace(engine.connection, aerender=str(tmp_path / "nowhere" / "aerender"))
    result = engine.submit(engine.job_body())
    assert result.status == "error"
    assert "After Effects not found" in result.errors[0][1]
    assert engine.ctx.jobs.list() == []


def test_invalid_rows_queue_nothing_and_say_which_field(engine: Engine) -> None:
    result = engine.submit(engine.job_body(), {"template": {"src": str(engine.project)}})
    assert result.status == "error"
    assert [index for index, _ in result.errors] == [1]
    assert "template.composition" in result.errors[0][1]
    assert engine.ctx.jobs.list() == []


def _fake_processes(tmp_path: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if any("fake_aerender.py" in part for part in cmdline) and str(tmp_path) in " ".join(
            cmdline
        ):
            found.append(proc)
    return found


def test_jobs_with_assets_need_an_aerender_that_runs_scripts(engine: Engine) -> None:
    body = {
        **engine.job_body(),
        "assets": [{"type": "data", "layerName": "title", "property": "Source Text",
                    "value": "Hello"}],
    }  # fmt: skip
    result = engine.submit(body)
    assert result.status == "error"
    assert "--script-injection" in result.errors[0][1]
    assert engine.ctx.jobs.list() == []


@pytest.mark.asyncio
async def test_assets_are_staged_and_injected_with_a_script_capable_aerender(
    engine: Engine, tmp_path: Path
) -> None:
    engine.configure(script_injection=True)
    logo = tmp_path / "project" / "logo.png"
    logo.write_bytes(b"\x89PNG fake")
    body = {
        **engine.job_body(),
        "assets": [
            {"type": "image", "src": "logo.png", "layerName": "logo"},
            {"type": "data", "layerName": "title", "property": "Source Text",
             "value": 'Grand "Opening"\nToday'},
            {"type": "static", "src": str(logo), "name": "watermark.png"},
        ],
    }  # fmt: skip
    assert engine.submit(body).status == "created"
    await _run_until_idle(engine)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    record = engine.local.get(job.id)
    assert record is not None
    work = Path(record.work_dir)
    script = (work / "inject.jsx").read_text()
    staged_logo = work / "assets" / "000-logo.png"
    assert staged_logo.read_bytes() == logo.read_bytes()
    assert json.dumps(str(staged_logo)) in script
    assert json.dumps('Grand "Opening"\nToday') in script
    assert (work / "watermark.png").is_file()
    # aerender was told to run the script (the command line is in the app's log).
    app_log = (engine.ctx.log_file).read_text()
    assert f"-r {work / 'inject.jsx'}" in app_log


@pytest.mark.asyncio
async def test_higher_priority_jobs_start_first_then_submission_order(engine: Engine) -> None:
    engine.configure(concurrency=1)
    ids = {}
    for name, priority in [("first", 0), ("urgent", 5), ("second", 0), ("soon", 1)]:
        ids[name] = engine.submit({**engine.job_body(), "name": name, "priority": priority}).jobs[
            0
        ][1]
    await _run_until_idle(engine)
    started = {}
    for name, job_id in ids.items():
        job = engine.ctx.jobs.get(job_id)
        assert job is not None
        assert job.started_at is not None
        started[name] = job.started_at
    assert sorted(started, key=started.__getitem__) == ["urgent", "soon", "first", "second"]
