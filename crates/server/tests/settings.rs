//! Secrets and workspace settings through the HTTP API, with a real App and SQLite on disk.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use support::Served;
use switchyard_server::ServerOptions;

async fn serve() -> Served {
    support::start(ServerOptions::default(), |_| {}).await
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get_text(&self, path: &str) -> String {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.text().await.unwrap()
    }

    async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn delete(&self, path: &str) -> u16 {
        let r = self.http.delete(self.url(path)).send().await.unwrap();
        r.status().as_u16()
    }
}

fn files_contain(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            hits.extend(files_contain(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test]
async fn secrets_go_in_encrypted_and_only_their_names_come_out() {
    let s = serve().await;
    let listed: Value = s.get("/api/secrets").await;
    assert_eq!(listed["secrets"], json!([]));

    let value = "sk-live-do-not-leak-5c1e";
    let r = s
        .put("/api/secrets/OPENAI_KEY", &json!({"value": value}))
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let r = s
        .put("/api/secrets/bad%20name", &json!({"value": "x"}))
        .await;
    assert_eq!(r.status().as_u16(), 400);

    let text = s.get_text("/api/secrets").await;
    let listed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(listed["secrets"][0]["name"], "OPENAI_KEY");
    assert!(listed["key_source"].as_str().unwrap().contains("key file"));
    assert!(!text.contains(value));
    // The engine sees it; no file under the data folder or the workspace holds it in clear.
    assert_eq!(s.app.secret("OPENAI_KEY").as_deref(), Some(value));
    s.app.shutdown().await;
    assert_eq!(files_contain(s.data.path(), value), Vec::<String>::new());
    assert_eq!(
        files_contain(s.workflows.path(), value),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn deleting_a_secret_takes_it_away_from_runs() {
    let s = serve().await;
    s.app.set_secret("CRM_TOKEN", "tok-123456").unwrap();
    assert!(s.app.secret("CRM_TOKEN").is_some());
    assert_eq!(s.delete("/api/secrets/CRM_TOKEN").await, 204);
    assert!(s.app.secret("CRM_TOKEN").is_none());
    assert_eq!(s.delete("/api/secrets/CRM_TOKEN").await, 404);
}

#[tokio::test]
async fn workspace_settings_are_saved_checked_and_a_broken_file_keeps_the_last_good_ones() {
    let s = serve().await;
    let ws: Value = s.get("/api/workspace").await;
    assert_eq!(ws["settings"]["network"]["allow_private_networks"], false);

    let settings = json!({
        "schema_version": 1,
        "ai_providers": [{"id": "local", "base_url": "http://127.0.0.1:11434/v1", "model": "llama3.2"}],
        "network": {"allow_private_networks": true}
    });
    let r = s.put("/api/workspace", &settings).await;
    assert_eq!(r.status().as_u16(), 200);
    let on_disk = std::fs::read_to_string(s.workflows.path().join("workspace.json")).unwrap();
    assert!(on_disk.contains("\"llama3.2\""));
    // The workspace file is not a workflow.
    let workflows: Value = s.get("/api/workflows").await;
    assert_eq!(workflows, json!([]));

    // A password inside a database URL is refused, and nothing is written.
    let r = s
        .put(
            "/api/workspace",
            &json!({"databases": [{"id": "crm", "url": "postgres://u:secret@db/crm"}]}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "password_in_url");
    assert_eq!(
        std::fs::read_to_string(s.workflows.path().join("workspace.json")).unwrap(),
        on_disk
    );

    // A hand edit that breaks the file: the last good settings stay, the problem is shown.
    std::fs::write(s.workflows.path().join("workspace.json"), "{ broken").unwrap();
    let ws = s.app.workspace();
    assert!(ws.error.is_some());
    assert_eq!(ws.settings.ai_providers[0].id, "local");
    assert!(ws.settings.network.allow_private_networks);
}

#[tokio::test]
async fn a_run_that_uses_a_secret_stores_no_trace_of_its_value() {
    use axum::http::HeaderMap;
    use axum::routing::post;
    let secret = "tok-echoed-back-93b1f0";
    // An API that echoes the credentials back in its answer and its error.
    let api = axum::Router::new().route(
        "/echo",
        post(|h: HeaderMap| async move {
            let auth = h
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": format!("bad credentials: {auth}")})),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/echo", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await });

    let s = serve().await;
    std::fs::write(
        s.workflows.path().join("workspace.json"),
        r#"{"network": {"allowed_hosts": ["127.0.0.1"]}}"#,
    )
    .unwrap();
    let wf = json!({
        "schema_version": 1, "id": "echo", "name": "echo",
        "nodes": [
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "echo"}},
            {"id": "call", "kind": "http_request", "params": {"method": "POST", "url": url,
             "auth": "bearer", "auth_secret": "API_TOKEN", "body": {"x": 1}}}
        ],
        "edges": [{"from": "hook", "from_port": "out", "to": "call", "to_port": "in"}]
    });
    std::fs::write(s.workflows.path().join("echo.json"), wf.to_string()).unwrap();
    s.app.reload().await.unwrap();
    s.app.workspace();
    s.app.set_secret("API_TOKEN", secret).unwrap();

    let mut live = s.app.subscribe();
    let r: Value = s
        .http
        .post(format!("{}/hooks/echo", s.base))
        .json(&json!({"n": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event_id = r["event_id"].as_str().unwrap().to_string();
    let run = switchyard_app::wait_for_run(
        &mut live,
        |r| r.event_id.as_deref() == Some(&event_id),
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert_eq!(run.status, "failed");
    let detail = s.get_text(&format!("/api/runs/{}", run.id)).await;
    assert!(detail.contains("[secret API_TOKEN]"), "{detail}");
    assert!(!detail.contains(secret), "{detail}");
    s.app.shutdown().await;
    assert_eq!(files_contain(s.data.path(), secret), Vec::<String>::new());
    assert_eq!(
        files_contain(s.workflows.path(), secret),
        Vec::<String>::new()
    );
}
