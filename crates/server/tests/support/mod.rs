//! What the server tests share: `switchyard serve`'s router in process over a real SQLite file
//! and real workflow files (`start`), its HTTP calls, and a stand-in API on loopback that counts
//! the requests it gets (and fails on demand).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use axum::extract::Path as UrlPath;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{json, Value};
use switchyard_app::{wait_for_run, App, AppConfig};
use switchyard_server::ServerOptions;

pub const MINUTE: Duration = Duration::from_secs(60);

/// The stand-in API: requests counted by path; `/crm` fails with 503 until `healthy`.
#[derive(Clone, Default)]
pub struct Api {
    pub hits: Arc<Mutex<HashMap<String, u64>>>,
    pub healthy: Arc<AtomicBool>,
}

impl Api {
    pub fn hit(&self, path: &str) -> u64 {
        let mut hits = self.hits.lock().unwrap();
        let n = hits.entry(path.to_string()).or_default();
        *n += 1;
        *n
    }

    pub fn hits(&self, path: &str) -> u64 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub async fn start(&self) -> String {
        let (a, b, c, d, e) = (
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
        );
        let router = axum::Router::new()
            .route(
                "/lookup",
                get(move || async move {
                    axum::Json(json!({"company": "Acme", "n": a.hit("/lookup")}))
                }),
            )
            .route(
                "/crm",
                post(move || async move {
                    let n = b.hit("/crm");
                    if b.healthy.load(Ordering::SeqCst) {
                        (StatusCode::CREATED, axum::Json(json!({"id": n})))
                    } else {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(json!({"busy": true})),
                        )
                    }
                }),
            )
            .route(
                "/crm2",
                post(move || async move {
                    (
                        StatusCode::CREATED,
                        axum::Json(json!({"id": c.hit("/crm2")})),
                    )
                }),
            )
            .route(
                "/item/{name}",
                get(move |UrlPath(name): UrlPath<String>| async move {
                    let n = d.hit("/item");
                    if name == "bad" {
                        (StatusCode::BAD_GATEWAY, axum::Json(json!({"item": name})))
                    } else {
                        (StatusCode::OK, axum::Json(json!({"item": name, "n": n})))
                    }
                }),
            )
            .route(
                "/echo-auth",
                post(move |headers: HeaderMap| async move {
                    e.hit("/echo-auth");
                    let seen = headers["authorization"].to_str().unwrap().to_string();
                    (StatusCode::UNAUTHORIZED, axum::Json(json!({"seen": seen})))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        base
    }
}

pub struct Served {
    pub app: App,
    pub base: String,
    pub http: reqwest::Client,
    /// The data folder (the SQLite file, the secrets).
    pub data: tempfile::TempDir,
    pub workflows: tempfile::TempDir,
}

/// `switchyard serve`'s router in process on loopback, over a fresh data folder and a
/// workflows folder that `seed` fills. Every server test starts its server here.
pub async fn start(opts: ServerOptions, seed: impl FnOnce(&Path)) -> Served {
    capture_run_logs();
    let data = tempfile::tempdir().unwrap();
    let workflows = tempfile::tempdir().unwrap();
    seed(workflows.path());
    let mut config = AppConfig::new(data.path(), workflows.path());
    config.watch_interval = None;
    config.respond_timeout = Duration::from_secs(10);
    let app = App::start(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = switchyard_server::service(app.clone(), opts).into_make_service();
    tokio::spawn(async move { axum::serve(listener, server).await });
    Served {
        app,
        base,
        http: reqwest::Client::new(),
        data,
        workflows,
    }
}

/// A server over `workflows`, whose workspace lets them call stand-ins on loopback (which the
/// SSRF guard refuses otherwise).
pub async fn serve_with(workflows: &[Value], opts: ServerOptions) -> Served {
    start(opts, |dir| {
        for wf in workflows {
            write(dir, wf);
        }
        std::fs::write(
            dir.join("workspace.json"),
            r#"{"network": {"allowed_hosts": ["127.0.0.1"]}}"#,
        )
        .unwrap();
    })
    .await
}

pub async fn serve(workflows: &[Value]) -> Served {
    serve_with(workflows, ServerOptions::default()).await
}

/// A workflow file: its nodes, and its edges as (from, port, to).
pub fn workflow_file(id: &str, nodes: Value, edges: &[(&str, &str, &str)]) -> Value {
    let edges: Vec<Value> = edges
        .iter()
        .map(|(from, port, to)| json!({"from": from, "from_port": port, "to": to}))
        .collect();
    json!({"schema_version": 1, "id": id, "name": id, "nodes": nodes, "edges": edges})
}

/// A workflow file whose `vars.api` is the stand-in API's address.
pub fn workflow(id: &str, api: &str, nodes: Value, edges: &[(&str, &str, &str)]) -> Value {
    let mut wf = workflow_file(id, nodes, edges);
    wf["vars"] = json!({ "api": api });
    wf
}

/// `/hooks/in` doubles `n`: a workflow that needs nothing outside the process.
pub fn echo_workflow() -> Value {
    workflow_file(
        "echo",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "in"}},
            {"id": "shape", "kind": "set", "params": {"fields": {"n": "{{ event.n * 2 }}"}}}
        ]),
        &[("hook", "out", "shape")],
    )
}

