//! What one commit writes: the writer's operations turned into one transaction's statements
//! (multi-row INSERTs with bound values, the updates, idempotency), sent to SQLite's thread as
//! one query where nothing in between needs an answer. The writer (writer.rs) decides when to
//! commit and answers the callers.

use std::collections::HashMap;

use serde_json::{json, Value as Json};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::model::*;
use crate::packing::pack;
use crate::writer::{Op, Pending, Recovered, Reply, State};
use crate::{now_ms, Result, StoreError};

/// Rows per multi-row INSERT (15 columns x 64 rows stays far below SQLite's bound-parameter limit).
const CHUNK: usize = 64;
/// Prepared statements the write connection keeps. A commit is one query (see [`Script`]),
/// prepared once per shape: how many events, runs and log rows it inserts and which updates it
/// makes. Under a steady load a few dozen shapes recur; others are prepared again when needed.
pub(crate) const STATEMENT_CACHE: usize = 3 * CHUNK + 64;

impl State {
    /// Applies `ops` in one transaction and commits it (on an error, the caller rolls back).
    pub(crate) async fn apply(
        &mut self,
        conn: &mut SqliteConnection,
        ops: Vec<Op>,
        pending: &mut Vec<Pending>,
    ) -> Result<()> {
        let now = now_ms();
        let lease_until = now + self.lease_ms;
        // Who owns each idempotency key of the batch: the events that stored it already, read
        // once here, then the first event of the batch that has it. (The writer is the only
        // writer: nothing can store a key between this read and the commit.)
        let mut owners = stored_owners(conn, &ops).await?;
        let mut batch_keys: std::collections::HashSet<String> = Default::default();
        let mut events: Vec<(usize, NewEvent)> = Vec::new();
        let mut runs: Vec<RunRecord> = Vec::new();
        let mut logs: Vec<(String, String)> = Vec::new();
        let mut done: Vec<i64> = Vec::new();
        let mut resolved: Vec<i64> = Vec::new();
        let mut dead: Vec<(i64, String)> = Vec::new();
        let mut schedules: Vec<Json> = Vec::new();
        // Runs that came with their event, by the event's place in `events`.
        let mut ran: HashMap<usize, (RunRecord, JobOutcome, Vec<RunLogLine>)> = HashMap::new();
        // Each Accept/Finish gets a slot; events carry the slot they answer to.
        let mut slots: Vec<(Reply<Vec<Accepted>>, usize)> = Vec::new();
        let mut others: Vec<Op> = Vec::new();
        for op in ops {
            match op {
                Op::Accept {
                    events: evs,
                    schedule,
                    reply,
                } => {
                    let slot = slots.len();
                    slots.push((reply, evs.len()));
                    for key in evs.iter().filter_map(|e| e.idempotency_key.as_ref()) {
                        batch_keys.insert(key.clone());
                    }
                    events.extend(evs.into_iter().map(|e| (slot, e)));
                    if let Some((wf, node, at)) = schedule {
                        schedules.push(json!([wf, node, at]));
                    }
                }
                Op::Finish { run, reply } => {
                    let FinishedRun {
                        run,
                        job,
                        emitted,
                        logs: lines,
                    } = *run;
                    match job {
                        Some((id, JobOutcome::Done)) => done.push(id),
                        Some((id, JobOutcome::Dead(why))) => dead.push((id, why)),
                        Some((id, JobOutcome::Resolved)) => resolved.push(id),
                        None => {}
                    }
                    push_run(&mut runs, &mut logs, run, &lines);
                    let slot = slots.len();
                    slots.push((reply, emitted.len()));
                    for key in emitted.iter().filter_map(|e| e.idempotency_key.as_ref()) {
                        batch_keys.insert(key.clone());
                    }
                    events.extend(emitted.into_iter().map(|e| (slot, e)));
                }
                Op::AcceptRan {
                    event,
                    run,
                    outcome,
                    reply,
                } => {
                    let FinishedRun {
                        run,
                        emitted,
                        logs: lines,
                        ..
                    } = *run;
                    let slot = slots.len();
                    if let Some(key) = &event.idempotency_key {
                        if owners.contains_key(key) || !batch_keys.insert(key.clone()) {
                            // A repeat that ran before it was stored: answered below with the
                            // first event's id; its run (which reached nothing outside the
                            // process) and what it emitted are dropped.
                            slots.push((reply, 1));
                            events.push((slot, event));
                            continue;
                        }
                    }
                    slots.push((reply, 1 + emitted.len()));
                    ran.insert(events.len(), (run, outcome, lines));
                    events.push((slot, event));
                    events.extend(emitted.into_iter().map(|e| (slot, e)));
                }
                other => others.push(other),
            }
        }

        // Declared before the script, which borrows the rows' values until it is sent.
        let mut jobs: Vec<JobRow<'_>> = Vec::new();
        let mut script = Script::default();
        // The INSERTs say OR FAIL: a constraint that fails stops the statement without undoing
        // its earlier rows, so SQLite keeps no statement journal (a copy of every page the
        // statement touches, made in case it has to be undone). Nothing is lost by that: any
        // error rolls the whole transaction back (`Writer::commit`, writer.rs).
        script.statement("BEGIN");

        // Events, deduplicated on their idempotency key.
        let mut accepted: Vec<Accepted> = Vec::with_capacity(events.len());
        if !events.is_empty() {
            // The INSERT keeps the first row of each key, as this does.
            for (_, e) in &events {
                if let Some(key) = &e.idempotency_key {
                    owners.entry(key.clone()).or_insert_with(|| e.id.clone());
                }
            }
            // Each event's jobs get consecutive ids: the event row keeps the first and how many,
            // so an event's jobs are found by id (no index of jobs by event to update).
            let mut spans: Vec<(Option<i64>, i64)> = Vec::with_capacity(events.len());
            for (i, (_, e)) in events.iter().enumerate() {
                let first = e
                    .idempotency_key
                    .as_ref()
                    .and_then(|k| owners.get(k))
                    .filter(|id| **id != e.id);
                if let Some(first) = first {
                    spans.push((None, 0));
                    accepted.push(Accepted {
                        event_id: first.clone(),
                        duplicate: true,
                        jobs: Vec::new(),
                    });
                    continue;
                }
                spans.push(match e.targets.len() {
                    0 => (None, 0),
                    n => (Some(self.next.job), n as i64),
                });
                let mut mine = Vec::with_capacity(e.targets.len());
                let mut settled = ran.remove(&i);
                for t in &e.targets {
                    let id = self.next.job;
                    self.next.job += 1;
                    let mut row = JobRow {
                        id,
                        event_id: &e.id,
                        workflow_id: &t.workflow_id,
                        trigger_node: &t.trigger_node,
                        settled: None,
                    };
                    if let Some((mut run, outcome, lines)) = settled.take() {
                        // The job the run settles: created settled, not handed to a worker.
                        row.settled = Some(match outcome {
                            JobOutcome::Done | JobOutcome::Resolved => ("done", None),
                            JobOutcome::Dead(why) => ("dead", Some(why)),
                        });
                        jobs.push(row);
                        run.job_id = Some(id);
                        push_run(&mut runs, &mut logs, run, &lines);
                        continue;
                    }
                    jobs.push(row);
                    mine.push(Job {
                        id,
                        event_id: e.id.clone(),
                        workflow_id: t.workflow_id.clone(),
                        trigger_node: t.trigger_node.clone(),
                        attempts: 1,
                    });
                }
                accepted.push(Accepted {
                    event_id: e.id.clone(),
                    duplicate: false,
                    jobs: mine,
                });
            }
            let keys: Vec<i64> = events
                .iter()
                .map(|(_, e)| row_key(&e.id, &mut self.next.other_event))
                .collect();
            let chunks = events
                .chunks(CHUNK)
                .zip(spans.chunks(CHUNK))
                .zip(keys.chunks(CHUNK));
            for ((chunk, spans), keys) in chunks {
                let q = script.statement(
                    "INSERT OR FAIL INTO events (seq, id, name, source, payload, received_at,
                                         idempotency_key, parent_run, depth, first_job, job_count) ",
                );
                let rows = chunk.iter().zip(spans).zip(keys);
                q.push_values(rows, |mut b, (((_, e), (first_job, count)), key)| {
                    b.push_bind(*key)
                        .push_bind(&e.id)
                        .push_bind(&e.name)
                        .push_bind(e.source.as_str())
                        .push_bind(e.payload.to_string())
                        .push_bind(e.received_at)
                        .push_bind(&e.idempotency_key)
                        .push_bind(&e.parent_run)
                        .push_bind(e.depth)
                        .push_bind(*first_job)
                        .push_bind(*count);
                });
                q.push(
                    " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
                );
            }
            // Leased to this process, unless settled already.
            let owner = self.owner.as_str();
            for chunk in jobs.chunks(CHUNK) {
                let q = script.statement(
                    "INSERT OR FAIL INTO jobs (id, event_id, workflow_id, trigger_node, status, attempts,
                                       available_at, lease_owner, lease_until, last_error, updated_at) ",
                );
                q.push_values(chunk, |mut b, j| {
                    // One statement shape whatever the mix (it is prepared once per count).
                    let (status, owner, until, why) = match &j.settled {
                        Some((status, why)) => (*status, None, None, why.as_deref()),
                        None => ("leased", Some(owner), Some(lease_until), None),
                    };
                    b.push_bind(j.id)
                        .push_bind(j.event_id)
                        .push_bind(j.workflow_id)
                        .push_bind(j.trigger_node)
                        .push_bind(status)
                        .push("1")
                        .push_bind(now)
                        .push_bind(owner)
                        .push_bind(until)
                        .push_bind(why)
                        .push_bind(now);
                });
            }
        }
        if !schedules.is_empty() {
            script
                .statement(
                    "INSERT INTO schedule_state (workflow_id, node, last_fired_at)
                     SELECT value->>0, value->>1, value->>2 FROM json_each(",
                )
                .push_bind(Json::Array(schedules).to_string())
                .push(
                    ") WHERE true
                     ON CONFLICT (workflow_id, node) DO UPDATE SET last_fired_at = excluded.last_fired_at",
                );
        }
        let keys: Vec<i64> = runs
            .iter()
            .map(|r| row_key(&r.id, &mut self.next.other_run))
            .collect();
        for (chunk, keys) in runs.chunks(CHUNK).zip(keys.chunks(CHUNK)) {
            let q = script.statement(
                "INSERT OR FAIL INTO runs (seq, id, job_id, event_id, workflow_id, workflow_version,
                                   trigger_node, status, started_at, finished_at, duration_ms,
                                   failed_node, error, origin, origin_run, journal) ",
            );
            q.push_values(chunk.iter().zip(keys), |mut b, (r, key)| {
                b.push_bind(*key)
                    .push_bind(&r.id)
                    .push_bind(r.job_id)
                    .push_bind(&r.event_id)
                    .push_bind(&r.workflow_id)
                    .push_bind(r.workflow_version)
                    .push_bind(&r.trigger_node)
                    .push_bind(&r.status)
                    .push_bind(r.started_at)
                    .push_bind(r.finished_at)
                    .push_bind(r.duration_ms)
                    .push_bind(&r.failed_node)
                    .push_bind(r.error.as_ref().map(Json::to_string))
                    .push_bind(r.origin.as_str())
                    .push_bind(&r.origin_run)
                    .push_bind(pack(r.journal.get()));
            });
            // A run stored already (the same id, so the same key) is kept as it was.
            q.push(" ON CONFLICT DO NOTHING");
        }
        for chunk in logs.chunks(CHUNK) {
            let q = script.statement("INSERT OR FAIL INTO run_logs (run_id, lines) ");
            q.push_values(chunk, |mut b, (run, lines)| {
                b.push_bind(run).push_bind(lines);
            });
            q.push(" ON CONFLICT (run_id) DO NOTHING");
        }
        if !resolved.is_empty() {
            script
                .statement("UPDATE jobs SET status = 'done', updated_at = ")
                .push_bind(now)
                .push(" WHERE status = 'dead' AND id IN (SELECT value FROM json_each(")
                .push_bind(serde_json::to_string(&resolved).expect("numbers serialize"))
                .push("))");
        }
        if !done.is_empty() {
            script
                .statement(
                    "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ",
                )
                .push_bind(now)
                .push(" WHERE id IN (SELECT value FROM json_each(")
                .push_bind(serde_json::to_string(&done).expect("numbers serialize"))
                .push("))");
        }
        for (id, why) in dead {
            script
                .statement(
                    "UPDATE jobs SET status = 'dead', lease_owner = NULL, lease_until = NULL, last_error = ",
                )
                .push_bind(why)
                .push(", updated_at = ")
                .push_bind(now)
                .push(" WHERE id = ")
                .push_bind(id);
        }

        // Answers for Accept and Finish, in order.
        let mut it = accepted.into_iter();
        for (reply, n) in slots {
            pending.push(Pending::Accept(reply, it.by_ref().take(n).collect()));
        }

        if !others.is_empty() {
            // They read what they change (and answer with it): the writes above go first.
            script.send(&mut *conn).await?;
        }
        for op in others {
            match op {
                Op::Recover {
                    max_deliveries,
                    reply,
                } => {
                    let r =
                        recover(&mut *conn, &self.owner, now, lease_until, max_deliveries).await?;
                    pending.push(Pending::Recover(reply, r));
                }
                Op::Requeue { job_id, reply } => {
                    let row = sqlx::query(
                        "UPDATE jobs SET status = 'leased', attempts = attempts + 1, available_at = ?2,
                                         lease_owner = ?3, lease_until = ?4, updated_at = ?2
                         WHERE id = ?1 AND status = 'dead'
                         RETURNING id, event_id, workflow_id, trigger_node, attempts",
                    )
                    .bind(job_id)
                    .bind(now)
                    .bind(&self.owner)
                    .bind(lease_until)
                    .fetch_optional(&mut *conn)
                    .await?;
                    match row {
                        Some(row) => pending.push(Pending::Requeue(reply, job_of(&row))),
                        None => drop(reply.send(Err(StoreError::NotFound(format!(
                            "job {job_id} is not a dead letter"
                        ))))),
                    }
                }
                Op::Discard { job_id, reply } => {
                    let n = sqlx::query(
                        "UPDATE jobs SET status = 'discarded', updated_at = ?2
                         WHERE id = ?1 AND status = 'dead'",
                    )
                    .bind(job_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        drop(reply.send(Err(StoreError::NotFound(format!(
                            "job {job_id} is not a dead letter"
                        )))));
                    } else {
                        pending.push(Pending::Unit(reply));
                    }
                }
                Op::SaveVersion {
                    workflow_id,
                    file,
                    hash,
                    source,
                    reply,
                } => {
                    let last = sqlx::query(
                        "SELECT version, hash FROM workflow_versions WHERE workflow_id = ?1
                         ORDER BY version DESC LIMIT 1",
                    )
                    .bind(&workflow_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    let (last_version, last_hash): (i64, Option<String>) = match last {
                        Some(row) => (row.get(0), Some(row.get(1))),
                        None => (0, None),
                    };
                    if last_hash.as_deref() == Some(hash.as_str()) {
                        pending.push(Pending::Version(reply, (last_version, false)));
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO workflow_versions (workflow_id, version, file, hash, source, saved_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .bind(&workflow_id)
                    .bind(last_version + 1)
                    .bind(&file)
                    .bind(&hash)
                    .bind(&source)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                    pending.push(Pending::Version(reply, (last_version + 1, true)));
                }
                Op::SetSetting { key, value, reply } => {
                    sqlx::query(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(&key)
                    .bind(&value)
                    .execute(&mut *conn)
                    .await?;
                    pending.push(Pending::Unit(reply));
                }
                Op::Accept { .. } | Op::Finish { .. } | Op::AcceptRan { .. } | Op::Close { .. } => {
                    unreachable!("handled above")
                }
            }
        }
        script.statement("COMMIT");
        script.send(conn).await
    }
}

/// A job row to insert: leased to this process, or settled by the run that came with its event
/// (a status, and the error of a dead one).
struct JobRow<'e> {
    id: i64,
    event_id: &'e str,
    workflow_id: &'e str,
    trigger_node: &'e str,
    settled: Option<(&'static str, Option<String>)>,
}

/// The statements of one commit, sent to SQLite's thread as one query when nothing in between
/// needs an answer (bound values are taken in order across its statements). Every round trip
/// to that thread waits its turn behind the requests the tokio thread is running, so a commit
/// of BEGIN, three INSERTs and COMMIT in one trip instead of five finishes sooner.
#[derive(Default)]
struct Script<'a> {
    q: Option<QueryBuilder<'a, Sqlite>>,
}

impl<'a> Script<'a> {
    /// Starts the next statement with `sql`; the caller appends the rest.
    fn statement(&mut self, sql: &str) -> &mut QueryBuilder<'a, Sqlite> {
        match &mut self.q {
            Some(q) => {
                q.push(";\n").push(sql);
            }
            None => self.q = Some(QueryBuilder::new(sql)),
        }
        self.q.as_mut().expect("set above")
    }

    /// Runs the statements written so far.
    async fn send(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        if let Some(mut q) = self.q.take() {
            q.build().execute(conn).await?;
        }
        Ok(())
    }
}

