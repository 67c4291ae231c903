-- Run history: how each run was started and the run it came from (re-runs, retries from a
-- failed node, replays), the log lines captured while it ran, and the indexes that the
-- history's filters and the metrics read.

ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'; -- webhook | schedule | manual | event | rerun | retry | replay
ALTER TABLE runs ADD COLUMN origin_run TEXT;

UPDATE runs SET origin = coalesce(
    (SELECT CASE e.source WHEN 'webhook' THEN 'webhook' WHEN 'schedule' THEN 'schedule'
                          WHEN 'workflow' THEN 'event' ELSE 'manual' END
     FROM events e WHERE e.id = runs.event_id),
    'manual');

-- Lists across workflows are newest first by start time; time windows read a range of it.
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_origin_run ON runs (origin_run) WHERE origin_run IS NOT NULL;
CREATE INDEX runs_job ON runs (job_id) WHERE job_id IS NOT NULL;

-- The tracing events logged inside a run (bounded, secrets scrubbed), one row per run that
-- logged anything, written in the same transaction as the run.
CREATE TABLE run_logs (
    seq    INTEGER PRIMARY KEY,
    run_id TEXT    NOT NULL UNIQUE,
    lines  TEXT    NOT NULL             -- JSON array of {at, level, target, message, fields}
);