pub fn write(dir: &Path, wf: &Value) {
    let id = wf["id"].as_str().unwrap();
    std::fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_string_pretty(wf).unwrap(),
    )
    .unwrap();
}

/// The run `event_id` caused, once it is stored (as the live stream announces it).
pub async fn stored_run(
    live: &mut tokio::sync::broadcast::Receiver<switchyard_app::LiveEvent>,
    event_id: &str,
) -> switchyard_store::RunSummary {
    wait_for_run(live, |r| r.event_id.as_deref() == Some(event_id), MINUTE)
        .await
        .unwrap_or_else(|| panic!("no run of {event_id} was stored"))
}

/// Captured run log lines need the layer in this process's subscriber.
pub fn capture_run_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(switchyard_app::run_logs::layer());
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

impl Served {
    /// The status and the body: JSON, or the text when it is not JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// `GET /api/events/{id}`: the event with its jobs and runs.
    pub async fn event(&self, id: &str) -> Value {
        self.get(&format!("/api/events/{id}")).await
    }

    pub async fn post(&self, path: &str, body: impl std::borrow::Borrow<Value>) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body.borrow()))
            .await
    }

    /// Posts to a webhook, waits for its run to be stored, and reads it (with its journal).
    pub async fn hook(&self, path: &str, payload: Value) -> Value {
        let mut live = self.app.subscribe();
        let (status, body) = self.post(&format!("/hooks/{path}"), payload).await;
        assert_eq!(status, 202, "{body}");
        let event = body["event_id"].as_str().unwrap().to_string();
        let run = wait_for_run(&mut live, |r| r.event_id.as_deref() == Some(&event), MINUTE)
            .await
            .expect("the run is stored");
        self.get(&format!("/api/runs/{}", run.id)).await
    }

    pub async fn replace(&self, wf: &Value) {
        write(self.workflows.path(), wf);
        self.app.reload().await.unwrap();
    }
}

pub fn node<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["journal"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id} in {run}"))
}

/// hook -> lookup (GET /lookup) -> score (Set) -> crm (POST `crm_path`).
pub fn leads(api: &str, crm_path: &str) -> Value {
    workflow(
        "leads",
        api,
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "lead"}},
            {"id": "lookup", "kind": "http_request", "params": {"url": "{{ vars.api }}/lookup"}},
            {"id": "score", "kind": "set", "params": {"fields": {
                "company": "{{ input.body.company }}", "email": "{{ event.email }}"}}},
            {"id": "crm", "kind": "http_request", "params": {"method": "POST",
                "url": format!("{{{{ vars.api }}}}{crm_path}"), "body": {"email": "{{ input.email }}"}}}
        ]),
        &[
            ("hook", "out", "lookup"),
            ("lookup", "out", "score"),
            ("score", "out", "crm"),
        ],
    )
}
