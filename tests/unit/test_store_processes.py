"""Several processes sharing one home's database, as the window, renderctl and an engine do."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from render_manager.domain.status import JobStatus
from render_manager.home import database_path, ensure_home
from render_manager.store import open_store
from render_manager.store.events import EventLog
from render_manager.store.jobs import JobRepository
from tests.unit.helpers.store_writer import make_job

WRITER = Path(__file__).parent / "helpers" / "store_writer.py"
WORKERS = 4
JOBS_EACH = 250


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    """Child processes started by a test; any still running at the end are killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _writer(
    home: Path, worker: int, count: int, chunk: int, status: JobStatus | None = None
) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), str(home), str(worker), str(count), str(chunk)]
    if status is not None:
        args.append(status.value)
    return subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("created_by", ["parent", "children"])
def test_four_processes_write_and_read_one_home(
    home: Path, children: list[subprocess.Popen[str]], created_by: str
) -> None:
    if created_by == "parent":
        open_store(home).close()
    children.extend(_writer(home, w, JOBS_EACH, 5) for w in range(WORKERS))
    # Release them together: each opens the home only once it reads its line.
    for proc in children:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [(proc.communicate(), proc.returncode) for proc in children]

    for (out, err), code in results:
        assert code == 0, err
        assert "database is locked" not in err
        assert out.strip() == f"wrote {JOBS_EACH}"
    with open_store(home) as db:
        jobs = JobRepository(db).list()
        assert len(jobs) == WORKERS * JOBS_EACH
        expected = {make_job(w, n) for w in range(WORKERS) for n in range(JOBS_EACH)}
        assert set(jobs) == expected
        # Every small transaction was its own change: 50 per writer.
        assert JobRepository(db).changed_since(0).seq == WORKERS * JOBS_EACH // 5


def test_writes_of_another_process_are_seen_by_changed_since(
    home: Path, children: list[subprocess.Popen[str]]
) -> None:
    with open_store(home) as db:
        repo = JobRepository(db)
        mine = [make_job(9, n) for n in range(3)]
        seq = repo.upsert_many(mine)
        assert repo.changed_since(seq).jobs == []

        # The other process finishes these three and adds two more.
        proc = _writer(home, 9, 5, 5, JobStatus.FINISHED)
        children.append(proc)
        out, err = proc.communicate("go\n")
        assert proc.returncode == 0, err
        assert out.strip() == "wrote 5"

        changes = repo.changed_since(seq)
        assert changes.jobs == [make_job(9, n, JobStatus.FINISHED) for n in range(5)]
        assert changes.seq == seq + 1
        assert repo.get("w9-0000") == make_job(9, 0, JobStatus.FINISHED)
        history = EventLog(db).for_job("w9-0001")
        assert [(e.kind, e.data["previous"], e.data["status"]) for e in history] == [
            ("job.created", None, "queued"),
            ("job.status", "queued", "finished"),
        ]
        assert repo.changed_since(changes.seq).jobs == []


_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


def test_a_new_home_opened_while_another_process_holds_its_file_waits_and_opens(
    home: Path, children: list[subprocess.Popen[str]]
) -> None:
    """Two programs starting on a new home at once: the second one to switch the file to WAL
    is told "busy" at once by SQLite; it waits its turn rather than call the file damaged."""
    ensure_home(home)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(database_path(home))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    children.append(holder)
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert holder.stdout.readline().strip() == "held"
    stdin = holder.stdin

    def release() -> None:
        stdin.write("go\n")
        stdin.flush()

    timer = threading.Timer(0.3, release)
    timer.start()
    try:
        with open_store(home) as db:
            assert JobRepository(db).list() == []
    finally:
        timer.join()
    holder.communicate(timeout=30)
    assert holder.returncode == 0
