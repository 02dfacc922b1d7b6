"""`renderctl` end to end against a real self-hosted nexrender server, the secret in a real
Secret Service: add the connection, submit rows from a CSV, follow a worker, cancel."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.integration.farm_cli import add_farm, renderctl
from tests.integration.nexrender_server import NexrenderServer, render_one

pytestmark = pytest.mark.secret_service


def test_a_farm_connection_submits_follows_and_cancels(
    secret_service: dict[str, str], nexrender_server: NexrenderServer, tmp_path: Path
) -> None:
    env = {**secret_service, "RENDER_MANAGER_HOME": str(tmp_path / "home")}
    added = add_farm(env, nexrender_server)
    assert added.returncode == 0, added.stderr

    template = tmp_path / "job.json"
    template.write_text(json.dumps(
        {"template": {"src": "file:///projects/promo.aep", "composition": "{{comp}}"}}
    ))  # fmt: skip
    rows = tmp_path / "rows.csv"
    rows.write_text("comp,title\nMain,One\nAlt,Two\nThird\n")
    submitted = renderctl(env, "submit", "-c", "farm", str(template), "--rows", str(rows), "--json")
    assert submitted.returncode == 1, "one row is bad: the submission is partial"
    assert submitted.stdout, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["status"] == "partial"
    assert [row["index"] for row in result["jobs"]] == [0, 1]
    assert [e["index"] for e in result["errors"]] == [2]
    first, second = (row["id"] for row in result["jobs"])

    asyncio.run(render_one(nexrender_server))  # a worker renders the oldest job
    refreshed = renderctl(env, "refresh")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    assert "farm: 1 changed" in refreshed.stdout

    cancelled = renderctl(env, "cancel", first, second, "--json")
    assert cancelled.stdout, cancelled.stderr
    outcome = json.loads(cancelled.stdout)
    assert outcome["cancelled"] == [second]
    assert [s["id"] for s in outcome["skipped"]] == [first]
    assert "finished" in outcome["skipped"][0]["reason"]

    jobs = renderctl(env, "jobs", "-c", "farm", "--json")
    assert jobs.stdout, jobs.stderr
    listed = json.loads(jobs.stdout)
    assert {j["id"]: j["status"] for j in listed} == {first: "finished", second: "cancelled"}
    waited = renderctl(env, "wait", first, "--timeout", "5")
    assert waited.returncode == 0


def test_a_wrong_secret_is_reported_and_changes_nothing(
    secret_service: dict[str, str], nexrender_server: NexrenderServer, tmp_path: Path
) -> None:
    env = {**secret_service, "RENDER_MANAGER_HOME": str(tmp_path / "home")}
    add_farm(env, nexrender_server, secret="not-the-secret")
    job = tmp_path / "job.json"
    job.write_text(json.dumps(
        {"template": {"src": "file:///projects/promo.aep", "composition": "Main"}}
    ))  # fmt: skip
    submitted = renderctl(env, "submit", "-c", "farm", str(job))
    assert submitted.returncode == 1
    assert "secret" in (submitted.stdout + submitted.stderr).lower()
    listed = json.loads(renderctl(env, "jobs", "--json").stdout)
    assert listed == []
    assert "not-the-secret" not in submitted.stdout + submitted.stderr
