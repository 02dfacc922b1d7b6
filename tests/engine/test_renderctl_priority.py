"""`renderctl priority` and `renderctl submit --priority/--at` on the local engine, as a user
runs them: the numbers `jobs --json` shows, the order jobs render in with one render at a
time, and the reasons printed for what cannot change."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl


def _submit(engine: Engine, tmp_path: Path, names: list[str], *options: str) -> list[str]:
    path = tmp_path / f"{names[0]}.json"
    path.write_text(json.dumps([{**engine.job_body(), "name": name} for name in names]))
    submitted = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--json", *options)
    assert submitted.returncode == 0, submitted.stderr
    return [row["id"] for row in json.loads(submitted.stdout)["jobs"]]


def _listed(engine: Engine) -> dict[str, dict[str, Any]]:
    listed = renderctl(engine.ctx.home, "jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    return {job["name"]: job for job in json.loads(listed.stdout)}


def _start_order(engine: Engine, names: list[str]) -> list[str]:
    jobs = _listed(engine)
    assert all(jobs[name]["status"] == "finished" for name in names), jobs
    return sorted(names, key=lambda name: jobs[name]["started_at"])


def test_raised_and_set_priorities_render_first_then_submission_order(
    engine: Engine, tmp_path: Path
) -> None:
    engine.configure(concurrency=1)
    _first, second, third, fourth = _submit(
        engine, tmp_path, ["first", "second", "third", "fourth"]
    )

    raised = renderctl(engine.ctx.home, "priority", "--raise", second, "--json")
    set_high = renderctl(engine.ctx.home, "priority", "--set", "5", fourth)

    assert raised.returncode == 0, raised.stderr
    assert json.loads(raised.stdout) == {
        "changed": [{"id": second, "priority": 1, "was": 0}],
        "skipped": [],
    }
    assert set_high.returncode == 0, set_high.stderr
    assert set_high.stdout == f"{fourth}: priority 0 -> 5\n"
    listed = _listed(engine)
    assert {name: job["priority"] for name, job in listed.items()} == {
        "first": 0, "second": 1, "third": 0, "fourth": 5,
    }  # fmt: skip
    assert json.loads(renderctl(engine.ctx.home, "show", third, "--json").stdout)["priority"] == 0

    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0

    names = ["first", "second", "third", "fourth"]
    assert _start_order(engine, names) == ["fourth", "second", "first", "third"]


def test_priority_given_at_submit_orders_the_queue(engine: Engine, tmp_path: Path) -> None:
    engine.configure(concurrency=1)
    _submit(engine, tmp_path, ["routine"])
    _submit(engine, tmp_path, ["urgent"], "--priority", "3")

    assert _listed(engine)["urgent"]["priority"] == 3
    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0
    assert _start_order(engine, ["routine", "urgent"]) == ["urgent", "routine"]


def test_jobs_no_longer_waiting_keep_their_priority_with_the_reason_and_exit_1(
    engine: Engine, tmp_path: Path
) -> None:
    done, waiting = _submit(engine, tmp_path, ["done", "waiting"])
    assert renderctl(engine.ctx.home, "cancel", done).returncode == 0

    changed = renderctl(engine.ctx.home, "priority", "--set", "2", done, waiting, "nope", "--json")

    assert changed.returncode == 1
    assert json.loads(changed.stdout) == {
        "changed": [{"id": waiting, "priority": 2, "was": 0}],
        "skipped": [
            {"id": done, "reason": "it has been cancelled"},
            {"id": "nope", "reason": "no such job"},
        ],
    }
    assert changed.stderr.splitlines() == [
        f"not changed {done}: it has been cancelled",
        "not changed nope: no such job",
    ]
    assert _listed(engine)["done"]["priority"] == 0


def test_priority_needs_one_change_and_a_sane_number(engine: Engine, tmp_path: Path) -> None:
    (job,) = _submit(engine, tmp_path, ["only"])
    for args, said in [
        ((job,), "one of the arguments --set --raise --lower is required"),
        (("--set", "1", "--raise", job), "not allowed with argument"),
        (("--set", "high", job), "invalid int value: 'high'"),
        (("--set", "5000000", job), "a priority is between -1000000 and 1000000"),
    ]:
        refused = renderctl(engine.ctx.home, "priority", *args)
        assert refused.returncode == 2, args
        assert said in refused.stderr
        assert refused.stdout == ""
    assert _listed(engine)["only"]["priority"] == 0


def test_a_job_submitted_with_at_waits_for_its_time_while_others_render(
    engine: Engine, tmp_path: Path
) -> None:
    engine.configure(concurrency=1)
    start = (datetime.now().astimezone() + timedelta(seconds=4)).replace(microsecond=0)
    path = tmp_path / "later.json"
    path.write_text(json.dumps({**engine.job_body(), "name": "later"}))
    later = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(path), "--at", start.isoformat(), "--json"
    )
    assert later.returncode == 0, later.stderr
    assert f"note: the jobs wait until {start.isoformat()}" in later.stderr
    _submit(engine, tmp_path, ["now"])

    listed = _listed(engine)
    assert datetime.fromisoformat(listed["later"]["not_before"]) == start
    assert listed["later"]["status"] == "queued"
    assert listed["now"]["not_before"] is None

    # Submitted first, but it waits: the job sent after it renders first.
    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0
    assert _start_order(engine, ["later", "now"]) == ["now", "later"]
    ran = _listed(engine)["later"]
    assert datetime.fromisoformat(ran["started_at"]) >= start


def test_a_start_time_already_past_starts_now_and_a_bad_one_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "job.json"
    path.write_text(json.dumps({**engine.job_body(), "name": "past"}))
    past = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(path), "--at", "2020-01-01T08:00"
    )
    assert past.returncode == 0, past.stderr
    assert "note: 2020-01-01T08:00 has passed: the jobs start now" in past.stderr

    bad = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--at", "25:00")
    assert bad.returncode == 2
    assert "--at: '25:00' is not a time of day (00:00 to 23:59)" in bad.stderr
    words = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--at", "tonight")
    assert words.returncode == 2
    assert "give HH:MM (the next such time, today or tomorrow) or an ISO 8601" in words.stderr
    assert list(_listed(engine)) == ["past"]

    assert renderctl(engine.ctx.home, "engine", "--until-idle", timeout=120).returncode == 0
    assert _listed(engine)["past"]["status"] == "finished"


def test_a_clock_time_means_the_next_such_time(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text(json.dumps({**engine.job_body(), "name": "tonight"}))
    before = datetime.now().astimezone()

    queued = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--at", "03:30")

    assert queued.returncode == 0, queued.stderr
    start = datetime.fromisoformat(_listed(engine)["tonight"]["not_before"])
    assert (start.hour, start.minute) == (3, 30)
    assert before < start <= before + timedelta(days=1)
