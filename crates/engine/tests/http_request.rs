//! The HTTP Request node against a real HTTP server on loopback.

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

#[tokio::test]
async fn the_guard_refuses_loopback_by_address_by_name_and_as_a_mapped_address() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let engine = engine(NetworkPolicy::default());
    let r = run_on(
        &engine,
        json!({"url": format!("http://127.0.0.1:{p}/hit")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked");
    assert_eq!(
        err.message,
        format!("refused to call http://127.0.0.1:{p}/hit: 127.0.0.1 is a loopback address; {ALLOW_HINT}")
    );

    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/hit")}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert!(
        err.message.starts_with(&format!(
            "refused to call http://localhost:{p}/hit: localhost is at "
        )) && err.message.contains("a loopback address")
            && err.message.ends_with(ALLOW_HINT),
        "{}",
        err.message
    );

    let r = run_on(
        &engine,
        json!({"url": format!("http://[::ffff:127.0.0.1]:{p}/hit")}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert!(
        err.message
            .contains("::ffff:127.0.0.1 is a loopback address"),
        "{}",
        err.message
    );
    assert_eq!(server.hits().len(), 0, "nothing reached the server");

    // Allowed from the next run on, without a new engine.
    engine.set_workspace(Arc::new(Workspace {
        network: open(),
        ..Workspace::default()
    }));
    for url in [
        format!("http://127.0.0.1:{p}/hit"),
        format!("http://localhost:{p}/hit"),
        format!("http://[::ffff:127.0.0.1]:{p}/hit"),
    ] {
        let r = run_on(&engine, json!({"url": url}), json!({})).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{url}: {:?}", r.error);
        assert_eq!(r.output["body"], json!({"ok": true}));
    }
    assert_eq!(server.hits().len(), 3);
}

#[tokio::test]
async fn allowed_hosts_open_single_addresses_and_names() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let by_address = engine(guarded(&["127.0.0.1"]));
    let r = run_on(
        &by_address,
        json!({"url": format!("http://127.0.0.1:{p}/a")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    // localhost resolves to 127.0.0.1 here, which is allowed.
    let r = run_on(
        &by_address,
        json!({"url": format!("http://localhost:{p}/b")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);

    let by_name = engine(guarded(&["localhost"]));
    let r = run_on(
        &by_name,
        json!({"url": format!("http://localhost:{p}/c")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let r = run_on(
        &by_name,
        json!({"url": format!("http://127.0.0.1:{p}/d")}),
        json!({}),
    )
    .await;
    assert_eq!(r.error.unwrap().code, "address_blocked");
    let paths: Vec<String> = server.hits().into_iter().map(|h| h.path).collect();
    assert_eq!(paths, ["/a", "/b", "/c"]);
}

#[tokio::test]
async fn cloud_metadata_addresses_are_refused_before_any_connection() {
    let engine = engine(NetworkPolicy::default());
    for (url, shown) in [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
        (
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "64:ff9b::a9fe:a9fe",
        ),
        (
            "http://[::ffff:169.254.169.254]/latest/meta-data/",
            "::ffff:169.254.169.254",
        ),
    ] {
        let started = std::time::Instant::now();
        let r = run_on(
            &engine,
            json!({"url": url, "timeout_ms": 60_000}),
            json!({}),
        )
        .await;
        let elapsed = started.elapsed();
        let err = r.error.unwrap();
        assert_eq!(err.code, "address_blocked", "{url}: {}", err.message);
        assert!(
            err.message
                .contains(&format!("{shown} is the cloud metadata address")),
            "{}",
            err.message
        );
        // Nothing was contacted: a connection attempt would wait for the 60 s timeout or fail
        // with a connection error, not this code.
        assert!(
            elapsed < std::time::Duration::from_secs(2),
            "{url}: {elapsed:?}"
        );
        assert_eq!(r.nodes[1].attempts, 1);
    }
}

#[tokio::test]
async fn redirects_to_refused_addresses_are_refused_and_never_reach_them() {
    let first = recorder("127.0.0.1:0").await;
    let second = recorder("127.0.0.2:0").await;
    let target = format!("{}/inside", second.base);
    let url = format!("{}/redirect?to={target}", first.base);

    let r = run_on(
        &engine(guarded(&["127.0.0.1"])),
        json!({"url": url}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "address_blocked", "{}", err.message);
    assert_eq!(
        err.message,
        format!("refused to call {target} (redirected from {url}): 127.0.0.2 is a loopback address; {ALLOW_HINT}")
    );
    assert_eq!(first.hits().len(), 1);
    assert_eq!(
        second.hits().len(),
        0,
        "the refused server received nothing"
    );

    let r = run_on(&engine(open()), json!({"url": url}), json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(r.output["body"], json!({"ok": true}));
    assert_eq!(second.hits().len(), 1);
    assert_eq!(second.hits()[0].path, "/inside");
}

#[tokio::test]
async fn redirects_stop_after_ten() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(json!({"url": format!("{}/loop", server.base)}), json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(
        err.message.contains("redirected more than 10 times"),
        "{}",
        err.message
    );
    assert_eq!(
        server.hits().len(),
        11,
        "the first request and ten redirects"
    );
}

fn report_text(r: &RunReport) -> String {
    serde_json::to_string(r).unwrap()
}

#[tokio::test]
async fn bearer_tokens_are_sent_and_scrubbed_from_what_the_server_echoes() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"url": format!("{}/echo-auth", server.base), "auth": "bearer", "auth_secret": "CRM_TOKEN"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        server.hits()[0].headers["authorization"],
        format!("Bearer {TOKEN}")
    );
    assert_eq!(r.output["body"]["you_sent"], "Bearer [secret CRM_TOKEN]");
    assert_eq!(r.output["headers"]["x-echo"], "Bearer [secret CRM_TOKEN]");
    assert!(!report_text(&r).contains(TOKEN));
}

#[tokio::test]
async fn basic_auth_sends_user_and_password_and_scrubs_the_encoded_pair() {
    use base64::Engine as _;
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"url": format!("{}/echo-auth", server.base), "auth": "basic",
               "auth_username": "{{ event.user }}", "auth_secret": "CRM_PASSWORD"}),
        json!({"user": "ada"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let sent = server.hits()[0].headers["authorization"].clone();
    let encoded = sent.strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(decoded, format!("ada:{PASSWORD}").as_bytes());
    assert_eq!(r.output["body"]["you_sent"], "Basic [secret CRM_PASSWORD]");
    let text = report_text(&r);
    assert!(
        !text.contains(encoded) && !text.contains(PASSWORD),
        "{text}"
    );
}

#[tokio::test]
async fn api_keys_go_in_the_named_header() {
    let server = recorder("127.0.0.1:0").await;
    for (header, expected) in [(None, "x-api-key"), (Some("X-Auth-Key"), "x-auth-key")] {
        let mut params = json!({"url": format!("{}/k", server.base), "auth": "api_key", "auth_secret": "CRM_KEY"});
        if let Some(h) = header {
            params["api_key_header"] = json!(h);
        }
        let r = call(params, json!({})).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
        let hit = server.hits().pop().unwrap();
        assert_eq!(hit.headers.get(expected).map(String::as_str), Some(API_KEY));
        assert!(!hit.headers.contains_key("authorization"));
    }

    let r = call(
        json!({"url": format!("{}/k", server.base), "auth": "bearer", "auth_secret": "NOT_SET_4711"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("missing_secret", Some("auth_secret"))
    );
    let r = call(
        json!({"url": format!("{}/k", server.base), "auth": "bearer"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("auth_secret"))
    );
    assert_eq!(server.hits().len(), 2, "no request without its credentials");
}

#[tokio::test]
async fn form_fields_are_sent_url_encoded() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/form", server.base), "body_type": "form",
               "form_fields": {"name": "{{ event.name }}", "note": "a&b=c d", "count": "{{ event.n }}"}}),
        json!({"name": "Ada Lovelace", "n": 3}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hit = &server.hits()[0];
    assert_eq!(
        hit.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let mut fields: Vec<(String, String)> =
        url_decode_pairs(std::str::from_utf8(&hit.body).unwrap());
    fields.sort();
    assert_eq!(
        fields,
        [
            ("count".to_string(), "3".to_string()),
            ("name".to_string(), "Ada Lovelace".to_string()),
            ("note".to_string(), "a&b=c d".to_string())
        ]
    );
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

#[tokio::test]
async fn multipart_sends_text_fields_and_files() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/upload", server.base), "body_type": "multipart",
               "form_fields": {"title": "Q3 {{ event.kind }}", "doc": "{{ event.file }}"}}),
        json!({"kind": "report", "file": {"base64": "AAEC/w==", "filename": "q3.png", "content_type": "image/png"}}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hit = &server.hits()[0];
    let ct = &hit.headers["content-type"];
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let parts = multipart_parts(ct, &hit.body);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let (doc_headers, doc) = &parts[0];
    assert!(
        doc_headers.contains(r#"name="doc"; filename="q3.png""#)
            && doc_headers.contains("image/png"),
        "{doc_headers}"
    );
    assert_eq!(doc, &[0u8, 1, 2, 255]);
    let (title_headers, title) = &parts[1];
    assert!(title_headers.contains(r#"name="title""#), "{title_headers}");
    assert_eq!(title, b"Q3 report");

    let r = call(
        json!({"method": "POST", "url": format!("{}/upload", server.base), "body_type": "multipart",
               "form_fields": {"doc": "{{ event.file }}"}}),
        json!({"file": {"base64": "not base64!"}}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("form_fields"))
    );
}

#[tokio::test]
async fn text_bodies_carry_their_content_type_and_none_sends_nothing() {
    let server = recorder("127.0.0.1:0").await;
    let r = call(
        json!({"method": "POST", "url": format!("{}/csv", server.base), "body_type": "text",
               "text_body": "name,budget\n{{ event.name }},{{ event.budget }}\n", "content_type": "text/csv",
               "body": {"ignored": true}}),
        json!({"name": "Ada", "budget": 5000}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let r2 = call(
        json!({"method": "POST", "url": format!("{}/plain", server.base), "body_type": "text", "text_body": "hello"}),
        json!({}),
    )
    .await;
    assert_eq!(r2.status, RunStatus::Succeeded, "{:?}", r2.error);
    let r3 = call(
        json!({"method": "POST", "url": format!("{}/none", server.base), "body_type": "none", "body": {"ignored": true}}),
        json!({}),
    )
    .await;
    assert_eq!(r3.status, RunStatus::Succeeded, "{:?}", r3.error);
    let hits = server.hits();
    assert_eq!(hits[0].headers["content-type"], "text/csv");
    // Templates drop one final line break (the expression language's rule).
    assert_eq!(hits[0].body, b"name,budget\nAda,5000");
    assert_eq!(hits[1].headers["content-type"], "text/plain");
    assert_eq!(hits[1].body, b"hello");
    assert!(hits[2].body.is_empty());
    assert!(!hits[2].headers.contains_key("content-type"));
}

#[tokio::test]
async fn answers_are_read_as_asked() {
    let server = recorder("127.0.0.1:0").await;
    let get = |path: &str, response_type: &str| {
        call(
            json!({"url": format!("{}{path}", server.base), "response_type": response_type}),
            json!({}),
        )
    };
    // Automatic: JSON only when labelled JSON.
    assert_eq!(
        get("/json-as-text", "auto").await.output["body"],
        r#"{"a": 1}"#
    );
    assert_eq!(get("/x", "auto").await.output["body"], json!({"ok": true}));
    // JSON: parsed whatever the label; not JSON is a clear failure.
    assert_eq!(
        get("/json-as-text", "json").await.output["body"],
        json!({"a": 1})
    );
    let err = get("/html", "json").await.error.unwrap();
    assert_eq!(err.code, "invalid_response");
    assert!(
        err.message.contains("did not answer with JSON") && err.message.contains("text/html"),
        "{}",
        err.message
    );
    // Text: as it is.
    assert_eq!(get("/x", "text").await.output["body"], r#"{"ok":true}"#);
    // File: bytes kept.
    let r = get("/bytes", "binary").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(
        r.output["body"],
        json!({"base64": "AAEC/w==", "size": 4, "content_type": "image/png"})
    );
}

#[tokio::test]
async fn error_statuses_can_continue_whatever_the_answer_type() {
    let (base, _) = server().await;
    let r = call(
        json!({"url": format!("{base}/broken"), "fail_on_status": false, "response_type": "text"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(r.output["status"], 500);
    assert_eq!(r.output["body"], "database down");
    let r = call(
        json!({"url": format!("{base}/broken"), "response_type": "binary"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_status");
    assert!(err.message.contains("database down"), "{}", err.message);
}

#[tokio::test]
async fn tightening_the_policy_applies_to_open_connections_too() {
    let server = recorder("127.0.0.1:0").await;
    let p = port(&server.base);
    let engine = engine(open());
    // Keep-alive: this connection stays in the client's pool.
    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/a")}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    engine.set_workspace(Arc::new(Workspace::default()));
    let r = run_on(
        &engine,
        json!({"url": format!("http://localhost:{p}/b")}),
        json!({}),
    )
    .await;
    assert_eq!(r.error.map(|e| e.code).as_deref(), Some("address_blocked"));
    assert_eq!(server.hits().len(), 1);
}

#[tokio::test]
async fn credentials_do_not_follow_redirects_to_other_sites() {
    let first = recorder("127.0.0.1:0").await;
    let second = recorder("127.0.0.2:0").await;
    let elsewhere = format!("{}/elsewhere", second.base);
    let url = format!("{}/redirect?to={elsewhere}", first.base);
    // An API key: the redirect to another site is not followed.
    let r = call(
        json!({"url": url, "auth": "api_key", "auth_secret": "CRM_KEY"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "http_error");
    assert!(
        err.message
            .contains(&format!("it redirected to another site ({elsewhere})")),
        "{}",
        err.message
    );
    assert_eq!(second.hits().len(), 0);
    // Within the same site it is.
    let same = format!("{}/redirect?to={}/inside", first.base, first.base);
    let r = call(
        json!({"url": same, "auth": "api_key", "auth_secret": "CRM_KEY"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    assert_eq!(first.hits().last().unwrap().headers["x-api-key"], API_KEY);
    // A bearer token follows, without the Authorization header (the client drops it).
    let r = call(
        json!({"url": url, "auth": "bearer", "auth_secret": "CRM_TOKEN"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:?}", r.error);
    let hits = second.hits();
    assert_eq!(hits.len(), 1);
    assert!(
        !hits[0].headers.contains_key("authorization"),
        "{:?}",
        hits[0].headers
    );
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let text = json!({
        "schema_version": 1, "id": "t", "name": "T",
        "nodes": [{"id": "start", "kind": "manual_trigger"},
                  {"id": "call", "kind": "http_request", "params": {"url": "http://10.0.0.1/x"},
                   "retry": {"max_attempts": 3, "backoff_ms": 60000, "max_backoff_ms": 60000}}],
        "edges": [{"from": "start", "to": "call"}]
    })
    .to_string();
    let plan = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    let started = std::time::Instant::now();
    let r = engine(NetworkPolicy::default())
        .run(plan, RunRequest::new("r", json!({})), &mut |_| {})
        .await;
    assert_eq!(r.error.as_ref().unwrap().code, "address_blocked");
    assert_eq!(r.node("call").unwrap().attempts, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
