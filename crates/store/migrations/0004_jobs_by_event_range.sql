-- An event's jobs are created in the commit that stores it, with consecutive ids: the event row
-- now records the first id and how many, and its jobs are read by that id range. The index of
-- jobs by event, one more B-tree written by every commit, goes.
ALTER TABLE events ADD COLUMN first_job INTEGER;
ALTER TABLE events ADD COLUMN job_count INTEGER NOT NULL DEFAULT 0;
UPDATE events SET (first_job, job_count) =
    (SELECT min(id), count(*) FROM jobs WHERE jobs.event_id = events.id);
DROP INDEX jobs_event;
