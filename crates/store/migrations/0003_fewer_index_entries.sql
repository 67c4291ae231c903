-- Fewer index entries per stored event (every commit writes each B-tree it touches):
-- the idempotency index holds only the keys given (it held a NULL for every event without
-- one; a column's UNIQUE constraint cannot be made partial, so the table is rebuilt), and a
-- job's run is found through its event (`runs_event`) instead of an index of its own.

CREATE TABLE events_rebuilt (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    source          TEXT    NOT NULL,       -- webhook | schedule | manual | workflow
    payload         TEXT    NOT NULL,
    received_at     INTEGER NOT NULL,
    idempotency_key TEXT,
    parent_run      TEXT,                   -- the run that emitted it (source = workflow)
    depth           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_rebuilt (seq, id, name, source, payload, received_at, idempotency_key, parent_run, depth)
    SELECT seq, id, name, source, payload, received_at, idempotency_key, parent_run, depth FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE UNIQUE INDEX events_idempotency ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;

DROP INDEX runs_job;
