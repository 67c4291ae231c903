//! `switchyard serve` as a real process: a fresh data folder, SIGTERM, and kill -9 while 16
//! clients post to a webhook — after a restart, every acknowledged event has exactly one
//! completed run.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

struct Server {
    child: Child,
    base: String,
}

/// A failing test must not leave its server running (it would also keep cargo's output open).
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `switchyard serve` on a free port and returns once it listens.
fn start(data: &Path, workflows: &Path) -> Server {
    start_with(
        Command::new(env!("CARGO_BIN_EXE_switchyard")),
        data,
        workflows,
    )
}

/// The same, pinned to one CPU (`taskset`): the server then runs its single-threaded scheduler.
fn start_on_one_core(data: &Path, workflows: &Path) -> Server {
    let mut taskset = Command::new("taskset");
    taskset
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_switchyard"));
    start_with(taskset, data, workflows)
}

fn start_with(mut command: Command, data: &Path, workflows: &Path) -> Server {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--durability", "full"])
        .arg("--data-dir")
        .arg(data)
        .arg("--workflows")
        .arg(workflows)
        .env(
            "SWITCHYARD_LOG",
            std::env::var("SWITCHYARD_TEST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server {
        child,
        base: format!("http://{addr}"),
    }
}

fn lead_workflows() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // The rule-based lead flow: no email or database, so every run can complete here.
    std::fs::copy(
        common::root().join("tests/fixtures/workflows/lead-scoring.json"),
        dir.path().join("lead-scoring.json"),
    )
    .unwrap();
    dir
}

fn cold_lead(i: usize) -> Value {
    json!({"name": format!("lead {i}"), "email": format!("lead{i}@uni.example"), "budget": 0, "message": "just browsing, student project"})
}

/// Waits (server-side long poll) until every run of the event is stored, and returns it.
async fn settled_event(http: &reqwest::Client, base: &str, id: &str) -> Value {
    http.get(format!("{base}/api/events/{id}?wait_ms=30000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_data_dir_accepts_the_lead_webhook_and_shows_the_completed_run() {
    let data = tempfile::tempdir().unwrap();
    let workflows = lead_workflows();
    // On one core (how the benchmark runs it), with everything on one thread.
    let mut server = start_on_one_core(&data.path().join("nested/new"), workflows.path());
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/hooks/lead-form", server.base))
        .json(&cold_lead(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let id = r.json::<Value>().await.unwrap()["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = settled_event(&http, &server.base, &id).await;
    assert_eq!(detail["runs"].as_array().unwrap().len(), 1, "{detail}");
    assert_eq!(detail["runs"][0]["status"], "succeeded");
    assert_eq!(detail["runs"][0]["workflow_id"], "lead-scoring");

    // A manual run from the CLI goes through the server and into the same history.
    let out = common::switchyard(&[
        "trigger",
        "lead-scoring",
        "--server",
        &server.base,
        "--wait",
        "--event",
        &cold_lead(2).to_string(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let manual: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(manual["run"]["status"], "succeeded");
    let out = common::switchyard(&["trigger", "nope", "--server", &server.base]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("not_found"));

    // SIGTERM: stops cleanly, closing the database (no WAL left behind).
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let db = data.path().join("nested/new/switchyard.db");
    assert!(db.exists());
    assert!(!data.path().join("nested/new/switchyard.db-wal").exists());

    // The CLI reads what serve stored.
    let out = common::switchyard(&[
        "events",
        "--json",
        "--data-dir",
        data.path().join("nested/new").to_str().unwrap(),
    ]);
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(events[1]["id"], id.as_str(), "newest first");
    assert_eq!(events[0]["source"], "manual");
    let out = common::switchyard(&[
        "runs",
        "--data-dir",
        data.path().join("nested/new").to_str().unwrap(),
    ]);
    let text = common::stdout(&out);
    assert!(
        text.contains("succeeded") && text.contains("lead-scoring"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_and_a_restart_every_acknowledged_event_has_exactly_one_completed_run() {
    let data = tempfile::tempdir().unwrap();
    let workflows = lead_workflows();
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    for round in 0..3 {
        // The middle round runs on one core: the single-threaded scheduler, killed under load.
        let mut server = if round == 1 {
            start_on_one_core(data.path(), workflows.path())
        } else {
            start(data.path(), workflows.path())
        };
        let stop = Arc::new(AtomicBool::new(false));
        let before = acked.lock().unwrap().len();
        let mut clients = Vec::new();
        for c in 0..16 {
            let (http, base, acked, stop) = (
                http.clone(),
                server.base.clone(),
                acked.clone(),
                stop.clone(),
            );
            clients.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let r = http
                        .post(format!("{base}/hooks/lead-form"))
                        .json(&cold_lead(round * 100_000 + c * 10_000 + i))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => {
                            let body: Value = match r.json().await {
                                Ok(b) => b,
                                Err(_) => break,
                            };
                            acked
                                .lock()
                                .unwrap()
                                .push(body["event_id"].as_str().unwrap().to_string());
                        }
                        // The server died under us: whatever was not acknowledged may be lost.
                        _ => break,
                    }
                }
            }));
        }
        // Let some work be acknowledged, then kill -9 in the middle of it.
        let mut live = reqwest::Client::new()
            .get(format!("{}/api/stream", server.base))
            .send()
            .await
            .unwrap();
        let mut stored = 0;
        while stored < 150 {
            let chunk = live.chunk().await.unwrap().expect("the stream stays open");
            stored += String::from_utf8_lossy(&chunk)
                .matches("run_stored")
                .count();
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.await.unwrap();
        }
        assert!(
            acked.lock().unwrap().len() > before,
            "round {round} acknowledged events"
        );
    }

    // Restart: the new process takes over the open jobs.
    let server = start(data.path(), workflows.path());
    let ids = acked.lock().unwrap().clone();
    let mut runs_seen = 0;
    let mut redelivered = 0;
    for id in &ids {
        let detail = settled_event(&http, &server.base, id).await;
        let runs = detail["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "event {id}: {detail}");
        assert_eq!(runs[0]["status"], "succeeded", "event {id}: {detail}");
        assert_eq!(detail["jobs"][0]["status"], "done");
        if detail["jobs"][0]["attempts"].as_i64() > Some(1) {
            redelivered += 1;
        }
        runs_seen += 1;
    }
    assert_eq!(runs_seen, ids.len());
    eprintln!(
        "{} acknowledged events over 3 kills; {redelivered} of them were run again after a kill",
        ids.len()
    );
    let health: Value = http
        .get(format!("{}/api/health", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["queue"]["open_jobs"], 0, "{health}");
    assert_eq!(health["queue"]["dead_letters"], 0, "{health}");
    drop(server);
}
