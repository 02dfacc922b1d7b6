"""A render cancelled midway keeps what it wrote and says so: `renderctl engine` renders,
`renderctl cancel` stops it, `renderctl show` tells, all as separate processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl, start_engine, wait_for


def _show(engine: Engine, job_id: str) -> dict[str, Any]:
    shown = renderctl(engine.ctx.home, "show", job_id, "--json")
    assert shown.returncode == 0, shown.stderr
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def test_a_cancelled_render_keeps_its_partial_movie_and_says_it_is_incomplete(
    engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_MOVIE_GROWS", "1")
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.2")
    ((_, job_id),) = engine.submit(engine.job_body(outputExt="mov")).jobs
    proc = start_engine(engine.ctx.home, "--until-idle")
    try:
        wait_for(lambda: (_show(engine, job_id).get("frames_done") or 0) >= 2, 60, "frames")
        cancelled = renderctl(engine.ctx.home, "cancel", job_id)
        assert cancelled.returncode == 0, cancelled.stderr
        wait_for(lambda: _show(engine, job_id)["status"] == "cancelled", 60, "the cancel")
    finally:
        proc.communicate(timeout=120)
    shown = _show(engine, job_id)
    partial = Path(shown["work_dir"]) / "result.mov"
    assert partial.is_file()
    assert shown["output"] is None, "an incomplete movie is not the job's output"
    assert (
        shown["error"] == f"cancelled by user; its partial output is kept as {partial} (incomplete)"
    )
    text = renderctl(engine.ctx.home, "show", job_id).stdout
    assert "(incomplete)" in text
