//! Editor runs through `POST /api/runs/live`: events stream as they happen (NDJSON); test runs
//! run the unsaved draft, simulate side effects and store nothing; real runs run the saved file
//! through the durable pipeline; runs can be cancelled, and a test run stops when its watcher
//! goes away.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::Served;

/// Manual trigger → Set (reads the event) → Emit event `lead.qualified`.
fn workflow(tier: &str) -> Value {
    json!({
        "schema_version": 1, "id": "qualify", "name": "Qualify",
        "nodes": [
            {"id": "start", "kind": "manual_trigger"},
            {"id": "tag", "kind": "set", "params": {"fields": {"email": "{{ event.email }}", "tier": tier}}},
            {"id": "announce", "kind": "emit_event", "params": {"event": "lead.qualified"}}
        ],
        "edges": [{"from": "start", "to": "tag"}, {"from": "tag", "to": "announce"}]
    })
}

/// A streamed answer, read line by line as the lines come.
struct Lines {
    response: reqwest::Response,
    pending: Vec<u8>,
}

impl Lines {
    async fn open(s: &Served, body: &Value) -> Lines {
        let response = s
            .http
            .post(format!("{}/api/runs/live", s.base))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/x-ndjson"
        );
        Lines {
            response,
            pending: Vec::new(),
        }
    }

    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Some(serde_json::from_slice(&line).unwrap());
            }
            let chunk = self.response.chunk().await.unwrap()?;
            self.pending.extend_from_slice(&chunk);
        }
    }

    /// Reads until `f` holds for a line (that line included).
    async fn until(&mut self, f: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut lines = Vec::new();
        while let Some(l) = self.next().await {
            let stop = f(&l);
            lines.push(l);
            if stop {
                break;
            }
        }
        lines
    }
}

async fn stream(s: &Served, body: &Value) -> Vec<Value> {
    Lines::open(s, body).await.until(|_| false).await
}

fn started(node: &'static str) -> impl Fn(&Value) -> bool {
    move |l| {
        l["type"] == "event" && l["event"]["type"] == "node_started" && l["event"]["node"] == node
    }
}

fn last(lines: &[Value]) -> &Value {
    lines.last().expect("at least one line")
}

#[tokio::test]
async fn a_test_run_streams_the_draft_and_sends_nothing() {
    let s = support::serve(&[]).await;
    // The saved file says "cold"; the draft in the editor says "hot".
    s.app
        .save_workflow(serde_json::from_value(workflow("cold")).unwrap())
        .await
        .unwrap();
    let lines = stream(
        &s,
        &json!({"workflow_id": "qualify", "file": workflow("hot"),
                "event": {"email": "ada@example.com"}, "test_mode": true}),
    )
    .await;
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l["type"] == "event" {
                l["event"]["type"].as_str().unwrap()
            } else {
                l["type"].as_str().unwrap()
            }
        })
        .collect();
    assert_eq!(kinds.first(), Some(&"run_started"), "{kinds:?}");
    assert!(kinds.contains(&"node_started") && kinds.contains(&"node_succeeded"));
    assert_eq!(kinds.last(), Some(&"done"), "{lines:#?}");
    let result = &last(&lines)["result"];
    assert_eq!(result["test_mode"], true);
    assert!(result.get("event_id").is_none());
    let nodes = result["report"]["nodes"].as_array().unwrap();
    let node = |id: &str| nodes.iter().find(|n| n["id"] == id).unwrap();
    assert_eq!(
        node("tag")["output"],
        json!({"email": "ada@example.com", "tier": "hot"})
    );
    assert_eq!(node("announce")["output"]["simulated"], true);
    // Nothing was stored: no run, no emitted event.
    let runs: Value = s.get("/api/runs").await;
    assert_eq!(runs.as_array().unwrap().len(), 0, "{runs}");
    let events: Value = s.get("/api/events").await;
    assert_eq!(events.as_array().unwrap().len(), 0, "{events}");
}

