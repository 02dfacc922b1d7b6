"""The SQLite store of a home: schema, jobs, the event log, connections and damaged files."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render_manager.domain.connection import Connection
from render_manager.domain.job import Batch, BatchCounts, Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.home import database_path
from render_manager.store import (
    ConnectionExists,
    ConnectionInUse,
    Database,
    DatabaseCorrupt,
    DatabaseTooNew,
    UnknownConnection,
    open_store,
)
from render_manager.store.connections import ConnectionRepository
from render_manager.store.events import EventLog
from render_manager.store.jobs import JobChanges, JobRepository
from render_manager.store.schema import SCHEMA_VERSION

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
SIDECARS = ("-wal", "-shm", "-journal")


@dataclass
class Store:
    db: Database
    jobs: JobRepository
    connections: ConnectionRepository
    events: EventLog


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    db = open_store(home)
    yield Store(db, JobRepository(db), ConnectionRepository(db), EventLog(db))
    db.close()


def _job(n: int, **changes: object) -> Job:
    fields: dict[str, object] = {
        "id": f"job-{n:05d}",
        "connection": "local",
        "name": f"Shot {n}",
        "status": JobStatus.QUEUED,
        "raw_status": "queued",
        "created_at": T0 + timedelta(seconds=n),
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


def _raw(path: Path) -> sqlite3.Connection:
    """A second, plain connection to the file, as a user's sqlite3 shell would open it."""
    return sqlite3.connect(path, isolation_level=None)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _noise(seed: bytes, size: int) -> bytes:
    """Deterministic bytes that look random."""
    return hashlib.shake_256(seed).digest(size)


def _sidecars(path: Path) -> list[Path]:
    return [p for s in SIDECARS if (p := path.with_name(path.name + s)).exists()]


# --- opening a home ---------------------------------------------------------------------------


def test_new_home_has_the_local_connection(store: Store) -> None:
    assert store.connections.list() == [Connection(name="local", kind=BackendKind.LOCAL)]
    assert store.connections.get("local").kind is BackendKind.LOCAL
    assert store.jobs.list() == []


def test_schema_version_wal_and_foreign_keys(home: Path, store: Store) -> None:
    raw = _raw(database_path(home))
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    with store.db.read() as sql:
        assert sql.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_is_idempotent(home: Path) -> None:
    with open_store(home) as db:
        ConnectionRepository(db).add(
            Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://farm:3050")
        )
        JobRepository(db).upsert_many([_job(1), _job(2, connection="farm")])
        events_before = EventLog(db).since(0)
    for _ in range(2):
        with open_store(home) as db:
            assert [c.name for c in ConnectionRepository(db).list()] == ["farm", "local"]
            assert [j.id for j in JobRepository(db).list()] == ["job-00001", "job-00002"]
            assert EventLog(db).since(0) == events_before
            with db.read() as sql:
                assert sql.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- jobs -------------------------------------------------------------------------------------


def test_job_with_every_field_round_trips_exactly(store: Store) -> None:
    store.jobs.add_batch(Batch(id="b-1", connection="local", name="Spots", created_at=T0))
    ist = timezone(timedelta(hours=5, minutes=30))
    job = Job(
        id="job-full",
        connection="local",
        name="Shot 010 — ünïcode",
        status=JobStatus.FAILED,
        raw_status="interrupted",
        created_at=datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=ist),
        batch_id="b-1",
        parent_id="parent-7",
        progress=37.25,
        started_at=datetime(2024, 5, 1, 3, 31, tzinfo=UTC),
        finished_at=datetime(2024, 5, 1, 1, 2, 3, tzinfo=timezone(timedelta(hours=-7))),
        output="/renders/shot010.mov",
        error="aerender ERROR: out of memory",
        tags=("client:acme", "4k", ""),
    )
    store.jobs.upsert_many([job])
    loaded = store.jobs.get("job-full")
    assert loaded == job
    assert loaded is not None
    # The same instants come back, stored as UTC so that they sort in time order.
    assert loaded.created_at == job.created_at
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.finished_at is not None
    assert loaded.finished_at == job.finished_at


def test_job_with_no_optional_fields_round_trips(store: Store) -> None:
    job = _job(3)
    store.jobs.upsert_many([job])
    loaded = store.jobs.get(job.id)
    assert loaded == job
    assert loaded is not None
    assert (loaded.batch_id, loaded.parent_id, loaded.started_at, loaded.output) == (
        None,
        None,
        None,
        None,
    )
    assert loaded.tags == ()
    assert store.jobs.get("no-such-job") is None


offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
aware = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
optional_text = st.none() | st.text(max_size=30)
jobs = st.builds(
    Job,
    id=st.text(min_size=1, max_size=20),
    connection=st.just("local"),
    name=st.text(max_size=30),
    status=st.sampled_from(list(JobStatus)),
    raw_status=st.text(max_size=20),
    created_at=aware,
    parent_id=optional_text,
    progress=st.floats(min_value=0.0, max_value=100.0),
    started_at=st.none() | aware,
    finished_at=st.none() | aware,
    output=optional_text,
    error=optional_text,
    tags=st.lists(st.text(max_size=10), max_size=4).map(tuple),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(job=jobs)
def test_any_job_round_trips(store: Store, job: Job) -> None:
    store.jobs.upsert_many([job])
    loaded = store.jobs.get(job.id)
    assert loaded == job
    assert loaded is not None
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_ten_thousand_jobs_are_all_or_nothing(store: Store) -> None:
    seq_before = store.jobs.changed_since(0).seq
    batch = [_job(n) for n in range(10_000)]
    batch[5_000] = _job(5_000, connection="nowhere")

    with pytest.raises(UnknownConnection, match="nowhere"):
        store.jobs.upsert_many(batch)

    assert store.jobs.list() == []
    assert sum(store.jobs.count_by_status().values()) == 0
    assert store.jobs.changed_since(0) == JobChanges([], seq_before)
    assert [e for e in store.events.since(0) if e.job_id is not None] == []


def test_ten_thousand_jobs_are_one_change(store: Store) -> None:
    seq_before = store.jobs.changed_since(0).seq
    batch = [_job(n) for n in range(10_000)]

    seq = store.jobs.upsert_many(batch)

    assert seq == seq_before + 1
    changes = store.jobs.changed_since(seq_before)
    assert changes.seq == seq
    assert len(changes.jobs) == 10_000
    assert store.jobs.count_by_status()[JobStatus.QUEUED] == 10_000
    assert store.jobs.changed_since(seq).jobs == []
    created = [e for e in store.events.since(0, limit=20_000) if e.kind == "job.created"]
    assert len(created) == 10_000


def test_status_changes_are_logged_and_progress_is_not(store: Store) -> None:
    store.jobs.upsert_many([_job(1)])
    store.jobs.upsert_many([_job(1, raw_status="rendering", status=JobStatus.RENDERING)])
    for progress in (10.0, 50.0, 90.0):
        store.jobs.upsert_many(
            [_job(1, raw_status="rendering", status=JobStatus.RENDERING, progress=progress)]
        )
    store.jobs.upsert_many(
        [_job(1, raw_status="failed", status=JobStatus.FAILED, error="disk full", progress=90.0)]
    )

    history = store.events.for_job("job-00001")
    assert [e.kind for e in history] == ["job.created", "job.status", "job.status"]
    assert [(e.data["previous"], e.data["status"]) for e in history] == [
        (None, "queued"),
        ("queued", "rendering"),
        ("rendering", "failed"),
    ]
    assert history[-1].data["error"] == "disk full"
    assert history[-1].data["raw_status"] == "failed"
    assert all(e.connection == "local" for e in history)
    assert [e.seq for e in history] == sorted(e.seq for e in history)
    loaded = store.jobs.get("job-00001")
    assert loaded is not None
    assert (loaded.status, loaded.progress) == (JobStatus.FAILED, 90.0)


@pytest.mark.parametrize("statement", ["UPDATE events SET kind = 'forged'", "DELETE FROM events"])
def test_event_log_is_append_only(home: Path, store: Store, statement: str) -> None:
    store.jobs.upsert_many([_job(1)])
    before = store.events.since(0)
    assert before

    with pytest.raises(sqlite3.DatabaseError, match="append-only"), store.db.write() as sql:
        sql.execute(statement)
    raw = _raw(database_path(home))
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    finally:
        raw.close()

    assert store.events.since(0) == before


def test_changed_since_returns_only_later_writes(store: Store) -> None:
    first = store.jobs.upsert_many([_job(1), _job(2)])
    second = store.jobs.upsert_many([_job(3)])

    later = store.jobs.changed_since(first)
    assert [j.id for j in later.jobs] == ["job-00003"]
    assert later.seq == second
    assert store.jobs.changed_since(second).jobs == []

    third = store.jobs.upsert_many([_job(1, progress=25.0)])
    changed = store.jobs.changed_since(second)
    assert [(j.id, j.progress) for j in changed.jobs] == [("job-00001", 25.0)]
    assert changed.seq == third
    assert {j.id for j in store.jobs.changed_since(0).jobs} == {
        "job-00001",
        "job-00002",
        "job-00003",
    }


def test_list_filters_by_connection_status_and_batch(store: Store) -> None:
    store.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    store.jobs.add_batch(Batch(id="b-1", connection="local", name="Spots", created_at=T0))
    store.jobs.upsert_many(
        [
            _job(1, batch_id="b-1"),
            _job(2, batch_id="b-1", status=JobStatus.FINISHED, raw_status="finished"),
            _job(3, status=JobStatus.RENDERING, raw_status="rendering"),
            _job(4, connection="cloud", status=JobStatus.FINISHED, raw_status="finished"),
            _job(5, connection="cloud", status=JobStatus.PENDING, raw_status="pending"),
        ]
    )

    def ids(found: list[Job]) -> list[int]:
        return [int(j.id.removeprefix("job-")) for j in found]

    assert ids(store.jobs.list()) == [1, 2, 3, 4, 5]
    assert ids(store.jobs.list(connection="cloud")) == [4, 5]
    assert ids(store.jobs.list(statuses=[JobStatus.FINISHED])) == [2, 4]
    assert ids(store.jobs.list(statuses=[JobStatus.QUEUED, JobStatus.PENDING])) == [1, 5]
    assert ids(store.jobs.list(statuses=[])) == []
    assert ids(store.jobs.list(batch_id="b-1")) == [1, 2]
    assert ids(store.jobs.list(connection="local", statuses=[JobStatus.FINISHED])) == [2]
    assert ids(store.jobs.list(connection="cloud", batch_id="b-1")) == []
    assert ids(store.jobs.list(connection="nobody")) == []


def test_list_is_oldest_first_across_time_zones(store: Store) -> None:
    plus_five = timezone(timedelta(hours=5))
    earlier = _job(1, created_at=datetime(2024, 5, 1, 10, 0, tzinfo=plus_five))  # 05:00 UTC
    later = _job(2, created_at=datetime(2024, 5, 1, 6, 0, tzinfo=UTC))  # 06:00 UTC
    store.jobs.upsert_many([later, earlier])
    assert [j.id for j in store.jobs.list()] == [earlier.id, later.id]


def test_batch_has_aggregate_counts(store: Store) -> None:
    statuses = [
        JobStatus.FINISHED,
        JobStatus.FINISHED,
        JobStatus.FAILED,
        JobStatus.CANCELLED,
        JobStatus.RENDERING,
        JobStatus.QUEUED,
    ]
    batch = Batch(id="b-9", connection="local", name="Spots", created_at=T0)
    members = [
        _job(n, batch_id="b-9", status=s, raw_status=s.value) for n, s in enumerate(statuses)
    ]
    store.jobs.add_batch(batch, members)
    store.jobs.upsert_many([_job(100)])  # not in the batch

    found = store.jobs.batch("b-9")
    assert found is not None
    assert (found.id, found.name, found.connection, found.created_at) == (
        "b-9",
        "Spots",
        "local",
        T0,
    )
    assert found.counts == BatchCounts(total=6, finished=2, failed=1, cancelled=1, pending=2)
    assert not found.counts.done

    store.jobs.upsert_many(
        [_job(4, batch_id="b-9", status=JobStatus.FINISHED, raw_status="finished")]
    )
    store.jobs.upsert_many([_job(5, batch_id="b-9", status=JobStatus.FAILED, raw_status="failed")])
    done = store.jobs.batch("b-9")
    assert done is not None
    assert done.counts == BatchCounts(total=6, finished=3, failed=2, cancelled=1, pending=0)
    assert done.counts.done
    assert store.jobs.batch("no-such-batch") is None


# --- connections ------------------------------------------------------------------------------


def test_connection_settings_round_trip(store: Store) -> None:
    box = Connection(
        name="box-2",
        kind=BackendKind.LOCAL,
        aerender="/Applications/Adobe After Effects 2024/aerender",
        concurrency=3,
        extra_args=("-mem_usage", "50", "50"),
    )
    farm = Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://farm:3050")
    store.connections.add(box)
    store.connections.add(farm)
    assert store.connections.get("box-2") == box
    assert store.connections.get("farm") == farm
    with pytest.raises(UnknownConnection, match="nobody"):
        store.connections.get("nobody")


def test_adding_a_taken_name_is_refused(store: Store) -> None:
    farm = Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://farm:3050")
    store.connections.add(farm)
    with pytest.raises(ConnectionExists, match="farm"):
        store.connections.add(Connection(name="farm", kind=BackendKind.RENDLEY))
    with pytest.raises(ConnectionExists, match="local"):
        store.connections.add(Connection(name="local", kind=BackendKind.LOCAL))
    assert store.connections.list() == [farm, Connection(name="local", kind=BackendKind.LOCAL)]


def test_removing_a_connection_with_active_jobs_needs_force(store: Store) -> None:
    store.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    store.jobs.add_batch(Batch(id="b-c", connection="cloud", name="Cloud", created_at=T0))
    store.jobs.upsert_many(
        [
            _job(1, connection="cloud", batch_id="b-c"),
            _job(2, connection="cloud", status=JobStatus.RENDERING, raw_status="render:x"),
            _job(3, connection="cloud", status=JobStatus.FINISHED, raw_status="finished"),
            _job(4),  # on local: must survive
        ]
    )

    with pytest.raises(ConnectionInUse, match="2 unfinished") as refused:
        store.connections.remove("cloud")
    assert refused.value.active_jobs == 2
    assert store.connections.active_job_count("cloud") == 2
    assert [j.id for j in store.jobs.list(connection="cloud")] == [
        "job-00001",
        "job-00002",
        "job-00003",
    ]

    assert store.connections.remove("cloud", force=True) == 3

    assert [c.name for c in store.connections.list()] == ["local"]
    assert store.jobs.list(connection="cloud") == []
    assert store.jobs.batch("b-c") is None
    assert [j.id for j in store.jobs.list()] == ["job-00004"]
    with pytest.raises(UnknownConnection, match="cloud"):
        store.connections.remove("cloud")
    with pytest.raises(UnknownConnection, match="cloud"):
        store.jobs.upsert_many([_job(9, connection="cloud")])


def test_a_connection_whose_jobs_all_ended_is_removed_without_force(store: Store) -> None:
    store.connections.add(Connection(name="rend", kind=BackendKind.RENDLEY))
    store.jobs.upsert_many(
        [
            _job(1, connection="rend", status=JobStatus.FINISHED, raw_status="completed"),
            _job(2, connection="rend", status=JobStatus.CANCELLED, raw_status="canceled"),
        ]
    )
    assert store.connections.remove("rend") == 2
    assert store.jobs.list() == []


# --- damaged and newer databases --------------------------------------------------------------


def _assert_refused_untouched(home: Path, error: type[Exception]) -> str:
    path = database_path(home)
    before = _digest(path)
    with pytest.raises(error) as raised:
        open_store(home)
    assert str(path) in str(raised.value)
    assert "left untouched" in str(raised.value)
    assert _digest(path) == before
    assert _sidecars(path) == []
    return str(raised.value)


def test_random_bytes_are_refused_untouched(home: Path) -> None:
    path = database_path(home)
    home.mkdir(parents=True)
    path.write_bytes(_noise(b"random bytes", 64 * 1024))
    _assert_refused_untouched(home, DatabaseCorrupt)


def test_sqlite_header_then_garbage_is_refused_untouched(home: Path) -> None:
    path = database_path(home)
    home.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + _noise(b"after the header", 16 * 1024))
    _assert_refused_untouched(home, DatabaseCorrupt)


