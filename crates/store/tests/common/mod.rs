//! Helpers shared by the store's tests.
#![allow(dead_code)]

use serde_json::json;
use switchyard_store::*;

pub fn event(name: &str, key: Option<&str>, targets: &[(&str, &str)]) -> NewEvent {
    NewEvent {
        id: new_id("evt"),
        name: name.into(),
        source: EventSource::Webhook,
        payload: json!({"email": "ada@example.com", "n": 1, "text": "it's \"quoted\""}),
        received_at: now_ms(),
        idempotency_key: key.map(str::to_string),
        parent_run: None,
        depth: 0,
        targets: targets
            .iter()
            .map(|(w, n)| Target {
                workflow_id: w.to_string(),
                trigger_node: n.to_string(),
            })
            .collect(),
    }
}

pub async fn open(dir: &std::path::Path) -> Store {
    Store::open(StoreConfig::new(dir)).await.unwrap()
}

/// A plain SQLite connection to `file`, outside the store (to look at what is on disk).
pub async fn sqlite_file(file: &std::path::Path) -> Result<sqlx::SqliteConnection, sqlx::Error> {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .connect()
        .await
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A run of `job` that ended now.
pub fn finished(job: &Job, status: &str) -> RunRecord {
    RunRecord {
        id: new_id("run"),
        job_id: Some(job.id),
        event_id: Some(job.event_id.clone()),
        workflow_id: job.workflow_id.clone(),
        workflow_version: Some(1),
        trigger_node: Some(job.trigger_node.clone()),
        status: status.into(),
        started_at: now_ms(),
        finished_at: now_ms(),
        duration_ms: 1.5,
        failed_node: None,
        error: None,
        origin: RunOrigin::Webhook,
        origin_run: None,
        journal: serde_json::value::to_raw_value(
            &json!({"nodes": [{"id": "hook", "status": "succeeded"}]}),
        )
        .unwrap(),
    }
}

/// A run of `ev`'s first target that ended before `ev` was stored (no job yet).
pub fn unstored(ev: &NewEvent, status: &str) -> RunRecord {
    let job = Job {
        id: 0,
        event_id: ev.id.clone(),
        workflow_id: ev.targets[0].workflow_id.clone(),
        trigger_node: ev.targets[0].trigger_node.clone(),
        attempts: 1,
    };
    RunRecord {
        job_id: None,
        ..finished(&job, status)
    }
}
