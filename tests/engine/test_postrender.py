"""A render's postrender encode turns aerender's output into the deliverable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from render_manager.domain.status import JobStatus
from render_manager.engine.pool import RenderPool
from tests.engine.fixtures import Engine


@pytest.fixture
def movie(tmp_path: Path) -> Path:
    """A real 1-second movie, standing in for what After Effects would render."""
    path = tmp_path / "rendered.mov"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=size=160x90:rate=25", "-t", "1", "-c:v", "mjpeg", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path


@pytest.mark.asyncio
async def test_the_encode_action_delivers_an_mp4_of_the_render(
    engine: Engine, fake_env: pytest.MonkeyPatch, movie: Path
) -> None:
    fake_env.setenv("FAKE_AERENDER_OUTPUT_FROM", str(movie))
    body = {
        **engine.job_body(outputExt="mov"),
        "actions": {"postrender": [{"module": "encode", "preset": "mp4", "output": "spot.mp4"}]},
    }
    assert engine.submit(body).status == "created"
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    await pool.run(until_idle=True)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FINISHED, job.error
    assert job.output is not None
    assert Path(job.output).name == "spot.mp4"
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(job.output)
    assert frames == 25
    assert seconds == pytest.approx(1.0, abs=0.1)


@pytest.mark.asyncio
async def test_an_unreadable_render_fails_the_encode_with_ffmpegs_reason(
    engine: Engine,
) -> None:
    body = {
        **engine.job_body(outputExt="mov"),
        "actions": {"postrender": [{"module": "encode", "preset": "mp4"}]},
    }
    engine.submit(body)
    pool = RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )
    await pool.run(until_idle=True)
    (job,) = engine.ctx.jobs.list()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.startswith("encode")
