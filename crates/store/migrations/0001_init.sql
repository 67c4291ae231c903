-- Switchyard's storage. Times are Unix milliseconds; JSON columns hold JSON text.
-- Event and run ids sort by creation time, so lists page by id without a time index.

-- Every save of a workflow is a version; any version can be restored.
CREATE TABLE workflow_versions (
    workflow_id TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    file        TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    source      TEXT    NOT NULL,           -- file | editor | restore
    saved_at    INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, version)
) WITHOUT ROWID;

-- The inbox: every event that was accepted (acknowledged only after this row is committed).
-- Rowid tables with a unique id: rows here are large (payloads, journals), which clustered
-- WITHOUT ROWID trees handle poorly.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    source          TEXT    NOT NULL,       -- webhook | schedule | manual | workflow
    payload         TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    idempotency_key TEXT    UNIQUE,
    parent_run      TEXT,                   -- the run that emitted it (source = workflow)
    depth           INTEGER NOT NULL DEFAULT 0
);

-- One job per (event, subscribed workflow): what workers lease, run, retry and dead-letter.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    event_id     TEXT    NOT NULL,
    workflow_id  TEXT    NOT NULL,
    trigger_node TEXT    NOT NULL,
    status       TEXT    NOT NULL,          -- queued | leased | done | dead | discarded
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER,
    last_error   TEXT,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_open ON jobs (status, available_at) WHERE status IN ('queued', 'leased');
CREATE INDEX jobs_event ON jobs (event_id);
CREATE INDEX jobs_dead ON jobs (updated_at) WHERE status = 'dead';

-- One row per finished run; `journal` holds every node's status, output, error, attempts, timing.
CREATE TABLE runs (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    job_id           INTEGER,
    event_id         TEXT,
    workflow_id      TEXT    NOT NULL,
    workflow_version INTEGER,
    trigger_node     TEXT,
    status           TEXT    NOT NULL,      -- succeeded | failed | cancelled
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER NOT NULL,
    duration_ms      REAL    NOT NULL,
    failed_node      TEXT,
    error            TEXT,
    journal          TEXT    NOT NULL
);
CREATE INDEX runs_workflow ON runs (workflow_id, started_at);
CREATE INDEX runs_event ON runs (event_id);

-- When each schedule trigger last fired, to find missed runs on start.
CREATE TABLE schedule_state (
    workflow_id   TEXT    NOT NULL,
    node          TEXT    NOT NULL,
    last_fired_at INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, node)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
