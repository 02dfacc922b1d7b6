"""`renderctl pause` and `resume` as a user runs them, beside a running `renderctl engine`:
a pause is seen by the engine in the other process (no new render starts until the
resume), exit statuses and JSON, and one line for a connection whose service has no pause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl, start_engine, wait_for


def _submit(engine: Engine, tmp_path: Path, count: int) -> list[str]:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps([engine.job_body() for _ in range(count)]))
    submitted = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--json")
    assert submitted.returncode == 0, submitted.stderr
    return [row["id"] for row in json.loads(submitted.stdout)["jobs"]]


def _show(engine: Engine, job_id: str) -> dict[str, object]:
    shown = renderctl(engine.ctx.home, "show", job_id, "--json")
    assert shown.returncode == 0, shown.stderr
    result: dict[str, object] = json.loads(shown.stdout)
    return result


def _first_seq(engine: Engine, job_id: str, status: str) -> int:
    return min(
        e.seq
        for e in engine.ctx.events.for_job(job_id)
        if e.kind == "job.status" and e.data.get("status") == status
    )


def test_a_pause_from_renderctl_is_seen_by_a_running_engine_in_another_process(
    engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.1")
    engine.configure(concurrency=1)
    first, second = _submit(engine, tmp_path, 2)
    proc = start_engine(engine.ctx.home)
    try:
        wait_for(lambda: _show(engine, first)["status"] == "rendering", what="first render")

        paused = renderctl(engine.ctx.home, "pause", "-c", "local", "--json")

        assert paused.returncode == 0, paused.stderr
        assert json.loads(paused.stdout) == {
            "connection": "local",
            "paused": True,
            "changed": True,
            "stopped": [],
            "skipped": [],
        }
        # The running render carries on to its end; the next job is not started.
        wait_for(lambda: _show(engine, first)["status"] == "finished", 60, "first finished")
        assert _show(engine, second)["status"] == "queued"
        resumed = renderctl(engine.ctx.home, "resume", "-c", "local")
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout.strip() == "local running"
        wait_for(lambda: _show(engine, second)["status"] == "finished", 60, "second finished")
    finally:
        proc.terminate()
        proc.wait(30)
    # The second job started only after the resume: never while the queue was paused.
    resumed_at = max(
        e.seq for e in engine.ctx.events.since(0, 10000) if e.kind == "connection.resumed"
    )
    assert _first_seq(engine, second, "rendering") > resumed_at


def test_stop_running_from_renderctl_puts_the_render_back_unattempted(
    engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.3")
    engine.configure(concurrency=1)
    (job_id,) = _submit(engine, tmp_path, 1)
    proc = start_engine(engine.ctx.home)
    try:
        wait_for(lambda: _show(engine, job_id)["status"] == "rendering", what="its render")
        paused = renderctl(engine.ctx.home, "pause", "-c", "local", "--stop-running")
        assert paused.returncode == 0, paused.stderr
        assert f"stopped {job_id}: back in the queue" in paused.stdout
        shown = _show(engine, job_id)
        assert (shown["status"], shown["attempts"]) == ("queued", 0)
    finally:
        proc.terminate()
        proc.wait(30)


def test_pausing_jobs_reports_each_and_exits_1_when_any_is_skipped(
    engine: Engine, tmp_path: Path
) -> None:
    queued, cancelled = _submit(engine, tmp_path, 2)
    assert renderctl(engine.ctx.home, "cancel", cancelled).returncode == 0

    paused = renderctl(engine.ctx.home, "pause", queued, cancelled, "--json")

    assert paused.returncode == 1
    assert json.loads(paused.stdout) == {
        "paused": [queued],
        "stopped": [],
        "skipped": [{"id": cancelled, "reason": "it has already been cancelled"}],
    }
    assert f"not paused {cancelled}: it has already been cancelled" in paused.stderr
    assert _show(engine, queued)["status"] == "paused"
    resumed = renderctl(engine.ctx.home, "resume", queued)
    assert (resumed.returncode, resumed.stdout.strip()) == (0, f"resumed {queued}")
    assert _show(engine, queued)["status"] == "queued"


def test_a_remote_connection_without_pause_says_so_in_one_line(engine: Engine) -> None:
    engine.ctx.connections.add(Connection("cloud", BackendKind.NEXRENDER_CLOUD))

    paused = renderctl(engine.ctx.home, "pause", "-c", "cloud")

    assert paused.returncode == 1
    assert paused.stdout == ""
    assert paused.stderr.strip().splitlines() == [
        "renderctl: error: cloud: Nexrender Cloud has no pause: a job can only be cancelled"
    ]
    unknown = renderctl(engine.ctx.home, "pause", "-c", "nope")
    assert unknown.returncode == 2
    nothing = renderctl(engine.ctx.home, "resume")
    assert nothing.returncode == 2
    assert "name at least one job id, --batch ID or -c NAME" in nothing.stderr
