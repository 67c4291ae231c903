//! `switchyard secrets` and a run that uses a secret: the value reaches the server it is meant
//! for, and no file under the data folder or the workspace, nor the run's output, holds it.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::post;
use axum::{extract::State, Json as AxJson, Router};
use serde_json::{json, Value as Json};

const TOKEN: &str = "crm-token-7d1e0a9c55";

fn secrets(data: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("secrets")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("SWITCHYARD_MASTER_KEY")
        .env_remove("SWITCHYARD_MASTER_KEY_FILE")
        .env("SWITCHYARD_KEYCHAIN", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            hits.extend(files_holding(&p, needle));
        } else if std::fs::read(&p)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(p.display().to_string());
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_secret_authenticates_a_run_and_is_never_written_in_clear() {
    let data = tempfile::tempdir().unwrap();
    let out = secrets(
        data.path(),
        &["set", "crm_token"],
        Some(&format!("{TOKEN}\n")),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("stored secret crm_token"));
    let out = secrets(data.path(), &["list", "--json"], None);
    let listed: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["secrets"][0]["name"], "crm_token");
    assert!(listed["key_source"]
        .as_str()
        .unwrap()
        .contains("master.key"));

    // A CRM stand-in that echoes the Authorization header back (as careless APIs do).
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let app = Router::new()
        .route(
            "/leads",
            post(
                |State(s): State<Arc<Mutex<Vec<String>>>>, h: HeaderMap| async move {
                    let auth = h
                        .get("authorization")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_string();
                    s.lock().unwrap().push(auth.clone());
                    AxJson(json!({"received_auth": auth}))
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/leads", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("workspace.json"),
        r#"{"network": {"allowed_hosts": ["127.0.0.1"]}}"#,
    )
    .unwrap();
    let wf = json!({
        "schema_version": 1, "id": "auth", "name": "auth",
        "nodes": [
            {"id": "start", "kind": "manual_trigger"},
            {"id": "crm", "kind": "http_request", "params": {"method": "POST", "url": url,
             "auth": "bearer", "auth_secret": "crm_token", "body": {"a": 1}}}
        ],
        "edges": [{"from": "start", "from_port": "out", "to": "crm", "to_port": "in"}]
    });
    let file = ws.path().join("auth.json");
    std::fs::write(&file, wf.to_string()).unwrap();
    let (file_arg, data_arg) = (
        file.display().to_string(),
        data.path().display().to_string(),
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["run", &file_arg, "--json", "--data-dir", &data_arg])
            .env_remove("SWITCHYARD_MASTER_KEY")
            .env("SWITCHYARD_KEYCHAIN", "off")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = common::stdout(&out);
    assert!(out.status.success(), "{text}{}", common::stderr(&out));
    assert_eq!(*seen.lock().unwrap(), [format!("Bearer {TOKEN}")]);
    assert!(
        !text.contains(TOKEN),
        "the run's output holds the token: {text}"
    );
    assert!(text.contains("[secret crm_token]"), "{text}");

    assert_eq!(files_holding(data.path(), TOKEN), Vec::<String>::new());
    assert_eq!(files_holding(ws.path(), TOKEN), Vec::<String>::new());

    let out = secrets(data.path(), &["delete", "crm_token"], None);
    assert!(out.status.success());
    let out = secrets(data.path(), &["delete", "crm_token"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("not_found"));
}
