//! `switchyard run`: the lead flow end to end against a CRM stand-in on loopback, exit codes,
//! and clear errors for bad input.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{extract::State, Json as AxJson, Router};
use common::{stderr, stdout, switchyard};
use serde_json::{json, Value as Json};

type Received = Arc<Mutex<Vec<(String, Json)>>>;

/// A CRM stand-in on loopback that records what it receives.
async fn crm() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/api/leads",
            post(|State(r): State<Received>, headers: HeaderMap, AxJson(body): AxJson<Json>| async move {
                let source = headers.get("x-source").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                r.lock().unwrap().push((source, body));
                (StatusCode::CREATED, AxJson(json!({"id": "crm-42"})))
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/leads", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

async fn run_cli(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        switchyard(&args)
    })
    .await
    .unwrap()
}

fn node<'a>(report: &'a Json, id: &str) -> &'a Json {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_lead_takes_the_hot_route_and_reaches_the_crm() {
    let (url, received) = crm().await;
    let out = run_cli(vec![
        "run".into(),
        "tests/fixtures/workflows/lead-scoring.json".into(),
        "--event".into(),
        "@tests/fixtures/events/hot-lead.json".into(),
        "--var".into(),
        format!("crm_url={url}"),
        "--json".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["status"], "succeeded");
    assert_eq!(node(&report, "route")["ports"], json!(["hot"]));
    assert_eq!(node(&report, "crm")["status"], "succeeded");
    assert_eq!(node(&report, "crm")["output"]["status"], 201);
    assert_eq!(node(&report, "crm")["attempts"], 1);
    for skipped in ["nurture", "archive", "crm_failed"] {
        assert_eq!(node(&report, skipped)["status"], "skipped", "{skipped}");
    }
    assert!(node(&report, "normalise")["duration_ms"].is_number());
    assert_eq!(
        report["output"],
        json!({"email": "ada@example.com", "name": "Ada Lovelace", "score": 100, "tier": "hot",
               "follow_up": "Follow up with Ada Lovelace within 1 day(s)"})
    );

    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "the CRM got exactly one call");
    assert_eq!(got[0].0, "switchyard");
    assert_eq!(
        got[0].1,
        json!({"name": "Ada Lovelace", "email": "ada@example.com", "company": "Analytical Engines Ltd",
               "budget": 50000, "score": 100, "tier": "hot"})
    );
    let logs = report["logs"].to_string();
    assert!(logs.contains("CRM id crm-42"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_lead_is_archived_and_the_crm_is_not_called() {
    let (url, received) = crm().await;
    let out = run_cli(vec![
        "run".into(),
        "tests/fixtures/workflows/lead-scoring.json".into(),
        "--event".into(),
        "@tests/fixtures/events/cold-lead.json".into(),
        "--var".into(),
        format!("crm_url={url}"),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("✓ route") && l.ends_with("→ default")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("✓ archive")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("· crm ")), "{text}");
    assert!(text.contains("run succeeded"), "{text}");
    assert!(received.lock().unwrap().is_empty());
}

#[test]
fn a_crm_outage_goes_down_the_error_branch_and_the_lead_is_kept() {
    // Nothing listens on port 9 of loopback: every attempt fails to connect.
    let out = switchyard(&[
        "run",
        "tests/fixtures/workflows/lead-scoring.json",
        "--var",
        "crm_url=http://127.0.0.1:9/x",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(node(&report, "crm")["status"], "failed");
    assert_eq!(node(&report, "crm")["attempts"], 3);
    assert_eq!(node(&report, "crm_failed")["status"], "succeeded");
    assert_eq!(node(&report, "follow_up")["status"], "succeeded");
}

#[test]
fn a_failed_run_exits_1_and_says_where() {
    // The CMS is down (nothing listens on port 9): Publish fails after its retries.
    let out = switchyard(&[
        "run",
        "workflows/content-pipeline.json",
        "--var",
        "cms_url=http://127.0.0.1:9/",
        "--allow-private-network",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["status"], "failed");
    assert_eq!(report["failed_node"], "publish");
    assert_eq!(node(&report, "publish")["error"]["code"], "http_error");
    assert_eq!(node(&report, "publish")["attempts"], 3);
    assert_eq!(node(&report, "too_short")["status"], "skipped");
}

#[test]
fn the_ssrf_guard_refuses_loopback_unless_allowed() {
    // workflows/workspace.json keeps the guard on: a workflow cannot reach this machine.
    let out = switchyard(&[
        "run",
        "workflows/content-pipeline.json",
        "--var",
        "cms_url=http://127.0.0.1:9/",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let publish = node(&report, "publish");
    assert_eq!(publish["error"]["code"], "address_blocked", "{publish}");
    assert_eq!(publish["attempts"], 1, "a refusal is not retried");
    assert!(publish["error"]["message"]
        .as_str()
        .unwrap()
        .contains("loopback"));
}

#[test]
fn reading_a_missing_field_fails_the_run_with_a_clear_message() {
    let out = switchyard(&[
        "run",
        "tests/fixtures/workflows/lead-scoring.json",
        "--event",
        r#"{"name": "No Email"}"#,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "error in normalise: fields.email: `event.email` does not exist; `event` has name"
        ),
        "{text}"
    );
}

#[test]
fn invalid_input_exits_2() {
    let out = switchyard(&[
        "run",
        "workflows/lead-processing.json",
        "--event",
        "{not json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--event: the event is not valid JSON"),
        "{}",
        stderr(&out)
    );

    let out = switchyard(&[
        "run",
        "workflows/lead-processing.json",
        "--event",
        "@tests/fixtures/events/none.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the file"),
        "{}",
        stderr(&out)
    );

    let out = switchyard(&["run", "tests/fixtures/cyclic.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a → b → c → a"), "{}", stderr(&out));

    let out = switchyard(&["run", "tests/fixtures/invalid-json.json", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["status"], "invalid");
}

#[test]
fn without_an_event_the_triggers_sample_is_used() {
    let out = switchyard(&["run", "workflows/order-followup.json", "--json"]);
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(node(&report, "summarise")["output"]["order_id"], "A-1001");
    assert_eq!(node(&report, "upsell")["output"]["label"], "premium");
    assert!(node(&report, "upsell")["ports"]
        .as_array()
        .unwrap()
        .contains(&json!("premium")));
}
