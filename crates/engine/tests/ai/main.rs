//! The AI nodes against a chat-completions server on loopback (which checks each request like a
//! real provider would), and the built-in offline provider.

mod builtin;
mod mock;
mod provider;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use switchyard_core::{compile, WorkflowFile};
use switchyard_engine::{Engine, EngineConfig, NodeStatus, RunReport, RunRequest, RunStatus};

use mock::{engine, provider, Reply, KEY};

/// start → ai (of `kind`), plus `extra` nodes and edges.
async fn run_with(
    engine: &Engine,
    kind: &str,
    params: Json,
    extra_nodes: Json,
    extra_edges: Json,
    event: Json,
) -> RunReport {
    let mut nodes = vec![
        json!({"id": "start", "kind": "manual_trigger"}),
        json!({"id": "ai", "kind": kind, "params": params}),
    ];
    nodes.extend(extra_nodes.as_array().cloned().unwrap_or_default());
    let mut edges = vec![json!({"from": "start", "to": "ai"})];
    edges.extend(extra_edges.as_array().cloned().unwrap_or_default());
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    engine
        .run(plan, RunRequest::new("r", event), &mut |_| {})
        .await
}

async fn run(engine: &Engine, kind: &str, params: Json, event: Json) -> RunReport {
    run_with(engine, kind, params, json!([]), json!([]), event).await
}

fn output(r: &RunReport, node: &str) -> Json {
    let n = r.nodes.iter().find(|n| n.id == node).unwrap();
    n.output.as_deref().cloned().unwrap_or(Json::Null)
}

fn lead_labels() -> Json {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lead-labels.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn classify_params(provider: &str) -> Json {
    json!({"provider": provider, "text": "{{ event.message }}", "labels": lead_labels()})
}

/// The classify node with a log on `out` and one on each label port.
async fn classify(engine: &Engine, provider: &str, message: &str) -> RunReport {
    let logs = json!([
        {"id": "all", "kind": "log", "params": {"message": "{{ nodes.ai.label }}"}},
        {"id": "on_hot", "kind": "log", "params": {"message": "hot"}},
        {"id": "on_warm", "kind": "log", "params": {"message": "warm"}},
        {"id": "on_cold", "kind": "log", "params": {"message": "cold"}}
    ]);
    let edges = json!([
        {"from": "ai", "to": "all"},
        {"from": "ai", "from_port": "hot", "to": "on_hot"},
        {"from": "ai", "from_port": "warm", "to": "on_warm"},
        {"from": "ai", "from_port": "cold", "to": "on_cold"}
    ]);
    let params = classify_params(provider);
    let event = json!({"message": message});
    run_with(engine, "ai_classify", params, logs, edges, event).await
}

/// The nodes that ran, sorted.
fn ran(r: &RunReport) -> Vec<&str> {
    let mut ids: Vec<&str> = r
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Succeeded)
        .map(|n| n.id.as_str())
        .collect();
    ids.sort();
    ids
}
