//! The engine the desktop app owns, without a window: first start, a taken port, a clean stop.

use std::net::SocketAddr;

use switchyard_desktop_lib::{Backend, Places};

fn places(root: &std::path::Path) -> Places {
    Places {
        data_dir: root.join("data"),
        workflows_dir: root.join("data").join("workflows"),
        seed_templates: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_on_a_taken_port_serves_the_templates_elsewhere_then_stops_cleanly() {
    let root = tempfile::tempdir().unwrap();
    // Someone else has the port the app asks for.
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wanted: SocketAddr = taken.local_addr().unwrap();

    let backend = Backend::start(places(root.path()), wanted).await;
    let app = backend.app().expect("the engine starts");
    let mut ids: Vec<String> = app.list_workflows().into_iter().map(|w| w.id).collect();
    ids.sort();
    assert_eq!(
        ids,
        ["content-pipeline", "lead-processing", "order-followup"],
        "the first start copies the templates"
    );
    assert!(root
        .path()
        .join("data/workflows/lead-processing.json")
        .is_file());

    let addr = backend.server_addr.expect("the server listens");
    assert_ne!(addr, wanted, "a free port instead of the taken one");
    assert!(addr.ip().is_loopback());
    let url = backend.server_url().unwrap();
    let health: serde_json::Value = reqwest::get(format!("{url}/api/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["workflows"], 3);
    let accepted = reqwest::Client::new()
        .post(format!("{url}/hooks/lead-form"))
        .json(&serde_json::json!({"email": "a@example.com", "budget": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.status(),
        202,
        "webhooks are received while the app runs"
    );

    backend.stop().await;
    backend.stop().await; // a second stop does nothing
    assert!(
        reqwest::get(format!("{url}/api/health")).await.is_err(),
        "the server is closed"
    );
    assert!(
        !root.path().join("data/switchyard.db-wal").exists(),
        "the database is closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_app_on_the_same_data_reports_why_it_cannot_start() {
    let root = tempfile::tempdir().unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let first = Backend::start(places(root.path()), any).await;
    assert!(first.app().is_ok());
    let second = Backend::start(places(root.path()), any).await;
    let error = second.app().err().expect("the data folder is taken");
    assert_eq!(error.code, "data_dir_locked");
    second.stop().await;
    first.stop().await;
}
