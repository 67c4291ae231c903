//! Run history through the HTTP API, in process: a real axum server, a real SQLite file, real
//! workflow files, and a stand-in API on loopback that counts the requests it gets, so each
//! test can prove which nodes ran again and which did not. Waits are on the live stream or on
//! `?wait=true`, never on sleeps.

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

const MINUTE: Duration = Duration::from_secs(60);

/// The stand-in API: requests counted by path; `/crm` fails with 503 until `healthy`.
#[derive(Clone, Default)]
struct Api {
    hits: Arc<Mutex<HashMap<String, u64>>>,
    healthy: Arc<AtomicBool>,
}

impl Api {
    fn hit(&self, path: &str) -> u64 {
        let mut hits = self.hits.lock().unwrap();
        let n = hits.entry(path.to_string()).or_default();
        *n += 1;
        *n
    }

    fn hits(&self, path: &str) -> u64 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    async fn start(&self) -> String {
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

struct Served {
    app: App,
    base: String,
    http: reqwest::Client,
    _data: tempfile::TempDir,
    workflows: tempfile::TempDir,
}

fn workflow(id: &str, api: &str, nodes: Value, edges: &[(&str, &str, &str)]) -> Value {
    let edges: Vec<Value> = edges
        .iter()
        .map(|(from, port, to)| json!({"from": from, "from_port": port, "to": to}))
        .collect();
    json!({"schema_version": 1, "id": id, "name": id, "vars": {"api": api},
           "nodes": nodes, "edges": edges})
}

fn write(dir: &Path, wf: &Value) {
    let id = wf["id"].as_str().unwrap();
    std::fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_string_pretty(wf).unwrap(),
    )
    .unwrap();
}

/// Captured run log lines need the layer in this process's subscriber.
fn capture_run_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(switchyard_app::run_logs::layer());
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

async fn serve(workflows: &[Value]) -> Served {
    capture_run_logs();
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for wf in workflows {
        write(dir.path(), wf);
    }
    std::fs::write(
        dir.path().join("workspace.json"),
        r#"{"network": {"allowed_hosts": ["127.0.0.1"]}}"#,
    )
    .unwrap();
    let mut config = AppConfig::new(data.path(), dir.path());
    config.watch_interval = None;
    let app = App::start(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = switchyard_server::router(app.clone(), ServerOptions::default());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Served {
        app,
        base,
        http: reqwest::Client::new(),
        _data: data,
        workflows: dir,
    }
}

impl Served {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Posts to a webhook, waits for its run to be stored, and reads it (with its journal).
    async fn hook(&self, path: &str, payload: Value) -> Value {
        let mut live = self.app.subscribe();
        let (status, body) = self.post(&format!("/hooks/{path}"), payload).await;
        assert_eq!(status, 202, "{body}");
        let event = body["event_id"].as_str().unwrap().to_string();
        let run = wait_for_run(&mut live, |r| r.event_id.as_deref() == Some(&event), MINUTE)
            .await
            .expect("the run is stored");
        self.get(&format!("/api/runs/{}", run.id)).await
    }

    async fn replace(&self, wf: &Value) {
        write(self.workflows.path(), wf);
        self.app.reload().await.unwrap();
    }
}

fn node<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["journal"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id} in {run}"))
}

/// hook -> lookup (GET /lookup) -> score (Set) -> crm (POST `crm_path`).
fn leads(api: &str, crm_path: &str) -> Value {
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

#[tokio::test]
async fn a_retry_resumes_at_the_failed_node_on_the_original_or_the_current_version() {
    let api = Api::default();
    let base = api.start().await;
    let s = serve(&[leads(&base, "/crm")]).await;

    let first = s.hook("lead", json!({"email": "ada@example.com"})).await;
    assert_eq!(
        (first["status"].as_str(), first["failed_node"].as_str()),
        (Some("failed"), Some("crm"))
    );
    assert_eq!(first["origin"], "webhook");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 1));
    let id = first["id"].as_str().unwrap();

