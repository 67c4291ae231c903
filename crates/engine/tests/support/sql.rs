//! What the SQL node tests share: an engine over a workspace with databases, and runs of one
//! SQL step or a chain of them. Each test file uses its own part.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value as Json};
use switchyard_core::workspace::Database;
use switchyard_core::{compile, Plan, WorkflowFile, Workspace};
use switchyard_engine::{Engine, EngineConfig, RunReport, RunRequest, RunStatus, Secrets};

pub const INJECTION: &str = "'); DROP TABLE leads; --";

pub fn database(id: &str, url: Option<String>, url_secret: Option<&str>) -> Database {
    Database {
        id: id.into(),
        name: None,
        url,
        url_secret: url_secret.map(Into::into),
        max_connections: 2,
    }
}

pub fn engine(dir: &Path, databases: Vec<Database>, secrets: &[(&str, &str)]) -> Engine {
    Engine::new(EngineConfig {
        secrets: Secrets::new(secrets.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        workspace: Arc::new(Workspace {
            databases,
            ..Default::default()
        }),
        workspace_dir: dir.to_path_buf(),
        ..Default::default()
    })
}

/// Runs `start → steps[0] → steps[1] ...` for `event`.
/// A manual trigger followed by `steps` (id, kind, params), one after the other.
pub fn chain(steps: &[(&str, &str, Json)]) -> Arc<Plan> {
    let mut nodes = vec![json!({"id": "start", "kind": "manual_trigger"})];
    let mut edges = Vec::new();
    let mut prev = "start";
    for (id, kind, params) in steps {
        nodes.push(json!({"id": id, "kind": kind, "params": params}));
        edges.push(json!({"from": prev, "to": id}));
        prev = id;
    }
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap())
}

pub async fn run(engine: &Engine, steps: &[(&str, &str, Json)], event: Json) -> RunReport {
    engine
        .run(chain(steps), RunRequest::new("r", event), &mut |_| {})
        .await
}

pub fn query(db: &str, statement: &str, parameters: &[&str]) -> Json {
    let parameters: Vec<Json> = parameters.iter().map(|p| json!({"value": p})).collect();
    json!({"database": db, "statement": statement, "parameters": parameters})
}

pub fn upsert(db: &str, table: &str, keys: &str, fields: Json) -> Json {
    json!({"database": db, "table": table, "key_columns": keys, "fields": fields})
}

/// One SQL query node; the run must succeed.
pub async fn sql(
    engine: &Engine,
    db: &str,
    statement: &str,
    parameters: &[&str],
    event: Json,
) -> Json {
    let r = run(
        engine,
        &[("q", "sql_query", query(db, statement, parameters))],
        event,
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{statement}: {:?}", r.error);
    r.output
}

/// One node that must fail; its error as (code, field, message).
pub async fn failure(
    engine: &Engine,
    kind: &str,
    params: Json,
    event: Json,
) -> (String, String, String) {
    let r = run(engine, &[("n", kind, params)], event).await;
    assert_eq!(r.status, RunStatus::Failed, "{:?}", r.output);
    let e = r.error.unwrap();
    (e.code, e.field.unwrap_or_default(), e.message)
}

pub fn lead() -> Json {
    json!({"name": INJECTION, "email": "ada@example.com", "budget": 1500.5, "vip": true,
           "tags": ["a", "b"], "phone": null, "visits": 3})
}
