"""`renderctl` on a workstation without After Effects says so, and how to fix it; with an
aerender found, it names it. Run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.engine.processes import REPO

FIX = "renderctl connection set local --aerender PATH"


def _renderctl(home: Path, path: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RENDER_MANAGER_AERENDER"}
    env.update({"RENDER_MANAGER_HOME": str(home), "PYTHONPATH": str(REPO), "PATH": path})
    return subprocess.run(
        [sys.executable, "-m", "render_manager.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_connection_list_says_local_cannot_run_aerender_renders_and_the_fix(
    home: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    listed = _renderctl(home, str(empty), "connection", "list")
    assert listed.returncode == 0, listed.stderr
    (local,) = [line for line in listed.stdout.splitlines() if line.startswith("local ")]
    assert "NOT FOUND" in local
    assert "auto-detect" not in listed.stdout
    assert "encode jobs" in local
    # The why and the fix are a diagnostic: on stderr, leaving stdout a table.
    assert "no aerender on PATH or in the usual After Effects install folders" in listed.stderr
    assert FIX in listed.stderr

    as_json = _renderctl(home, str(empty), "connection", "list", "--json")
    (entry,) = [c for c in json.loads(as_json.stdout) if c["name"] == "local"]
    assert entry["ready"] is False
    assert entry["aerender_found"] is None
    assert "encode jobs still do" in entry["not_ready_reason"]


def test_a_submit_without_after_effects_names_the_set_command(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    project = tmp_path / "promo.aep"
    project.write_bytes(b"RIFX")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"template": {"src": str(project), "composition": "Main"}}))
    submitted = _renderctl(home, str(empty), "submit", "-c", "local", str(job))
    assert submitted.returncode == 2
    assert FIX in submitted.stderr + submitted.stdout
    assert "connection add" not in submitted.stderr + submitted.stdout


def test_connection_list_names_the_aerender_found_on_path(home: Path, fake_aerender: Path) -> None:
    listed = _renderctl(
        home, f"{fake_aerender.parent}{os.pathsep}{os.environ['PATH']}", "connection", "list"
    )
    assert listed.returncode == 0, listed.stderr
    (local,) = [line for line in listed.stdout.splitlines() if line.startswith("local ")]
    assert f"{fake_aerender} (found on PATH)" in local
    assert "aerender" not in listed.stderr
