"""The engine does real work without After Effects: encode jobs run the bundled ffmpeg."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import imageio_ffmpeg
import pytest

from render_manager.domain.status import JobStatus
from render_manager.engine.local_submit import LocalSubmitter
from render_manager.engine.pool import RenderPool
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def _submit_file(engine: Engine, path: Path) -> str:
    bodies = [json.loads(path.read_text())]
    submitter = LocalSubmitter(engine.ctx.jobs, engine.local, engine.ctx.home, engine.connection)
    result = submitter.submit(bodies, base_dir=path.parent)
    assert result.status == "created", result.errors
    return result.jobs[0][1]


@pytest.mark.asyncio
async def test_the_shipped_sample_encodes_to_an_mp4(engine: Engine) -> None:
    job_id = _submit_file(engine, SAMPLES / "encode-sample.json")
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    await pool.run(until_idle=True)
    job = engine.ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.FINISHED, job.error
    assert job.output is not None
    output = Path(job.output)
    assert output.name == "sample.mp4"
    # Written in the job's own work folder, never beside the shipped sample.
    assert engine.ctx.home in output.parents
    frames, _seconds = imageio_ffmpeg.count_frames_and_secs(str(output))
    assert frames == len(list((SAMPLES / "sequence").glob("result_*.png")))


def test_renderctl_submits_and_runs_an_encode_job(engine: Engine, tmp_path: Path) -> None:
    work = tmp_path / "delivery"
    shutil.copytree(SAMPLES, work)
    job_file = work / "encode-sample.json"
    body = json.loads(job_file.read_text())
    body["preset"] = "gif"
    body["output"] = "preview.gif"
    job_file.write_text(json.dumps(body))

    submitted = renderctl(engine.ctx.home, "submit", "-c", "local", str(job_file), "--json")
    assert submitted.returncode == 0, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["status"] == "created"
    (row,) = result["jobs"]

    ran = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    shown = renderctl(engine.ctx.home, "show", row["id"], "--json")
    job = json.loads(shown.stdout)
    assert job["status"] == "finished"
    assert job["output"].endswith("preview.gif")
    assert Path(job["output"]).read_bytes()[:6] in (b"GIF89a", b"GIF87a")


def test_a_missing_input_is_refused_at_submit(engine: Engine, tmp_path: Path) -> None:
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps({"type": "encode", "input": "nowhere.mov", "preset": "mp4"}))
    result = renderctl(engine.ctx.home, "submit", "-c", "local", str(job_file))
    assert result.returncode == 2
    assert "nowhere.mov" in result.stderr
    assert "nothing was queued" in result.stderr
    assert engine.ctx.jobs.list() == []


def test_renderctl_refuses_an_encode_input_that_ffmpeg_could_not_read_whole(
    engine: Engine, tmp_path: Path
) -> None:
    work = tmp_path / "delivery"
    shutil.copytree(SAMPLES, work)
    (work / "sequence" / "result_00002.png").unlink()
    (work / "empty.mov").touch()
    template = work / "encode.json"
    template.write_text(json.dumps({"type": "encode", "input": "{{input}}", "preset": "mp4"}))
    rows = work / "inputs.csv"
    rows.write_text("input\nsequence/result_[#####].png\nempty.mov\n", encoding="utf-8")

    result = renderctl(engine.ctx.home, "submit", "-c", "local", str(template), "--rows", str(rows))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "input: frame result_00002.png is missing from the sequence" in result.stderr
    assert f"input: {work / 'empty.mov'} is empty (0 bytes)" in result.stderr
    assert "nothing was queued" in result.stderr
    assert result.stdout == ""
    assert engine.ctx.jobs.list() == []
