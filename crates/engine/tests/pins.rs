//! Pinned outputs: a node's pinned sample stands in for it in test runs only; pins given with
//! a run (retries from a failed node, replays) apply in any mode; pins route like the node.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value as Json};
use switchyard_core::{compile, Pin, Plan, WorkflowFile};
use switchyard_engine::{Engine, EngineConfig, NodeStatus, RunReport, RunRequest, RunStatus};

fn file(nodes: Json, edges: Json) -> WorkflowFile {
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    WorkflowFile::from_json(&text).unwrap()
}

fn plan(nodes: Json, edges: Json) -> Arc<Plan> {
    Arc::new(compile(&file(nodes, edges)).unwrap_or_else(|d| panic!("{d:#?}")))
}

async fn run(plan: &Arc<Plan>, req: RunRequest) -> RunReport {
    Engine::new(EngineConfig::default())
        .run(plan.clone(), req, &mut |_| {})
        .await
}

fn test_run(event: Json) -> RunRequest {
    let mut req = RunRequest::new("r1", event);
    req.test_mode = true;
    req
}

/// An HTTP call to a closed port (it fails when it really runs), then a Set that reads it.
fn unreachable_api() -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "lookup", "kind": "http_request",
             "params": {"url": "http://127.0.0.1:9/company"},
             "pinned": {"output": {"status": 200, "body": {"employees": 1200}}}},
            {"id": "size", "kind": "set", "params": {"fields": {"employees": "{{ input.body.employees }}"}}}
        ]),
        json!([{"from": "start", "to": "lookup"}, {"from": "lookup", "to": "size"}]),
    )
}

#[tokio::test]
async fn a_pinned_sample_stands_in_for_the_node_in_test_runs() {
    let p = unreachable_api();
    let r = run(&p, test_run(json!({}))).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let lookup = r.node("lookup").unwrap();
    assert!(lookup.pinned, "the report says the output is a sample");
    assert_eq!(lookup.status, NodeStatus::Succeeded);
    assert_eq!(r.output, json!({"employees": 1200}));
    assert!(!r.node("size").unwrap().pinned);
}

#[tokio::test]
async fn real_runs_ignore_pinned_samples() {
    let p = unreachable_api();
    let r = run(&p, RunRequest::new("r1", json!({}))).await;
    assert_eq!(r.status, RunStatus::Failed, "{r:?}");
    assert_eq!(r.failed_node.as_deref(), Some("lookup"));
    assert!(!r.node("lookup").unwrap().pinned);
}

#[tokio::test]
async fn pins_given_with_a_run_apply_in_any_mode_and_win_over_samples() {
    let p = unreachable_api();
    let mut req = RunRequest::new("r1", json!({}));
    req.pins = HashMap::from([(
        "lookup".to_string(),
        Arc::new(Pin {
            output: Arc::new(json!({"status": 200, "body": {"employees": 7}})),
            ports: vec!["out".into()],
        }),
    )]);
    let r = run(&p, req).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.output, json!({"employees": 7}));
}

#[tokio::test]
async fn a_pinned_classification_takes_the_route_its_label_names() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "classify", "kind": "ai_classify",
             "params": {"text": "{{ event.message }}", "labels": [
                 {"name": "hot", "description": "ready to buy"},
                 {"name": "cold", "description": "not interested"}]},
             "pinned": {"output": {"label": "cold", "confidence": 0.9}}},
            {"id": "sales", "kind": "set", "params": {"fields": {"to": "sales"}}},
            {"id": "archive", "kind": "set", "params": {"fields": {"to": "archive"}}}
        ]),
        json!([
            {"from": "start", "to": "classify"},
            {"from": "classify", "from_port": "hot", "to": "sales"},
            {"from": "classify", "from_port": "cold", "to": "archive"}
        ]),
    );
    let r = run(
        &p,
        test_run(json!({"message": "urgent enterprise demo, budget 50000"})),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.node("classify").unwrap().ports, vec!["out", "cold"]);
    assert_eq!(r.node("sales").unwrap().status, NodeStatus::Skipped);
    assert_eq!(r.node("archive").unwrap().status, NodeStatus::Succeeded);
}

#[test]
fn pins_that_cannot_work_are_diagnostics_on_their_node() {
    let cases = [
        (
            json!({"id": "start", "kind": "manual_trigger", "pinned": {"output": {}}}),
            "start",
            "pin_not_allowed",
        ),
        (
            json!({"id": "check", "kind": "condition", "params": {"condition": "true"},
                   "pinned": {"output": {}}}),
            "check",
            "pin_unknown_port",
        ),
        (
            json!({"id": "check", "kind": "condition", "params": {"condition": "true"},
                   "pinned": {"output": {}, "ports": ["maybe"]}}),
            "check",
            "pin_unknown_port",
        ),
    ];
    for (node, id, code) in cases {
        let mut nodes = vec![json!({"id": "t0", "kind": "manual_trigger"})];
        if node["id"] != "start" {
            nodes.push(node.clone());
        } else {
            nodes[0] = node.clone();
        }
        let edges = if nodes.len() == 2 {
            json!([{"from": "t0", "to": id}])
        } else {
            json!([])
        };
        let diags = compile(&file(Json::Array(nodes), edges))
            .err()
            .unwrap_or_else(|| panic!("{node} compiled"));
        assert!(
            diags
                .iter()
                .any(|d| d.code == code && d.node.as_deref() == Some(id)),
            "{node}: {diags:#?}"
        );
    }
    // A condition pinned to one of its outputs is fine.
    let ok = file(
        json!([{"id": "t0", "kind": "manual_trigger"},
               {"id": "check", "kind": "condition", "params": {"condition": "true"},
                "pinned": {"output": {"x": 1}, "ports": ["false"]}}]),
        json!([{"from": "t0", "to": "check"}]),
    );
    assert!(compile(&ok).is_ok());
}

#[tokio::test]
async fn test_runs_report_waits_instead_of_waiting() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "delay", "params": {"amount": 60, "unit": "minutes"}},
            {"id": "after", "kind": "set", "params": {"fields": {"done": true}}}
        ]),
        json!([{"from": "start", "to": "wait"}, {"from": "wait", "to": "after"}]),
    );
    // A real run would wait an hour; the test run goes straight on and says what it skipped.
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        run(&p, test_run(json!({}))),
    )
    .await
    .expect("a test run does not wait");
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.output, json!({"done": true}));
    assert!(
        r.logs
            .iter()
            .any(|l| l.node == "wait" && l.message.contains("would wait 60 min")),
        "{:?}",
        r.logs
    );
}
