"""The schema, as an ordered list of migrations; `PRAGMA user_version` counts those applied."""

from __future__ import annotations

# Append only: a released migration is never edited, a change is a new entry.
MIGRATIONS: tuple[str, ...] = (
    # 1: connections, batches, jobs and the event log.
    """
    CREATE TABLE connections (
        name        TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        url         TEXT,
        aerender    TEXT,
        concurrency INTEGER,
        extra_args  TEXT NOT NULL DEFAULT '[]',
        created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE batches (
        id          TEXT PRIMARY KEY,
        connection  TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE jobs (
        id          TEXT PRIMARY KEY,
        connection  TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE,
        batch_id    TEXT REFERENCES batches(id) ON DELETE SET NULL,
        parent_id   TEXT,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        raw_status  TEXT NOT NULL,
        progress    REAL NOT NULL DEFAULT 0,
        created_at  TEXT NOT NULL,
        started_at  TEXT,
        finished_at TEXT,
        output      TEXT,
        error       TEXT,
        tags        TEXT NOT NULL DEFAULT '[]',
        updated_seq INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX jobs_by_connection_status ON jobs(connection, status);
    CREATE INDEX jobs_by_batch ON jobs(batch_id);
    CREATE INDEX jobs_by_updated_seq ON jobs(updated_seq);

    CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        connection  TEXT,
        job_id      TEXT,
        data        TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    CREATE INDEX events_by_job ON events(job_id);

    -- The event log is a history: rows are only ever added.
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

    -- change_seq grows by one per write transaction that touches jobs; readers in other
    -- processes ask for the jobs whose updated_seq is past the last value they saw.
    CREATE TABLE meta (
        key         TEXT PRIMARY KEY,
        value       INTEGER NOT NULL
    ) STRICT;
    INSERT INTO meta (key, value) VALUES ('change_seq', 0);

    -- Every home starts with the embedded engine.
    INSERT INTO connections (name, kind, created_at)
    VALUES ('local', 'local', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
    """,
    # 2: what the local engine needs to run, stop and re-adopt a render.
    """
    ALTER TABLE connections ADD COLUMN engine_settings TEXT NOT NULL DEFAULT '{}';

    CREATE TABLE local_jobs (
        job_id          TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        job_type        TEXT NOT NULL,
        spec            TEXT NOT NULL,
        priority        INTEGER NOT NULL DEFAULT 0,
        submitted_seq   INTEGER NOT NULL,
        work_dir        TEXT NOT NULL,
        log_path        TEXT,
        pid             INTEGER,
        pid_started_at  REAL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        frames_done     INTEGER,
        total_frames    INTEGER,
        eta_seconds     REAL,
        warnings        TEXT NOT NULL DEFAULT '[]'
    ) STRICT;
    CREATE INDEX local_jobs_by_cancel ON local_jobs(cancel_requested) WHERE cancel_requested = 1;
    INSERT INTO meta (key, value) VALUES ('local_submit_seq', 0);
    """,
    # 3: the route a local render took to aerender (plain, rewrite, script), once staged.
    """
    ALTER TABLE local_jobs ADD COLUMN route TEXT;
    """,
    # 4: what a remote job was created from, to send it again as a retry, and the job it
    # retries. Its own table: a refresh rewrites a job's row, never these.
    """
    CREATE TABLE job_requests (
        job_id      TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        body        TEXT,
        retry_of    TEXT,
        -- 1 while a retry of this job was sent and its answer lost, unsettled: the next
        -- retry waits for the user to say they checked (a service that cannot be asked).
        retry_unknown INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX job_requests_by_retry_of ON job_requests(retry_of) WHERE retry_of IS NOT NULL;
    """,
    # 5: pauses. A paused connection's engine starts no new render (paused_at: since when,
    # NULL while it runs). stop_to asks the engine running a job to stop its render and put
    # the job back as 'queued' or 'paused', the attempt not counted.
    """
    ALTER TABLE connections ADD COLUMN paused_at TEXT;
    ALTER TABLE local_jobs ADD COLUMN stop_to TEXT;
    CREATE INDEX local_jobs_by_stop_to ON local_jobs(stop_to) WHERE stop_to IS NOT NULL;
    """,
    # 6: when a local job may start at the earliest (seconds since the epoch, UTC); NULL:
    # as soon as its turn comes. The engine claims no job before its time.
    """
    ALTER TABLE local_jobs ADD COLUMN not_before REAL;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
