//! Reads, through the pool: they never wait for the writer.

use serde_json::Value as Json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::model::*;
use crate::{Result, Store, StoreError};

const RUN_COLUMNS: &str = "id, event_id, workflow_id, workflow_version, trigger_node, status, \
                           started_at, finished_at, duration_ms, failed_node, error, origin, \
                           origin_run";
const JOB_COLUMNS: &str =
    "id, event_id, workflow_id, trigger_node, status, attempts, last_error, updated_at";
const EVENT_COLUMNS: &str =
    "id, name, source, payload, received_at, idempotency_key, parent_run, depth";

/// How the row of an id is found in `events` or `runs`: by the key the id carries, or through
/// the partial index of ids made otherwise (ids.rs). The id is parsed once.
struct RowOf<'a> {
    id: &'a str,
    seq: Option<i64>,
}

fn row_of(id: &str) -> RowOf<'_> {
    RowOf {
        id,
        seq: crate::ids::seq_of(id),
    }
}

impl<'a> RowOf<'a> {
    /// The condition, with `?1` the id and, for an id that carries its key, `?2` that key.
    fn condition(&self) -> String {
        match self.seq {
            Some(_) => "seq = ?2 AND id = ?1".to_string(),
            None => format!("id = ?1 AND {}", crate::ids::OTHER_IDS),
        }
    }

    fn bind(
        &self,
        q: sqlx::query::Query<'a, Sqlite, sqlx::sqlite::SqliteArguments<'a>>,
    ) -> sqlx::query::Query<'a, Sqlite, sqlx::sqlite::SqliteArguments<'a>> {
        match self.seq {
            Some(seq) => q.bind(self.id).bind(seq),
            None => q.bind(self.id),
        }
    }
}

