"""renderctl as a script sees it: results alone on stdout, every diagnostic on stderr; and
one `renderctl engine` renders the queue of every local connection."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.services.context import open_context
from render_manager.store.engine_lock import EngineLock
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl


def _write(tmp_path: Path, data: object, name: str = "jobs.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _bad_batch(engine: Engine, tmp_path: Path) -> Path:
    missing = {"template": {"src": str(engine.project.with_name("gone.aep")), "composition": "A"}}
    return _write(tmp_path, [engine.job_body(), missing])


def test_a_refused_submit_says_why_on_stderr_only(engine: Engine, tmp_path: Path) -> None:
    result = renderctl(engine.ctx.home, "submit", "-c", "local", str(_bad_batch(engine, tmp_path)))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "row 1: template.src:" in result.stderr
    assert "gone.aep" in result.stderr
    assert "nothing was queued" in result.stderr
    assert engine.ctx.jobs.list() == []


def test_a_refused_submit_with_json_leaves_stdout_to_the_json(
    engine: Engine, tmp_path: Path
) -> None:
    bad = str(_bad_batch(engine, tmp_path))
    result = renderctl(engine.ctx.home, "submit", "-c", "local", bad, "--json")

    assert result.returncode == 2
    document = json.loads(result.stdout)  # what `| jq` reads: JSON and nothing else
    assert (document["status"], document["jobs"]) == ("error", [])
    assert [e["index"] for e in document["errors"]] == [1]
    # The person at the terminal still reads why, while the pipe gets the JSON.
    assert "row 1: template.src:" in result.stderr
    assert "nothing was queued" in result.stderr


def test_the_engine_writes_job_lines_on_stdout_and_what_it_runs_on_stderr(
    engine: Engine, tmp_path: Path
) -> None:
    submitted = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_write(tmp_path, engine.job_body()))
    )
    assert submitted.returncode == 0, submitted.stderr
    (job,) = engine.ctx.jobs.list()

    ran = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)

    assert ran.returncode == 0, ran.stderr
    assert "engine local: 2 render(s) at a time" in ran.stderr
    lines = ran.stdout.splitlines()
    assert lines, "the job's status changes are the engine's output"
    assert all(line.startswith(f"{job.id}  ") for line in lines), lines
    assert lines[-1].split()[1] == "finished"


def test_a_job_that_cannot_be_cancelled_is_named_on_stderr(engine: Engine, tmp_path: Path) -> None:
    renderctl(engine.ctx.home, "submit", "-c", "local", str(_write(tmp_path, engine.job_body())))
    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0
    (job,) = engine.ctx.jobs.list()

    refused = renderctl(engine.ctx.home, "cancel", job.id)

    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith(f"not cancelled {job.id}: ")


def test_one_engine_drains_the_queue_of_every_local_connection(
    engine: Engine, fake_aerender: Path, tmp_path: Path
) -> None:
    home = engine.ctx.home
    added = renderctl(
        home, "connection", "add", "studio-b", "--kind", "local",
        "--aerender", str(fake_aerender), "--concurrency", "1",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    for connection in ("local", "studio-b"):
        batch = _write(tmp_path, [engine.job_body(), engine.job_body()], f"{connection}.json")
        queued = renderctl(home, "submit", "-c", connection, str(batch))
        assert queued.returncode == 0, queued.stderr

    ran = renderctl(home, "engine", "--until-idle", timeout=120)

    ended = {(j.connection, j.raw_status) for j in engine.ctx.jobs.list()}
    assert ended == {("local", "finished"), ("studio-b", "finished")}
    assert len(engine.ctx.jobs.list(connection="studio-b")) == 2
    assert ran.returncode == 0, ran.stderr
    # Each connection runs with its own concurrency, in this one process.
    assert "engine local: 2 render(s) at a time" in ran.stderr
    assert "engine studio-b: 1 render(s) at a time" in ran.stderr


def test_a_connection_whose_engine_runs_elsewhere_is_named_and_the_others_still_render(
    engine: Engine, fake_aerender: Path, tmp_path: Path
) -> None:
    home = engine.ctx.home
    added = renderctl(
        home, "connection", "add", "studio-b", "--kind", "local", "--aerender", str(fake_aerender)
    )
    assert added.returncode == 0, added.stderr
    for connection in ("local", "studio-b"):
        batch = _write(tmp_path, engine.job_body(), f"{connection}.json")
        assert renderctl(home, "submit", "-c", connection, str(batch)).returncode == 0

    with EngineLock(home, "the window", "studio-b"):
        ran = renderctl(home, "engine", "--until-idle", timeout=120)

    assert ran.returncode == 0, ran.stderr
    assert "engine studio-b: not started: " in ran.stderr
    assert "the window" in ran.stderr
    ended = {(j.connection, j.raw_status) for j in engine.ctx.jobs.list()}
    assert ended == {("local", "finished"), ("studio-b", "queued")}


def test_a_failed_refresh_is_told_on_stderr_only(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A self-hosted server that is down: nothing listens on the port any more.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    url = f"http://127.0.0.1:{port}"
    added = renderctl(home, "connection", "add", "farm", "--kind", "nexrender-server", "--url", url)
    assert added.returncode == 0, added.stderr
    with open_context(home) as ctx:
        ctx.jobs.upsert_many([
            Job(id="farm-1", connection="farm", name="Shot 1", status=JobStatus.QUEUED,
                raw_status="queued", created_at=datetime.now(UTC))
        ])  # fmt: skip

    refreshed = renderctl(home, "refresh")

    assert (refreshed.returncode, refreshed.stdout) == (1, "")
    assert refreshed.stderr.startswith("farm: refresh failed: GET ")
    assert "connection failed" in refreshed.stderr