    // Still failing: the retry calls the CRM again, and nothing before it.
    let (status, body) = s
        .post(
            &format!("/api/runs/{id}/retry?wait=true"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run"]["status"], "failed");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 2));
    let retry = s
        .get(&format!("/api/runs/{}", body["run_id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (retry["origin"].as_str(), retry["origin_run"].as_str()),
        (Some("retry"), Some(id))
    );
    assert_eq!(node(&retry, "lookup")["pinned"], true);
    assert_eq!(
        node(&retry, "score")["output"],
        node(&first, "score")["output"]
    );
    assert!(node(&retry, "crm").get("pinned").is_none());

    // Healthy now: the retry succeeds and the dead letter the first run left is done.
    assert_eq!(
        s.get("/api/dead-letters").await.as_array().unwrap().len(),
        1
    );
    api.healthy.store(true, Ordering::SeqCst);
    let (_, body) = s
        .post(
            &format!("/api/runs/{id}/retry?wait=true"),
            json!({"version": "original"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "succeeded", "{body}");
    assert_eq!((api.hits("/lookup"), api.hits("/crm")), (1, 3));
    assert!(s
        .get("/api/dead-letters")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let (status, body) = s
        .post(
            &format!("/api/runs/{}/retry", body["run_id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("run_not_failed"))
    );

    // A new version sends leads to /crm2. A run of the old version fails; retried on the
    // original version it calls /crm again, on the current one /crm2.
    api.healthy.store(false, Ordering::SeqCst);
    let second = s.hook("lead", json!({"email": "bob@example.com"})).await;
    let second_id = second["id"].as_str().unwrap();
    assert_eq!(api.hits("/lookup"), 2);
    s.replace(&leads(&base, "/crm2")).await;
    let (_, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry?wait=true"),
            json!({"version": "original"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "failed");
    assert_eq!(body["run"]["workflow_version"], second["workflow_version"]);
    assert_eq!((api.hits("/crm"), api.hits("/crm2")), (5, 0));
    let (_, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry?wait=true"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(body["run"]["status"], "succeeded");
    assert_ne!(body["run"]["workflow_version"], second["workflow_version"]);
    assert_eq!(
        (api.hits("/crm"), api.hits("/crm2"), api.hits("/lookup")),
        (5, 1, 2)
    );

    // A version without the node "score" cannot resume that run: it says which node is missing.
    let mut without = leads(&base, "/crm2");
    without["nodes"].as_array_mut().unwrap().remove(2);
    without["edges"] = json!([{"from": "hook", "to": "lookup"}, {"from": "lookup", "to": "crm"}]);
    without["nodes"][2]["params"]["body"] = json!({"email": "{{ event.email }}"});
    s.replace(&without).await;
    let (status, body) = s
        .post(
            &format!("/api/runs/{second_id}/retry"),
            json!({"version": "current"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("nodes_missing")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("\"score\""));

    // A re-run runs everything again, on the current version.
    let (status, body) = s
        .post(&format!("/api/runs/{id}/rerun?wait=true"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["run"]["origin"].as_str(),
            body["run"]["status"].as_str()
        ),
        (Some("rerun"), Some("succeeded"))
    );
    assert_eq!(api.hits("/lookup"), 3);

    // The history's filters.
    let list = |q: &'static str| s.get(q);
    assert_eq!(
        list("/api/runs?workflow=leads")
            .await
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let ada: Vec<Value> = list("/api/runs?q=ADA@example")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        ada.len(),
        4,
        "the first run, its two retries and its re-run"
    );
    assert!(ada.iter().all(|r| r["event_id"] == first["event_id"]));
    assert_eq!(
        list("/api/runs?origin=retry&status=failed")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let derived = s.get(&format!("/api/runs?origin_run={id}")).await;
    assert_eq!(derived.as_array().unwrap().len(), 3);
    let (status, body) = s
        .call(reqwest::Method::POST, "/api/runs/run_nope/retry", None)
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

/// hook -> lookup -> each (For each over event.items, failed items skipped) -> item (GET
/// /item/{item}) -> gather -> summary.
fn enrich(api: &str) -> Value {
    workflow(
        "enrich",
        api,
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "enrich"}},
            {"id": "lookup", "kind": "http_request", "params": {"url": "{{ vars.api }}/lookup"}},
            {"id": "each", "kind": "for_each", "params": {"items": "{{ event.items }}", "on_item_error": "skip"}},
            {"id": "item", "kind": "http_request", "params": {"url": "{{ vars.api }}/item/{{ item }}"}},
            {"id": "gather", "kind": "collect"},
            {"id": "summary", "kind": "set", "params": {"fields": {
                "company": "{{ nodes.lookup.body.company }}", "seen": "{{ input.items | map(attribute='body') | list }}",
                "skipped": "{{ input.skipped | length }}"}}}
        ]),
        &[
            ("hook", "out", "lookup"),
            ("lookup", "out", "each"),
            ("each", "item", "item"),
            ("item", "out", "gather"),
            ("gather", "out", "summary"),
        ],
    )
}

#[tokio::test]
async fn a_replay_calls_nothing_and_gives_the_same_outputs() {
    let api = Api::default();
    let base = api.start().await;
    let s = serve(&[enrich(&base)]).await;
    let original = s.hook("enrich", json!({"items": ["a", "bad", "c"]})).await;
    assert_eq!(original["status"], "succeeded", "{original}");
    assert_eq!((api.hits("/lookup"), api.hits("/item")), (1, 3));
    let id = original["id"].as_str().unwrap();

    let (status, body) = s.post(&format!("/api/runs/{id}/replay"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (api.hits("/lookup"), api.hits("/item")),
        (1, 3),
        "nothing was called"
    );
    let cmp = &body["comparison"];
    assert_eq!(cmp["same_outcome"], true, "{cmp}");
    assert_eq!(cmp["same_output"], true);
    let replay = s
        .get(&format!(
            "/api/runs/{}",
            body["run"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (replay["origin"].as_str(), replay["origin_run"].as_str()),
        (Some("replay"), Some(id))
    );
    assert_eq!(node(&replay, "item")["pinned"], true);
    assert_eq!(
        node(&replay, "summary")["output"],
        node(&original, "summary")["output"]
    );
    assert_eq!(
        node(&replay, "summary")["output"]["skipped"],
        1,
        "the failed item, replayed"
    );
    let replays = s.get("/api/runs?origin=replay").await;
    assert_eq!(replays.as_array().unwrap().len(), 1);

    // A re-run calls out again: the answers carry new counts, which the comparison shows.
    let (_, rerun) = s
        .post(&format!("/api/runs/{id}/rerun?wait=true"), json!({}))
        .await;
    assert_eq!((api.hits("/lookup"), api.hits("/item")), (2, 6));
    let b = rerun["run_id"].as_str().unwrap();
    let cmp = s.get(&format!("/api/runs/compare?a={id}&b={b}")).await;
    assert_eq!(cmp["same_outcome"], false);
    let lookup = cmp["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "lookup")
        .unwrap();
    assert_eq!(lookup["output_differs"], true);
    assert_eq!(
        lookup["differences"],
        json!([{"path": "body.n", "a": 1, "b": 2}])
    );
    let hook = cmp["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "hook")
        .unwrap();
    assert_eq!(
        (
            hook["status_differs"].as_bool(),
            hook["output_differs"].as_bool()
        ),
        (Some(false), Some(false))
    );
}

#[tokio::test]
async fn a_runs_log_lines_carry_its_id_and_no_secret_value() {
    let api = Api::default();
    let base = api.start().await;
    let wf = workflow(
        "secretive",
        &base,
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "secretive"}},
            {"id": "call", "kind": "http_request", "params": {"method": "POST",
                "url": "{{ vars.api }}/echo-auth", "auth": "bearer", "auth_secret": "api_token"},
             "retry": {"max_attempts": 2, "backoff_ms": 1, "max_backoff_ms": 1}}
        ]),
        &[("hook", "out", "call")],
    );
    let s = serve(&[wf, leads(&base, "/crm")]).await;
    let secret = "tok-7Hq2-very-secret";
    let (status, _) = s
        .call(
            reqwest::Method::PUT,
            "/api/secrets/api_token",
            Some(json!({"value": secret})),
        )
        .await;
    assert!((200..300).contains(&status), "{status}");
    let run = s.hook("secretive", json!({})).await;
    assert_eq!(
        (run["status"].as_str(), api.hits("/echo-auth")),
        (Some("failed"), 2)
    );
    let other = s.hook("lead", json!({"email": "x@example.com"})).await;

    let logs = s
        .get(&format!("/api/runs/{}/logs", run["id"].as_str().unwrap()))
        .await;
    let text = logs.to_string();
    assert!(!text.contains(secret), "{text}");
    let lines = logs["lines"].as_array().unwrap();
    let retrying = lines
        .iter()
        .find(|l| l["fields"]["attempt"] == "1")
        .expect("the retry is logged");
    assert_eq!(
        (
            retrying["fields"]["node"].as_str(),
            retrying["fields"]["code"].as_str()
        ),
        (Some("call"), Some("http_status"))
    );
    let failed = lines
        .iter()
        .find(|l| l["message"].as_str().unwrap().contains("\"call\" failed"))
        .unwrap();
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("Bearer [secret api_token]"),
        "{failed}"
    );
    assert!(
        lines.iter().all(|l| l["fields"]["node"] != "crm"),
        "only this run's lines"
    );
    let other_logs = s
        .get(&format!("/api/runs/{}/logs", other["id"].as_str().unwrap()))
        .await;
    let crm = other_logs["lines"].as_array().unwrap();
    assert!(
        !crm.is_empty() && crm.iter().all(|l| l["fields"]["node"] == "crm"),
        "{other_logs}"
    );
}

#[tokio::test]
async fn metrics_count_the_runs_of_the_window() {
    let api = Api::default();
    let base = api.start().await;
    let s = serve(&[leads(&base, "/crm")]).await;
    let mut failed = Vec::new();
    for i in 0..5 {
        api.healthy.store(i % 2 == 0, Ordering::SeqCst);
        let run = s
            .hook("lead", json!({"email": format!("{i}@example.com")}))
            .await;
        if run["status"] == "failed" {
            failed.push(run["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(failed.len(), 2);
    // A replay is not counted.
    let (status, _) = s
        .post(&format!("/api/runs/{}/replay", failed[0]), json!({}))
        .await;
    assert_eq!(status, 200);
    let m = s.get("/api/metrics?workflow=leads&window=1h").await;
    assert_eq!(
        (
            m["runs"].as_i64(),
            m["succeeded"].as_i64(),
            m["failed"].as_i64()
        ),
        (Some(5), Some(3), Some(2))
    );
    assert_eq!(m["success_rate"], 0.6);
    assert_eq!(
        m["failures_by_node"],
        json!([{"node": "crm", "failures": 2}])
    );
    assert_eq!(m["bucket_ms"], 60_000);
    let buckets = m["buckets"].as_array().unwrap();
    assert!((60..=61).contains(&buckets.len()), "{}", buckets.len());
    assert_eq!(
        buckets
            .iter()
            .map(|b| b["runs"].as_i64().unwrap())
            .sum::<i64>(),
        5
    );
    assert!(m["p50_ms"].as_f64().unwrap() <= m["p95_ms"].as_f64().unwrap());
    let (status, body) = s
        .call(reqwest::Method::GET, "/api/metrics?window=2y", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn a_retry_after_a_loop_gives_the_loops_result_without_running_it_again() {
    let api = Api::default();
    let base = api.start().await;
    let mut wf = enrich(&base);
    wf["nodes"].as_array_mut().unwrap().push(json!(
        {"id": "notify", "kind": "http_request", "params": {"method": "POST", "url": "{{ vars.api }}/crm",
         "body": {"seen": "{{ input.seen | length }}"}}}
    ));
    wf["edges"]
        .as_array_mut()
        .unwrap()
        .push(json!({"from": "summary", "to": "notify"}));
    let s = serve(&[wf]).await;
    let first = s.hook("enrich", json!({"items": ["a", "b"]})).await;
    assert_eq!(first["failed_node"], "notify", "{first}");
    assert_eq!((api.hits("/item"), api.hits("/crm")), (2, 1));
    api.healthy.store(true, Ordering::SeqCst);
    let id = first["id"].as_str().unwrap();
    let (_, body) = s
        .post(&format!("/api/runs/{id}/retry?wait=true"), json!({}))
        .await;
    assert_eq!(body["run"]["status"], "succeeded", "{body}");
    assert_eq!(
        (api.hits("/item"), api.hits("/lookup"), api.hits("/crm")),
        (2, 1, 2)
    );
    let retry = s
        .get(&format!("/api/runs/{}", body["run_id"].as_str().unwrap()))
        .await;
    assert_eq!(
        node(&retry, "gather")["output"],
        node(&first, "gather")["output"]
    );
    assert_eq!(node(&retry, "each")["pinned"], true);
    assert_eq!(
        node(&retry, "item")["status"],
        "skipped",
        "the body did not run"
    );
}
