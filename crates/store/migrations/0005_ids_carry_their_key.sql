-- Ids made from now on carry their row's key (ids.rs): `evt_` or `run_` and 19 digits that are
-- the row's `seq`, so a row is found by its id through the table itself. The unique index of
-- ids, one more B-tree written by every commit, is kept only for ids made otherwise: the rows
-- stored before this migration (their keys are all below 2^40) and any id a caller chose
-- (the writer gives those keys below 2^40 too). A column's UNIQUE constraint cannot be made
-- partial, so both tables are rebuilt.

CREATE TABLE events_rebuilt (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    source          TEXT    NOT NULL,       -- webhook | schedule | manual | workflow
    payload         TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    idempotency_key TEXT,
    parent_run      TEXT,                   -- the run that emitted it (source = workflow)
    depth           INTEGER NOT NULL DEFAULT 0,
    first_job       INTEGER,
    job_count       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_rebuilt (seq, id, name, source, payload, received_at, idempotency_key,
                            parent_run, depth, first_job, job_count)
    SELECT seq, id, name, source, payload, received_at, idempotency_key,
           parent_run, depth, first_job, job_count FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE UNIQUE INDEX events_idempotency ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX events_other_id ON events (id) WHERE seq < 1099511627776;

CREATE TABLE runs_rebuilt (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL,
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
    journal          TEXT    NOT NULL,
    origin           TEXT    NOT NULL DEFAULT 'manual', -- webhook | schedule | manual | event | rerun | retry | replay
    origin_run       TEXT
);
INSERT INTO runs_rebuilt (seq, id, job_id, event_id, workflow_id, workflow_version, trigger_node,
                          status, started_at, finished_at, duration_ms, failed_node, error,
                          journal, origin, origin_run)
    SELECT seq, id, job_id, event_id, workflow_id, workflow_version, trigger_node,
           status, started_at, finished_at, duration_ms, failed_node, error,
           journal, origin, origin_run FROM runs;
DROP TABLE runs;
ALTER TABLE runs_rebuilt RENAME TO runs;
CREATE UNIQUE INDEX runs_other_id ON runs (id) WHERE seq < 1099511627776;
CREATE INDEX runs_workflow ON runs (workflow_id, started_at);
CREATE INDEX runs_event ON runs (event_id);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_origin_run ON runs (origin_run) WHERE origin_run IS NOT NULL;