#[tokio::test]
async fn a_real_run_runs_the_saved_file_and_is_stored() {
    let s = support::serve(&[]).await;
    s.app
        .save_workflow(serde_json::from_value(workflow("cold")).unwrap())
        .await
        .unwrap();
    let lines = stream(
        &s,
        &json!({"workflow_id": "qualify", "file": workflow("hot"),
                "event": {"email": "bo@example.com"}}),
    )
    .await;
    let done = last(&lines);
    assert_eq!(done["type"], "done", "{lines:#?}");
    let result = &done["result"];
    assert_eq!(result["test_mode"], false);
    let run_id = result["run_id"].as_str().unwrap();
    let tag = result["report"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "tag")
        .unwrap();
    assert_eq!(
        tag["output"]["tier"], "cold",
        "the saved file ran, not the draft"
    );
    // Streamed events belong to this run.
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "event" && l["event"]["type"] == "run_started")
        .all(|l| l["event"]["run_id"] == run_id));
    let run: Value = s.get(&format!("/api/runs/{run_id}")).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["event_id"], result["event_id"]);
    let events: Value = s.get("/api/events").await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "lead.qualified"),
        "the real run emitted its event: {events}"
    );
}

/// A GET (it runs for real in test mode) to a loopback server that accepts and never answers.
async fn slow_workflow(s: &Served) -> Value {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    // Loopback is refused by default; this workspace lets it through.
    s.app
        .save_workspace(
            serde_json::from_value(json!({"network": {"allow_private_networks": true}})).unwrap(),
        )
        .unwrap();
    json!({
        "schema_version": 1, "id": "slow", "name": "Slow",
        "nodes": [
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "http_request", "params": {"url": url}, "timeout_ms": 600000}
        ],
        "edges": [{"from": "start", "to": "wait"}]
    })
}

#[tokio::test]
async fn a_test_run_can_be_cancelled_by_its_id() {
    let s = support::serve(&[]).await;
    let body = json!({"workflow_id": "slow", "file": slow_workflow(&s).await, "test_mode": true});
    let mut lines = Lines::open(&s, &body).await;
    let first = lines.until(started("wait")).await;
    let run_id = first[0]["event"]["run_id"].as_str().unwrap().to_string();
    assert_eq!(
        s.app.active_runs(),
        vec![(run_id.clone(), "slow".to_string())]
    );
    let r = s
        .http
        .post(format!("{}/api/runs/{run_id}/cancel", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rest = lines.until(|_| false).await;
    let done = last(&rest);
    assert_eq!(done["type"], "done", "{rest:#?}");
    assert_eq!(done["result"]["run_id"], run_id.as_str());
    assert_eq!(done["result"]["report"]["status"], "cancelled");
    assert!(s.app.active_runs().is_empty());
}

#[tokio::test]
async fn a_test_run_stops_when_nobody_watches_it() {
    let s = support::serve(&[]).await;
    let body = json!({"workflow_id": "slow", "file": slow_workflow(&s).await, "test_mode": true});
    let mut lines = Lines::open(&s, &body).await;
    let first = lines.until(started("wait")).await;
    drop(lines);
    assert_eq!(first.last().unwrap()["event"]["node"], "wait");
    // The connection is closed: the run ends long before its 10 minutes (checked for up to
    // 10 s; the server notices the closed connection on its own time).
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while !s.app.active_runs().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the run still goes: {:?}",
        s.app.active_runs()
    );
}

#[tokio::test]
async fn a_draft_with_errors_is_refused_with_its_problems() {
    let s = support::serve(&[]).await;
    let mut bad = workflow("hot");
    bad["edges"] = json!([{"from": "start", "to": "nowhere"}]);
    let lines = stream(
        &s,
        &json!({"workflow_id": "qualify", "file": bad, "test_mode": true}),
    )
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["type"], "error");
    assert_eq!(lines[0]["code"], "invalid_workflow");
    assert!(
        lines[0]["message"].as_str().unwrap().contains("nowhere"),
        "{lines:#?}"
    );
}