/// The events stored already that own an idempotency key of `ops` (key to event id).
async fn stored_owners(conn: &mut SqliteConnection, ops: &[Op]) -> Result<HashMap<String, String>> {
    let mut events: Vec<&NewEvent> = Vec::new();
    for op in ops {
        match op {
            Op::Accept { events: evs, .. } => events.extend(evs),
            Op::AcceptRan { event, run, .. } => {
                events.push(event);
                events.extend(&run.emitted);
            }
            Op::Finish { run, .. } => events.extend(&run.emitted),
            _ => {}
        }
    }
    let keys: Vec<&str> = events
        .iter()
        .filter_map(|e| e.idempotency_key.as_deref())
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT idempotency_key, id FROM events
         WHERE idempotency_key IN (SELECT value FROM json_each(?1))",
    )
    .bind(serde_json::to_string(&keys).expect("strings serialize"))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The `seq` of the row for `id`: the key it carries, or the next one below
/// [`crate::ids::NATIVE_FROM`] for an id made otherwise (ids.rs).
fn row_key(id: &str, next_other: &mut i64) -> i64 {
    crate::ids::seq_of(id).unwrap_or_else(|| {
        *next_other += 1;
        *next_other - 1
    })
}

/// A run to insert, with its log lines (a row of their own, when there are any).
fn push_run(
    runs: &mut Vec<RunRecord>,
    logs: &mut Vec<(String, String)>,
    run: RunRecord,
    lines: &[RunLogLine],
) {
    if !lines.is_empty() {
        let text = serde_json::to_string(lines).expect("log lines serialize");
        logs.push((run.id.clone(), text));
    }
    runs.push(run);
}

