"""Priority on a real self-hosted nexrender server: `submit --priority` reaches the job the
server keeps, `show --json` reports it, and what the server cannot do is refused, saying
why (a later priority change: exit 1; a start time: exit 2, nothing sent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.farm_cli import add_farm, renderctl
from tests.integration.nexrender_server import NexrenderServer

pytestmark = pytest.mark.secret_service


def test_a_farm_job_takes_its_priority_at_submit_and_keeps_it(
    secret_service: dict[str, str], nexrender_server: NexrenderServer, tmp_path: Path
) -> None:
    env = {**secret_service, "RENDER_MANAGER_HOME": str(tmp_path / "home")}
    assert add_farm(env, nexrender_server).returncode == 0
    body = tmp_path / "job.json"
    body.write_text(json.dumps(
        {"template": {"src": "file:///projects/promo.aep", "composition": "Main"}}
    ))  # fmt: skip

    submitted = renderctl(env, "submit", "-c", "farm", str(body), "--priority", "7", "--json")

    assert submitted.returncode == 0, submitted.stderr
    (uid,) = (row["id"] for row in json.loads(submitted.stdout)["jobs"])
    (on_server,) = nexrender_server.jobs()
    assert (on_server["uid"], on_server["priority"]) == (uid, 7)
    shown = json.loads(renderctl(env, "show", uid, "--json").stdout)
    assert (shown["priority"], shown["not_before"]) == (7, None)

    changed = renderctl(env, "priority", "--set", "1", uid)
    assert changed.returncode == 1
    assert changed.stderr.splitlines() == [
        f"not changed {uid}: a nexrender server job keeps the priority it was sent with "
        "(the server follows priorities only when started with NEXRENDER_ORDERING=priority)"
    ]
    assert nexrender_server.jobs()[0]["priority"] == 7

    later = renderctl(env, "submit", "-c", "farm", str(body), "--at", "23:00")
    assert later.returncode == 2
    assert "--at: farm starts jobs as it sees fit; only local connections" in later.stderr
    assert len(nexrender_server.jobs()) == 1, "nothing was sent"
