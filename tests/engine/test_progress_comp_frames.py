"""Progress of a render whose job and log give no frame range, on a project the reader
reads: the composition's work area gives the frame count (real processes throughout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.engine.test_progress_unknown_length import _finish, _render_until, _replay_log_01, _show
from tests.render_queue_projects import project_with_work_area


def test_the_comp_s_work_area_gives_the_percentage_when_job_and_log_have_no_range(
    engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _replay_log_01(fake_env)
    # 60 s at 24 fps is 1440 frames; the work area (2 s to 12 s) is the 240 log 01 renders.
    project = project_with_work_area(tmp_path / "real" / "promo.aep", fps=24.0,
                                     work_area=(2.0, 10.0))  # fmt: skip
    body = {"template": {"src": str(project), "composition": "Main"}}
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
    done = _show(engine, job_id)
    assert (done["status"], done["progress"], done["total_frames"]) == ("finished", 100, 240)