def test_damaged_pages_after_a_readable_first_page_are_refused_untouched(home: Path) -> None:
    path = database_path(home)
    home.mkdir(parents=True)
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE renders (note TEXT)")
    other.executemany("INSERT INTO renders VALUES (?)", [("x" * 500,)] * 100)
    other.commit()
    other.close()
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = _noise(b"damaged pages", len(data) - page)
    path.write_bytes(bytes(data))
    _assert_refused_untouched(home, DatabaseCorrupt)


def test_database_from_a_newer_version_is_refused_untouched(home: Path) -> None:
    open_store(home).close()
    raw = _raw(database_path(home))
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()

    message = _assert_refused_untouched(home, DatabaseTooNew)

    assert f"schema version {SCHEMA_VERSION + 1}" in message
    raw = _raw(database_path(home))
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    finally:
        raw.close()


def test_recent_reads_the_jobs_added_last_first_and_updates_keep_their_place(
    store: Store,
) -> None:
    store.jobs.upsert_many([_job(n) for n in range(5)])
    store.jobs.upsert_many([_job(5), _job(6)])
    store.jobs.upsert_many([_job(1, progress=50.0)])  # an update is not an addition
    assert [j.id for j in store.jobs.recent(3)] == ["job-00006", "job-00005", "job-00004"]
    assert len(store.jobs.recent(100)) == 7
    assert store.jobs.recent(100)[-1] == _job(0)


def test_everything_lists_jobs_in_the_order_they_were_added(store: Store) -> None:
    store.jobs.upsert_many([_job(3), _job(1), _job(2)])
    store.jobs.upsert_many([_job(1, progress=10.0)])  # written again: keeps its place
    everything = store.jobs.everything()
    assert [j.id for j in everything.jobs] == ["job-00003", "job-00001", "job-00002"]
    assert everything.seq == store.jobs.changed_since(0).seq
    # One write's jobs come back from changed_since in the order they were added too.
    seq = everything.seq
    store.jobs.upsert_many([_job(9), _job(7), _job(8)])
    assert [j.id for j in store.jobs.changed_since(seq).jobs] == [
        "job-00009",
        "job-00007",
        "job-00008",
    ]
