"""`renderctl submit --rows` to a real self-hosted nexrender server with Excel's European CSV
holding a typed quote: a remote connection reports the bad row and sends every other one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.farm_cli import add_farm, renderctl
from tests.integration.nexrender_server import NexrenderServer

pytestmark = pytest.mark.secret_service


def test_a_typed_quote_holds_back_its_own_row_only_and_no_row_vanishes(
    secret_service: dict[str, str], nexrender_server: NexrenderServer, tmp_path: Path
) -> None:
    env = {**secret_service, "RENDER_MANAGER_HOME": str(tmp_path / "home")}
    added = add_farm(env, nexrender_server)
    assert added.returncode == 0, added.stderr
    template = tmp_path / "job.json"
    template.write_text(json.dumps(
        {"template": {"src": "file:///projects/promo.aep", "composition": "{{comp}}"}}
    ))  # fmt: skip
    rows = tmp_path / "versions.csv"
    # Excel's "CSV" on a French Windows: cp1252, `;`, CRLF; line 3 has a quote never closed.
    lines = ["comp;titre", "Été;Un", 'Hiver;"Deux', "Printemps;Trois", "Automne;Quatre"]
    rows.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    submitted = renderctl(env, "submit", "-c", "farm", str(template), "--rows", str(rows), "--json")
    assert submitted.returncode == 1, "one row is bad: the submission is partial"
    result = json.loads(submitted.stdout)
    assert result["status"] == "partial"
    assert [row["index"] for row in result["jobs"]] == [0, 2, 3]
    assert result["errors"] == [
        {"index": 1, "error": 'line 3: a quote (") opens a cell here and is never closed'}
    ]
    jobs = renderctl(env, "jobs", "-c", "farm", "--json")
    assert len(json.loads(jobs.stdout)) == 3, jobs.stderr
