"""`renderctl submit | jobs | show | wait` for local jobs, with their JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl

JOB_KEYS = {
    "id", "connection", "batch_id", "name", "status", "raw_status", "progress",
    "created_at", "started_at", "finished_at", "output", "error", "frames_done", "total_frames",
    "priority", "not_before",
}  # fmt: skip


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(data))
    return path


def test_a_bad_row_queues_nothing_and_names_the_row(engine: Engine, tmp_path: Path) -> None:
    bodies = [
        engine.job_body(),
        {"template": {"src": str(engine.project)}, "assets": [{"type": "hologram"}]},
        engine.job_body(),
    ]
    result = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_write(tmp_path, {"jobs": bodies})), "--json"
    )
    assert result.returncode == 2
    out = json.loads(result.stdout)
    assert out["status"] == "error"
    assert out["jobs"] == []
    assert [e["index"] for e in out["errors"]] == [1]
    assert "template.composition" in out["errors"][0]["error"]
    assert "hologram" in out["errors"][0]["error"]
    assert engine.ctx.jobs.list() == []


def test_a_batch_renders_and_is_listed_shown_and_waited_for(engine: Engine, tmp_path: Path) -> None:
    bodies = [engine.job_body(), {**engine.job_body(), "name": "Spring promo DE"}]
    submitted = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_write(tmp_path, bodies)), "--json"
    )
    assert submitted.returncode == 0, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["status"] == "created"
    assert [row["index"] for row in result["jobs"]] == [0, 1]
    batch = result["batch_id"]
    assert batch

    listed = json.loads(renderctl(engine.ctx.home, "jobs", "--batch", batch, "--json").stdout)
    assert [set(job) for job in listed] == [JOB_KEYS, JOB_KEYS]
    assert {job["status"] for job in listed} == {"queued"}
    assert {job["name"] for job in listed} == {"Main", "Spring promo DE"}

    ran = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "finished" in ran.stdout

    waited = renderctl(engine.ctx.home, "wait", "--batch", batch, "--json")
    assert waited.returncode == 0
    assert {job["status"] for job in json.loads(waited.stdout)} == {"finished"}
    finished = json.loads(
        renderctl(engine.ctx.home, "jobs", "--status", "finished", "--json").stdout
    )
    assert len(finished) == 2
    shown = json.loads(renderctl(engine.ctx.home, "show", listed[0]["id"], "--json").stdout)
    assert shown["progress"] == 100
    assert shown["frames_done"] == shown["total_frames"] == 20
    assert Path(shown["log"]).is_file()


def test_wait_times_out_with_exit_1_while_nothing_renders(engine: Engine, tmp_path: Path) -> None:
    submitted = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_write(tmp_path, engine.job_body())), "--json"
    )
    (row,) = json.loads(submitted.stdout)["jobs"]
    waited = renderctl(engine.ctx.home, "wait", row["id"], "--timeout", "0.3")
    assert waited.returncode == 1
    assert "timed out" in waited.stderr


def test_bad_input_exits_2_with_one_line(engine: Engine, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    cases = [
        ("show", "NOPE"),
        ("jobs", "--status", "bogus"),
        ("submit", "-c", "local", str(broken)),
        ("submit", "-c", "nobody", str(broken)),
        ("cancel",),
    ]
    for args in cases:
        result = renderctl(engine.ctx.home, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert "line 1" in renderctl(engine.ctx.home, "submit", "-c", "local", str(broken)).stderr


def test_connection_set_changes_how_the_local_engine_renders(
    engine: Engine, tmp_path: Path
) -> None:
    result = renderctl(
        engine.ctx.home, "connection", "set", "local", "--retries", "2",
        "--stall-timeout", "90", "--on-interrupted", "requeue", "--concurrency", "3",
        "--aerender-args", "-mfr ON 80 -mem_usage 50 0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    listed = json.loads(renderctl(engine.ctx.home, "connection", "list", "--json").stdout)
    (local,) = [c for c in listed if c["name"] == "local"]
    assert local["concurrency"] == 3
    assert local["engine"]["retries"] == 2
    assert local["engine"]["stall_timeout_s"] == 90
    assert local["engine"]["on_interrupted"] == "requeue"
    assert local["aerender"] == engine.connection.aerender
    assert local["aerender_args"] == ["-mfr", "ON", "80", "-mem_usage", "50", "0"]

    refused = renderctl(engine.ctx.home, "connection", "set", "local", "--retries", "-1")
    assert refused.returncode == 2
    assert "retries" in refused.stderr
    again = json.loads(renderctl(engine.ctx.home, "connection", "list", "--json").stdout)
    assert [c for c in again if c["name"] == "local"] == [local]


def test_rows_from_a_csv_become_jobs_and_a_bad_row_queues_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "name": "{{title}}",
        "template": {"src": str(engine.project), "composition": "{{comp}}"},
    }))  # fmt: skip
    rows = tmp_path / "rows.csv"
    rows.write_text("title,comp\nSpring EN,Main\nSpring DE,Main\n")
    ok = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(template), "--rows", str(rows), "--json"
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert [row["index"] for row in json.loads(ok.stdout)["jobs"]] == [0, 1]
    assert sorted(j.name for j in engine.ctx.jobs.list()) == ["Spring DE", "Spring EN"]

    rows.write_text("title,comp\nFall EN,Main\nFall DE\n")
    bad = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(template), "--rows", str(rows), "--json"
    )
    assert bad.returncode == 2
    assert [e["index"] for e in json.loads(bad.stdout)["errors"]] == [1]
    assert len(engine.ctx.jobs.list()) == 2


def test_refreshing_the_local_engine_says_its_jobs_are_always_current(engine: Engine) -> None:
    result = renderctl(engine.ctx.home, "refresh", "-c", "local")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "renderctl: error: local is the local engine: its jobs are always current\n"
    )
    # Without -c, there is nothing to fetch in a home with only the local engine.
    everything = renderctl(engine.ctx.home, "refresh")
    assert (everything.returncode, everything.stdout, everything.stderr) == (0, "", "")