pub(crate) fn job_of(row: &sqlx::sqlite::SqliteRow) -> Job {
    Job {
        id: row.get("id"),
        event_id: row.get("event_id"),
        workflow_id: row.get("workflow_id"),
        trigger_node: row.get("trigger_node"),
        attempts: row.get("attempts"),
    }
}

/// After a restart: every job still open belongs to a process that is gone (the data folder is
/// locked to one process), so its lease is over. Lease them again, or dead-letter those that
/// were delivered `max_deliveries` times already.
async fn recover(
    conn: &mut SqliteConnection,
    owner: &str,
    now: i64,
    lease_until: i64,
    max_deliveries: i64,
) -> Result<Recovered> {
    let dead: Vec<i64> = sqlx::query_scalar(
        "UPDATE jobs SET status = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = ?2,
                         last_error = 'the process stopped during this job ' || attempts || ' times; it may be what stops it'
         WHERE status IN ('queued', 'leased') AND (lease_owner IS NULL OR lease_owner != ?1)
               AND attempts >= ?3
         RETURNING id",
    )
    .bind(owner)
    .bind(now)
    .bind(max_deliveries)
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "UPDATE jobs SET status = 'leased', attempts = attempts + 1, lease_owner = ?1,
                         lease_until = ?3, updated_at = ?2
         WHERE status IN ('queued', 'leased') AND (lease_owner IS NULL OR lease_owner != ?1)
         RETURNING id, event_id, workflow_id, trigger_node, attempts",
    )
    .bind(owner)
    .bind(now)
    .bind(lease_until)
    .fetch_all(&mut *conn)
    .await?;
    let mut jobs: Vec<Job> = rows.iter().map(job_of).collect();
    jobs.sort_by_key(|j| j.id);
    Ok(Recovered { jobs, dead })
}
