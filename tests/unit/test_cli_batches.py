"""`renderctl batches` as a separate process: the side panel's numbers, from the command line.

A cancelled or failed job is never done: "8 of 50 finished · 42 cancelled", never "50/50".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch, Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.keychain import Keychain
from render_manager.services.context import open_context
from tests.engine.processes import renderctl

KEYS = {
    "id", "connection", "name", "total", "queued", "rendering", "finished", "failed",
    "cancelled", "progress", "eta_s",
}  # fmt: skip
NOW = datetime.now(UTC)


def _jobs(batch: str, connection: str, statuses: list[JobStatus], **fields: object) -> list[Job]:
    return [
        Job(
            id=f"{batch}-{n:02d}",
            connection=connection,
            name=f"{batch} shot {n}",
            status=status,
            raw_status=status.value,
            created_at=NOW - timedelta(hours=1),
            batch_id=batch,
            **fields,  # type: ignore[arg-type]
        )
        for n, status in enumerate(statuses)
    ]


@pytest.fixture
def stored(home: Path, keychain: Keychain) -> Path:
    """A home with four batches on two connections, as a refresh left them."""
    s = JobStatus
    # Taken as the home is written, not at import: the ETA counts from this moment.
    started = {"started_at": datetime.now(UTC) - timedelta(minutes=10)}
    with open_context(home, keychain=keychain) as ctx:
        ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
        ctx.connections.add(
            Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://f")
        )

        def add(batch: str, name: str, connection: str, age_h: int, jobs: list[Job]) -> None:
            created = NOW - timedelta(hours=age_h)
            ctx.jobs.add_batch(Batch(batch, connection, name, created), jobs)

        add(
            "fifty",
            "spring.csv",
            "cloud",
            3,
            _jobs("fifty", "cloud", [s.FINISHED] * 8 + [s.CANCELLED] * 42),
        )
        add("gone", "mistake.csv", "cloud", 2, _jobs("gone", "cloud", [s.CANCELLED] * 5))
        running = _jobs(
            "run", "cloud", [s.FINISHED] * 2 + [s.FAILED, s.CANCELLED, s.QUEUED], **started
        )
        running.append(
            _jobs("run", "cloud", [s.RENDERING], progress=50.0, **started)[0].with_changes(
                id="run-99"
            )
        )
        add("run", "lower thirds", "cloud", 1, running)
        add("farm-b", "farm batch", "farm", 4, _jobs("farm-b", "farm", [s.QUEUED] * 2))
    return home


def test_json_counts_finished_failed_and_cancelled_apart(stored: Path) -> None:
    result = renderctl(stored, "batches", "--json")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    batches = json.loads(result.stdout)
    assert [b["id"] for b in batches] == ["run", "gone", "fifty", "farm-b"]  # newest first
    assert all(set(b) == KEYS for b in batches)
    by_id = {b["id"]: b for b in batches}
    fifty = by_id["fifty"]
    assert (fifty["total"], fifty["finished"], fifty["cancelled"]) == (50, 8, 42)
    # Every job that was to render did: the progress is full and the batch has ended.
    assert (fifty["progress"], fifty["eta_s"]) == (100.0, 0)
    assert (fifty["name"], fifty["connection"]) == ("spring.csv", "cloud")
    # Every job cancelled: no progress at all, not 100.
    assert by_id["gone"]["progress"] is None
    assert by_id["gone"]["cancelled"] == 5
    run = by_id["run"]
    counts = [run[k] for k in ("total", "queued", "rendering", "finished", "failed", "cancelled")]
    assert counts == [6, 1, 1, 2, 1, 1]
    # 2.5 of the 4 jobs that will render, done in 10 minutes; 1.5 left: 6 minutes.
    assert run["progress"] == 62.5
    assert run["eta_s"] == pytest.approx(360, abs=30)


def test_the_table_says_what_happened_in_words(stored: Path) -> None:
    result = renderctl(stored, "batches")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["ID"].split() == ["ID", "CONNECTION", "PROGRESS", "ETA", "JOBS", "NAME"]
    assert "100 %" in lines["fifty"]
    assert "8 of 50 finished · 42 cancelled" in lines["fifty"]
    assert lines["fifty"].rstrip().endswith("spring.csv")
    assert "cancelled" in lines["gone"].split()[2]
    assert "62 %" in lines["run"]
    assert "2 of 6 finished · 1 failed · 1 cancelled · 1 rendering · 1 queued" in lines["run"]


def test_one_connection_or_a_clear_error(stored: Path) -> None:
    only = renderctl(stored, "batches", "-c", "farm", "--json")
    assert only.returncode == 0, only.stderr
    assert [b["id"] for b in json.loads(only.stdout)] == ["farm-b"]

    unknown = renderctl(stored, "batches", "-c", "nowhere")
    assert unknown.returncode == 2
    assert unknown.stdout == ""
    assert unknown.stderr.startswith("renderctl: error:")
    assert "nowhere" in unknown.stderr
    assert len(unknown.stderr.splitlines()) == 1
