"""Progress of a render whose log gives no frame range (real log 01 has no Duration line).

renderctl runs as separate processes: the engine renders with the fake aerender replaying
the real log, and `renderctl show` / `renderctl jobs` read the job while it renders.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl, start_engine, wait_for

LOG_01 = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "aerender-logs"
    / "01-success-mov-logfile-ae22-mac.log"
)


def _replay_log_01(fake_env: pytest.MonkeyPatch) -> None:
    fake_env.setenv("FAKE_AERENDER_MODE", "replay")
    fake_env.setenv("FAKE_AERENDER_REPLAY", str(LOG_01))
    # 91 lines: about 9 s of rendering, time enough to look at it mid-render.
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.1")


def _show(engine: Engine, job_id: str) -> dict[str, Any]:
    shown = renderctl(engine.ctx.home, "show", job_id, "--json")
    assert shown.returncode == 0, shown.stderr
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def _render_until(
    engine: Engine, job_id: str, frames: int
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = start_engine(engine.ctx.home, "--until-idle")
    seen: dict[str, Any] = {}

    def far_enough() -> bool:
        seen.update(_show(engine, job_id))
        return seen["status"] == "rendering" and (seen.get("frames_done") or 0) >= frames

    wait_for(far_enough, timeout=60, what=f"{frames} frames rendered")
    return proc, seen


def _finish(proc: subprocess.Popen[str]) -> None:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out


def test_a_render_of_unknown_length_shows_its_frames_and_no_false_percentage(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    _replay_log_01(fake_env)
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    proc, shown = _render_until(engine, job_id, frames=10)
    try:
        # Not "0 %": the share is unknown, the frames so far are known.
        assert shown["progress"] is None
        assert shown["total_frames"] is None
        assert shown["frames_done"] >= 10
        text = renderctl(engine.ctx.home, "show", job_id).stdout
        assert "frames rendered (length unknown)" in text
        assert "progress:     0" not in text
        table = renderctl(engine.ctx.home, "jobs").stdout
        (row,) = [line for line in table.splitlines() if line.startswith(job_id)]
        assert " frames " in row
        assert "0%" not in row
        assert "0 %" not in row
    finally:
        _finish(proc)
    done = _show(engine, job_id)
    assert done["status"] == "finished"
    assert done["progress"] == 100
    assert done["frames_done"] == done["total_frames"] == 240


def test_the_job_frame_range_gives_the_percentage_when_the_log_has_none(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    _replay_log_01(fake_env)
    body = engine.job_body(frameStart=0, frameEnd=239)
    ((_, job_id),) = engine.submit(body).jobs
    proc, shown = _render_until(engine, job_id, frames=24)
    try:
        assert shown["total_frames"] == 240
        assert shown["progress"] == pytest.approx(100 * shown["frames_done"] / 240, abs=0.01)
        assert shown["progress"] >= 10
        table = renderctl(engine.ctx.home, "jobs").stdout
        (row,) = [line for line in table.splitlines() if line.startswith(job_id)]
        assert " %  " in row
        assert " frames " not in row
    finally:
        _finish(proc)
    assert _show(engine, job_id)["progress"] == 100
