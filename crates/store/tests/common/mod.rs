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