impl Store {
    /// Runs, newest first (by start time). Only the conditions given are part of the query,
    /// so SQLite picks the index that fits (by workflow, or by start time); every value is a
    /// bound parameter.
    pub async fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>> {
        let limit = filter.limit.unwrap_or(50).clamp(1, 1000);
        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {RUN_COLUMNS} FROM runs WHERE 1"));
        if let Some(w) = &filter.workflow {
            q.push(" AND workflow_id = ").push_bind(w);
        }
        if let Some(s) = &filter.status {
            q.push(" AND status = ").push_bind(s);
        }
        if let Some(o) = &filter.origin {
            q.push(" AND origin = ").push_bind(o);
        }
        if let Some(o) = &filter.origin_run {
            q.push(" AND origin_run = ").push_bind(o);
        }
        if let Some(t) = filter.since {
            q.push(" AND started_at >= ").push_bind(t);
        }
        if let Some(t) = filter.until {
            q.push(" AND started_at < ").push_bind(t);
        }
        match (filter.before, &filter.before_id) {
            (Some(t), Some(id)) => {
                q.push(" AND (started_at < ").push_bind(t);
                q.push(" OR (started_at = ").push_bind(t);
                q.push(" AND id < ").push_bind(id).push("))");
            }
            (Some(t), None) => {
                q.push(" AND started_at < ").push_bind(t);
            }
            _ => {}
        }
        if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // The event's row by the key its id carries (its last 19 digits), or through the
            // index of ids made otherwise (ids.rs).
            let text = as_in_json(text);
            q.push(
                " AND (EXISTS (SELECT 1 FROM events e \
                 WHERE e.seq = CAST(substr(runs.event_id, -19) AS INTEGER) AND e.id = runs.event_id \
                 AND instr(lower(e.payload), ",
            )
            .push_bind(text.clone())
            .push(format!(
                ") > 0) OR EXISTS (SELECT 1 FROM events e WHERE e.id = runs.event_id AND e.{} \
                 AND instr(lower(e.payload), ",
                crate::ids::OTHER_IDS
            ))
            .push_bind(text)
            .push(") > 0))");
        }
        q.push(" ORDER BY started_at DESC, id DESC LIMIT ")
            .push_bind(limit);
        let rows = q.build().fetch_all(&self.inner.reads).await?;
        rows.iter().map(run_summary).collect()
    }

    /// The log lines captured while a run ran (none when it logged nothing).
    pub async fn run_logs(&self, run_id: &str) -> Result<Vec<RunLogLine>> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT lines FROM run_logs WHERE run_id = ?1")
                .bind(run_id)
                .fetch_optional(&self.inner.reads)
                .await?;
        match text {
            None => Ok(Vec::new()),
            Some(t) => serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("run logs of {run_id}: {e}"))),
        }
    }

    /// The latest run of a job, if it ran (found among its event's runs: `runs_event`).
    pub async fn last_run_of_job(&self, job_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT r.id FROM jobs j JOIN runs r ON r.event_id = j.event_id AND r.job_id = j.id
             WHERE j.id = ?1 ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
        )
        .bind(job_id)
        .fetch_optional(&self.inner.reads)
        .await?)
    }

    /// One run with its journal.
    pub async fn run(&self, id: &str) -> Result<RunRecord> {
        let row = row_of(id);
        let sql = format!(
            "SELECT {RUN_COLUMNS}, job_id, CAST(journal AS BLOB) AS journal,
                    typeof(journal) = 'blob' AS packed
             FROM runs WHERE {}",
            row.condition()
        );
        let row = row
            .bind(sqlx::query(&sql))
            .fetch_optional(&self.inner.reads)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no run {id}")))?;
        let s = run_summary(&row)?;
        Ok(RunRecord {
            origin: s.origin,
            origin_run: s.origin_run,
            id: s.id,
            job_id: row.get("job_id"),
            event_id: s.event_id,
            workflow_id: s.workflow_id,
            workflow_version: s.workflow_version,
            trigger_node: s.trigger_node,
            status: s.status,
            started_at: s.started_at,
            finished_at: s.finished_at,
            duration_ms: s.duration_ms,
            failed_node: s.failed_node,
            error: s.error,
            journal: {
                let text = crate::packing::unpack(row.get("journal"), row.get("packed"))?;
                serde_json::value::RawValue::from_string(text)
                    .map_err(|e| StoreError::Corrupt(format!("journal: {e}")))?
            },
        })
    }

    /// Events, newest first.
    pub async fn events(&self, limit: i64, before: Option<i64>) -> Result<Vec<EventRecord>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE (?1 IS NULL OR received_at < ?1)
             ORDER BY seq DESC LIMIT ?2"
        );
        let rows = sqlx::query(&sql)
            .bind(before)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&self.inner.reads)
            .await?;
        rows.iter().map(event_record).collect()
    }

    pub async fn event(&self, id: &str) -> Result<EventRecord> {
        event_record(&self.event_row(id, "").await?)
    }

    /// The row of event `id` with [`EVENT_COLUMNS`] and `more`.
    async fn event_row(&self, id: &str, more: &str) -> Result<SqliteRow> {
        let row = row_of(id);
        let sql = format!(
            "SELECT {EVENT_COLUMNS}{more} FROM events WHERE {}",
            row.condition()
        );
        row.bind(sqlx::query(&sql))
            .fetch_optional(&self.inner.reads)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no event {id}")))
    }

    /// An event with its jobs and the runs it caused.
    pub async fn event_detail(&self, id: &str) -> Result<EventDetail> {
        // The event's jobs have consecutive ids (see the writer); rows stored before that was
        // recorded were given their range by migration 0004.
        let row = self.event_row(id, ", first_job, job_count").await?;
        let event = event_record(&row)?;
        let (first, count): (Option<i64>, i64) = (row.get("first_job"), row.get("job_count"));
        let jobs = match first {
            Some(first) if count > 0 => sqlx::query(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE id >= ?1 AND id < ?1 + ?2 AND event_id = ?3
                 ORDER BY id"
            ))
            .bind(first)
            .bind(count)
            .bind(id)
            .fetch_all(&self.inner.reads)
            .await?
            .iter()
            .map(job_info)
            .collect(),
            _ => Vec::new(),
        };
        let runs = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE event_id = ?1 ORDER BY started_at, id"
        ))
        .bind(id)
        .fetch_all(&self.inner.reads)
        .await?
        .iter()
        .map(run_summary)
        .collect::<Result<_>>()?;
        Ok(EventDetail { event, jobs, runs })
    }

    /// Dead letters, newest first.
    pub async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT ?1"
        );
        let rows = sqlx::query(&sql)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&self.inner.reads)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let job = job_info(row);
            let event = self.event(&job.event_id).await?;
            out.push(DeadLetter { job, event });
        }
        Ok(out)
    }

    pub async fn versions(&self, workflow_id: &str) -> Result<Vec<VersionInfo>> {
        let rows = sqlx::query(
            "SELECT workflow_id, version, source, saved_at FROM workflow_versions
             WHERE workflow_id = ?1 ORDER BY version DESC",
        )
        .bind(workflow_id)
        .fetch_all(&self.inner.reads)
        .await?;
        Ok(rows
            .iter()
            .map(|r| VersionInfo {
                workflow_id: r.get(0),
                version: r.get(1),
                source: r.get(2),
                saved_at: r.get(3),
            })
            .collect())
    }

    /// The file text of one version.
    pub async fn version_file(&self, workflow_id: &str, version: i64) -> Result<String> {
        sqlx::query_scalar(
            "SELECT file FROM workflow_versions WHERE workflow_id = ?1 AND version = ?2",
        )
        .bind(workflow_id)
        .bind(version)
        .fetch_optional(&self.inner.reads)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("{workflow_id} has no version {version}")))
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
                .bind(key)
                .fetch_optional(&self.inner.reads)
                .await?,
        )
    }

    /// When each schedule trigger of a workflow last fired: (node, time).
    pub async fn schedule_state(&self, workflow_id: &str) -> Result<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT node, last_fired_at FROM schedule_state WHERE workflow_id = ?1")
                .bind(workflow_id)
                .fetch_all(&self.inner.reads)
                .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub async fn stats(&self) -> Result<QueueStats> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM events),
                    (SELECT count(*) FROM jobs WHERE status IN ('queued', 'leased')),
                    (SELECT count(*) FROM jobs WHERE status = 'dead'),
                    (SELECT count(*) FROM runs)",
        )
        .fetch_one(&self.inner.reads)
        .await?;
        Ok(QueueStats {
            events: row.get(0),
            open_jobs: row.get(1),
            dead_letters: row.get(2),
            runs: row.get(3),
            commits: self
                .inner
                .commits
                .load(std::sync::atomic::Ordering::Relaxed),
        })
    }
}

