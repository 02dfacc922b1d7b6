"""`renderctl retry` on local jobs, as a user runs it: a failed job goes back to the queue
in place, renders, and `renderctl show --json` lists both attempts with their logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl


def _submit(engine: Engine, tmp_path: Path, count: int = 1) -> list[str]:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps([engine.job_body() for _ in range(count)]))
    submitted = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--json")
    assert submitted.returncode == 0, submitted.stderr
    return [row["id"] for row in json.loads(submitted.stdout)["jobs"]]


def test_a_failed_local_job_is_retried_in_place_and_keeps_its_first_log(
    engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch
) -> None:
    (job_id,) = _submit(engine, tmp_path)
    fake_env.setenv("FAKE_AERENDER_MODE", "error-no-comp")
    renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)
    failed = json.loads(renderctl(engine.ctx.home, "show", job_id, "--json").stdout)
    assert failed["status"] == "failed"

    retried = renderctl(engine.ctx.home, "retry", job_id, "--json")

    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout) == {
        "retried": [{"id": job_id, "new_id": job_id}],
        "skipped": [],
    }
    fake_env.setenv("FAKE_AERENDER_MODE", "ok")
    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0
    shown = json.loads(renderctl(engine.ctx.home, "show", job_id, "--json").stdout)
    assert shown["status"] == "finished"
    assert shown["attempts"] == 2
    first, second = shown["attempt_history"]
    assert (first["attempt"], first["status"]) == (1, "failed")
    assert "No comp was found" in Path(first["log"]).read_text()
    assert (second["attempt"], second["status"]) == (2, "finished")
    assert Path(second["log"]).is_file()
    assert "No comp was found" not in Path(second["log"]).read_text()


def test_jobs_that_cannot_be_retried_are_named_on_stderr_with_exit_1(
    engine: Engine, tmp_path: Path
) -> None:
    queued, cancelled = _submit(engine, tmp_path, 2)
    assert renderctl(engine.ctx.home, "cancel", cancelled).returncode == 0

    retried = renderctl(engine.ctx.home, "retry", queued, cancelled, "--json")

    assert retried.returncode == 1
    assert json.loads(retried.stdout) == {
        "retried": [{"id": cancelled, "new_id": cancelled}],
        "skipped": [{"id": queued, "reason": "still queued"}],
    }
    assert f"not retried {queued}: still queued" in retried.stderr


def test_retry_without_jobs_or_with_an_unknown_batch_is_bad_input(engine: Engine) -> None:
    nothing = renderctl(engine.ctx.home, "retry")
    assert nothing.returncode == 2
    assert "name at least one job id, or --batch ID" in nothing.stderr
    unknown = renderctl(engine.ctx.home, "retry", "--batch", "no-such-batch")
    assert unknown.returncode == 2
    assert "no batch with id 'no-such-batch'" in unknown.stderr
    assert unknown.stdout == ""
