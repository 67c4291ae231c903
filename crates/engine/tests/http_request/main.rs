//! The HTTP Request node against a real HTTP server on loopback.

mod guard;
mod request;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json as AxJson, Router};
use serde_json::{json, Value as Json};
use switchyard_core::workspace::NetworkPolicy;
use switchyard_core::{compile, WorkflowFile, Workspace};
use switchyard_engine::{Engine, EngineConfig, RunReport, RunRequest, RunStatus, Secrets};

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

/// Runs the node with private networks allowed (the servers here are on loopback).
async fn call(params: Json, event: Json) -> RunReport {
    run_on(&engine(open()), params, event).await
}

async fn run_on(engine: &Engine, params: Json, event: Json) -> RunReport {
    let text = json!({
        "schema_version": 1, "id": "t", "name": "T",
        "nodes": [{"id": "start", "kind": "manual_trigger"}, {"id": "call", "kind": "http_request", "params": params}],
        "edges": [{"from": "start", "to": "call"}]
    })
    .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    engine
        .run(plan, RunRequest::new("r", event), &mut |_| {})
        .await
}

/// The secrets every engine here knows.
const TOKEN: &str = "tok-abcdef123456";
const PASSWORD: &str = "pw-secret-987";
const API_KEY: &str = "key-xyz-4567";

fn engine(network: NetworkPolicy) -> Engine {
    Engine::new(EngineConfig {
        workspace: Arc::new(Workspace {
            network,
            ..Workspace::default()
        }),
        secrets: Secrets::new([
            ("CRM_TOKEN".to_string(), TOKEN.to_string()),
            ("CRM_PASSWORD".to_string(), PASSWORD.to_string()),
            ("CRM_KEY".to_string(), API_KEY.to_string()),
        ]),
        ..EngineConfig::default()
    })
}

/// Private networks allowed.
fn open() -> NetworkPolicy {
    NetworkPolicy {
        allow_private_networks: true,
        allowed_hosts: vec![],
    }
}

/// The default: private networks refused.
fn guarded(allowed_hosts: &[&str]) -> NetworkPolicy {
    NetworkPolicy {
        allow_private_networks: false,
        allowed_hosts: allowed_hosts.iter().map(|h| h.to_string()).collect(),
    }
}

// A server that records every request and answers by path.

#[derive(Debug, Clone)]
struct Hit {
    path: String,
    headers: std::collections::HashMap<String, String>,
    body: Vec<u8>,
}

type Hits = Arc<Mutex<Vec<Hit>>>;

struct Recorder {
    base: String,
    hits: Hits,
}

impl Recorder {
    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

/// Answers: `/redirect?to=URL` (307 to URL), `/loop` (302 to itself), `/echo-auth` (the
/// Authorization header back, in the body and a header), `/html`, `/bytes` (a tiny PNG-typed
/// file), `/json-as-text` (JSON labelled text/plain), anything else `{"ok": true}`.
async fn recorder(addr: &str) -> Recorder {
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Request};
    use axum::response::{IntoResponse, Response};

    let hits: Hits = Arc::default();
    let app = Router::new()
        .fallback(|State(hits): State<Hits>, req: Request<Body>| async move {
            let (parts, body) = req.into_parts();
            let headers = parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect::<std::collections::HashMap<_, _>>();
            let body = to_bytes(body, usize::MAX).await.unwrap().to_vec();
            let auth = headers.get("authorization").cloned().unwrap_or_default();
            hits.lock().unwrap().push(Hit {
                path: parts.uri.path().to_string(),
                headers,
                body,
            });
            let query = parts.uri.query().unwrap_or("").to_string();
            let resp: Response = match parts.uri.path() {
                "/redirect" => {
                    let to = query.strip_prefix("to=").unwrap_or("").to_string();
                    (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response()
                }
                "/loop" => (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response(),
                "/echo-auth" => (
                    [("x-echo", auth.clone())],
                    AxJson(json!({"you_sent": auth})),
                )
                    .into_response(),
                "/html" => {
                    ([(header::CONTENT_TYPE, "text/html")], "<html>hi</html>").into_response()
                }
                "/bytes" => {
                    ([(header::CONTENT_TYPE, "image/png")], vec![0u8, 1, 2, 255]).into_response()
                }
                "/json-as-text" => {
                    ([(header::CONTENT_TYPE, "text/plain")], r#"{"a": 1}"#).into_response()
                }
                _ => AxJson(json!({"ok": true})).into_response(),
            };
            resp
        })
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let local = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Recorder {
        base: format!("http://{local}"),
        hits,
    }
}

fn port(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

const ALLOW_HINT: &str =
    "workflows may not reach private networks (allow it in Settings → Network)";

fn report_text(r: &RunReport) -> String {
    serde_json::to_string(r).unwrap()
}

fn url_decode_pairs(body: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://x/?{body}")).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// (part headers, part data) of a multipart body.
fn multipart_parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.windows(delimiter.len()).position(|w| w == delimiter) {
        let segment = &rest[..at];
        rest = &rest[at + delimiter.len()..];
        let segment = segment.strip_prefix(b"\r\n").unwrap_or(segment);
        let segment = segment.strip_suffix(b"\r\n").unwrap_or(segment);
        if segment.is_empty() {
            continue;
        }
        let split = segment.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        parts.push((
            String::from_utf8_lossy(&segment[..split]).into_owned(),
            segment[split + 4..].to_vec(),
        ));
    }
    assert!(
        rest.starts_with(b"--"),
        "the body ends with the closing delimiter"
    );
    parts
}
