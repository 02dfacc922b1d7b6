"""`renderctl retry` against a real self-hosted nexrender server: a job a worker failed is
sent again as a new job, linked both ways in `renderctl show --json`, and never twice."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.integration.farm_cli import add_farm, renderctl
from tests.integration.nexrender_server import FakeWorker, NexrenderServer

pytestmark = pytest.mark.secret_service


async def _fail_oldest(server: NexrenderServer) -> str:
    async with FakeWorker(server) as worker:
        job = await worker.pickup()
        assert job is not None
        (await worker.start()).raise_for_status()
        (await worker.fail({"message": "composition not found"})).raise_for_status()
        return str(job["uid"])


def test_a_failed_farm_job_is_retried_as_a_new_job_linked_both_ways(
    secret_service: dict[str, str], nexrender_server: NexrenderServer, tmp_path: Path
) -> None:
    env = {**secret_service, "RENDER_MANAGER_HOME": str(tmp_path / "home")}
    assert add_farm(env, nexrender_server).returncode == 0
    body = tmp_path / "job.json"
    body.write_text(json.dumps(
        {"template": {"src": "file:///projects/promo.aep", "composition": "Main"}}
    ))  # fmt: skip
    submitted = renderctl(env, "submit", "-c", "farm", str(body), "--json")
    assert submitted.returncode == 0, submitted.stderr
    (old,) = (row["id"] for row in json.loads(submitted.stdout)["jobs"])
    assert asyncio.run(_fail_oldest(nexrender_server)) == old
    assert renderctl(env, "refresh").returncode == 0

    retried = renderctl(env, "retry", old, "--json")

    assert retried.returncode == 0, retried.stderr
    (pair,) = json.loads(retried.stdout)["retried"]
    new = pair["new_id"]
    assert pair["id"] == old
    assert new != old
    on_server = {job["uid"]: job for job in nexrender_server.jobs()}
    assert set(on_server) == {old, new}
    assert on_server[new]["state"] == "queued"
    assert on_server[new]["template"]["composition"] == "Main"
    shown_old = json.loads(renderctl(env, "show", old, "--json").stdout)
    shown_new = json.loads(renderctl(env, "show", new, "--json").stdout)
    assert (shown_old["status"], shown_old["retried_as"]) == ("failed", new)
    assert (shown_new["status"], shown_new["retry_of"]) == ("queued", old)

    again = renderctl(env, "retry", old, new)
    assert again.returncode == 1
    assert f"not retried {old}: already retried as {new}" in again.stderr
    assert f"not retried {new}: still queued" in again.stderr
    assert len(nexrender_server.jobs()) == 2, "nothing was sent again"
