//! The HTTP Request node against a real HTTP server on loopback.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json as AxJson, Router};
use serde_json::{json, Value as Json};
use switchyard_core::{compile, WorkflowFile};
use switchyard_engine::{Engine, EngineConfig, RunReport, RunRequest, RunStatus};

type Seen = Arc<Mutex<Vec<Json>>>;

async fn server() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/leads",
            post(
                |State(seen): State<Seen>,
                 Query(q): Query<Json>,
                 headers: HeaderMap,
                 AxJson(body): AxJson<Json>| async move {
                    let auth = headers
                        .get("x-api-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    seen.lock()
                        .unwrap()
                        .push(json!({"query": q, "auth": auth, "body": body}));
                    (StatusCode::CREATED, AxJson(json!({"id": "lead-1"})))
                },
            ),
        )
        .route(
            "/broken",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

async fn call(params: Json, event: Json) -> RunReport {
    let text = json!({
        "schema_version": 1, "id": "t", "name": "T",
        "nodes": [{"id": "start", "kind": "manual_trigger"}, {"id": "call", "kind": "http_request", "params": params}],
        "edges": [{"from": "start", "to": "call"}]
    })
    .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    Engine::new(EngineConfig::default())
        .run(plan, RunRequest::new("r", event), &mut |_| {})
        .await
}

#[tokio::test]
async fn posts_templated_json_with_headers_and_query_and_parses_the_answer() {
    let (base, seen) = server().await;
    let r = call(
        json!({
            "method": "POST", "url": format!("{base}/leads"),
            "headers": {"X-Api-Key": "k-{{ event.team }}"}, "query": {"source": "{{ event.source }}"},
            "body": {"email": "{{ event.email | lower }}", "budget": "{{ event.budget }}", "fixed": [1, 2]}
        }),
        json!({"email": "ADA@EXAMPLE.COM", "budget": 50000, "team": "sales", "source": "form"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(r.output["status"], 201);
    assert_eq!(r.output["body"], json!({"id": "lead-1"}));
    assert_eq!(r.output["headers"]["content-type"], "application/json");
    let got = seen.lock().unwrap().clone();
    assert_eq!(
        got,
        [
            json!({"query": {"source": "form"}, "auth": "k-sales", "body": {"email": "ada@example.com", "budget": 50000, "fixed": [1, 2]}})
        ]
    );
}

#[tokio::test]
async fn error_statuses_fail_unless_told_to_continue() {
    let (base, _) = server().await;
    let r = call(json!({"url": format!("{base}/broken")}), json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_status");
    assert!(
        err.message.contains("500") && err.message.contains("database down"),
        "{}",
        err.message
    );

    let r = call(
        json!({"url": format!("{base}/broken"), "fail_on_status": false}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.output["status"], 500);
    assert_eq!(r.output["body"], "database down");
}

#[tokio::test]
async fn unreachable_servers_and_bad_urls_are_clear_errors() {
    // Port 9 (discard) on loopback is closed on these machines.
    let r = call(json!({"url": "http://127.0.0.1:9/x"}), json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(err.message.contains("could not connect"), "{}", err.message);

    let r = call(
        json!({"url": "{{ event.where }}"}),
        json!({"where": "not a url"}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("url"))
    );
}