fn json_column(row: &SqliteRow, col: &str) -> Result<Json> {
    let text: String = row.get(col);
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

/// How `text` appears inside the JSON text of a payload (quotes and backslashes escaped), in
/// ASCII lower case like SQLite's `lower()`.
fn as_in_json(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("strings serialize");
    quoted[1..quoted.len() - 1].to_ascii_lowercase()
}

fn run_summary(row: &SqliteRow) -> Result<RunSummary> {
    let error: Option<String> = row.get("error");
    let origin: String = row.get("origin");
    Ok(RunSummary {
        origin: RunOrigin::parse(&origin)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown run origin {origin}")))?,
        origin_run: row.get("origin_run"),
        id: row.get("id"),
        event_id: row.get("event_id"),
        workflow_id: row.get("workflow_id"),
        workflow_version: row.get("workflow_version"),
        trigger_node: row.get("trigger_node"),
        status: row.get("status"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        duration_ms: row.get("duration_ms"),
        failed_node: row.get("failed_node"),
        error: error.and_then(|e| serde_json::from_str(&e).ok()),
    })
}

fn event_record(row: &SqliteRow) -> Result<EventRecord> {
    let source: String = row.get("source");
    Ok(EventRecord {
        id: row.get("id"),
        name: row.get("name"),
        source: EventSource::parse(&source)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown event source {source}")))?,
        payload: json_column(row, "payload")?,
        received_at: row.get("received_at"),
        idempotency_key: row.get("idempotency_key"),
        parent_run: row.get("parent_run"),
        depth: row.get("depth"),
    })
}

fn job_info(row: &SqliteRow) -> JobInfo {
    JobInfo {
        id: row.get("id"),
        event_id: row.get("event_id"),
        workflow_id: row.get("workflow_id"),
        trigger_node: row.get("trigger_node"),
        status: row.get("status"),
        attempts: row.get("attempts"),
        last_error: row.get("last_error"),
        updated_at: row.get("updated_at"),
    }
}
