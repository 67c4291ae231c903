//! Webhook runs that start before their event is stored (`App::run_first`): a run needing
//! nothing outside the process is stored with its event, a run that calls out has its event
//! stored first, and repeated deliveries run once. A real axum server on loopback, a real SQLite
//! file, a stand-in API that holds its requests; no sleeps.

mod support;

use serde_json::{json, Value};
use support::{echo_workflow, serve_with as serve, stored_run, workflow_file as workflow};
use switchyard_server::ServerOptions;

/// A run that needs nothing outside the process is stored in the same commit as its event:
/// when the 202 arrives, the run is there, its job done (or a dead letter when it failed). A run
/// that calls out has its event stored first: the 202 does not wait for the call, and nothing
/// is called before the event is stored.
#[tokio::test]
async fn a_run_needing_nothing_outside_is_stored_with_its_event_and_a_call_out_is_not_waited_for() {
    // A stand-in API that holds each request until the test releases it.
    let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let (arrived_tx, mut arrived) = tokio::sync::mpsc::unbounded_channel::<()>();
    let api = {
        let release = release.clone();
        axum::Router::new().route(
            "/slow",
            axum::routing::post(move || {
                let (release, arrived_tx) = (release.clone(), arrived_tx.clone());
                async move {
                    let _ = arrived_tx.send(());
                    release.acquire().await.unwrap().forget();
                    axum::Json(json!({"ok": true}))
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_url = format!("http://{}/slow", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await });
    let mut calls = workflow(
        "calls",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "calls"}},
            {"id": "call", "kind": "http_request", "params": {"method": "POST", "url": "{{ vars.api }}", "body": {"n": "{{ event.n }}"}}},
            {"id": "after", "kind": "set", "params": {"fields": {"ok": "{{ nodes.call.body.ok }}"}}}
        ]),
        &[("hook", "out", "call"), ("call", "out", "after")],
    );
    calls["vars"] = json!({"api": api_url});
    let strict = workflow(
        "strict",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "strict"}},
            {"id": "shape", "kind": "set", "params": {"fields": {"n": "{{ event.missing.n }}"}}}
        ]),
        &[("hook", "out", "shape")],
    );
    let s = serve(&[echo_workflow(), calls, strict], ServerOptions::default()).await;

    // Rules only: stored with its run; no waiting for the live stream.
    for n in 0..20 {
        let (status, body) = s.post("/hooks/in", &json!({"n": n})).await;
        assert_eq!(status, 202, "{body}");
        let detail = s.event(body["event_id"].as_str().unwrap()).await;
        assert_eq!(detail["runs"].as_array().unwrap().len(), 1, "{detail}");
        assert_eq!(detail["runs"][0]["status"], "succeeded");
        assert_eq!(detail["runs"][0]["origin"], "webhook");
        assert_eq!(detail["jobs"][0]["status"], "done");
        let run = s
            .get(&format!(
                "/api/runs/{}",
                detail["runs"][0]["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(run["journal"]["nodes"][1]["output"]["n"], n * 2);
    }

    // A failure is a dead letter at once, and can be retried.
    let (status, body) = s.post("/hooks/strict", &json!({"n": 1})).await;
    assert_eq!(status, 202, "{body}");
    let detail = s.event(body["event_id"].as_str().unwrap()).await;
    assert_eq!(detail["runs"][0]["status"], "failed");
    assert_eq!(detail["jobs"][0]["status"], "dead");
    let dead = s.get("/api/dead-letters").await;
    assert_eq!(dead[0]["event"]["id"], body["event_id"]);
    let job = dead[0]["job"]["id"].as_i64().unwrap();
    let (status, again) = s
        .post(&format!("/api/dead-letters/{job}/retry"), &json!({}))
        .await;
    assert_eq!(
        (status, again["attempts"].as_i64()),
        (200, Some(2)),
        "{again}"
    );

    // A call out: the 202 comes while the call is held, with the event stored and its job open.
    let mut live = s.app.subscribe();
    let (status, body) = s.post("/hooks/calls", &json!({"n": 5})).await;
    assert_eq!(status, 202, "{body}");
    let event_id = body["event_id"].as_str().unwrap().to_string();
    arrived.recv().await.expect("the call is made");
    let detail = s.event(&event_id).await;
    assert_eq!(detail["jobs"][0]["status"], "leased", "{detail}");
    assert!(detail["runs"].as_array().unwrap().is_empty());
    release.add_permits(1);
    let run = stored_run(&mut live, &event_id).await;
    assert_eq!(run.status, "succeeded");
    let detail = s.event(&event_id).await;
    assert_eq!(detail["jobs"][0]["status"], "done");
    assert_eq!(detail["jobs"].as_array().unwrap().len(), 1);

    // Repeated deliveries (Idempotency-Key) on both paths: the first event's id, one run, and
    // the call made once.
    let keyed = |path: &'static str, key: &'static str| {
        s.http
            .post(format!("{}{path}", s.base))
            .header("Idempotency-Key", key)
            .json(&json!({"n": 9}))
            .send()
    };
    let first: Value = keyed("/hooks/in", "in-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again: Value = keyed("/hooks/in", "in-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["event_id"], again["event_id"]);
    assert_eq!(
        (first["duplicate"].as_bool(), again["duplicate"].as_bool()),
        (Some(false), Some(true))
    );
    let detail = s.event(first["event_id"].as_str().unwrap()).await;
    assert_eq!(detail["runs"].as_array().unwrap().len(), 1, "{detail}");
    let first: Value = keyed("/hooks/calls", "calls-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    arrived.recv().await.expect("the first delivery's call");
    let again: Value = keyed("/hooks/calls", "calls-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["event_id"], again["event_id"]);
    assert_eq!(again["duplicate"].as_bool(), Some(true));
    let event_id = first["event_id"].as_str().unwrap().to_string();
    release.add_permits(1);
    stored_run(&mut live, &event_id).await;
    let detail = s.event(&event_id).await;
    assert_eq!(detail["runs"].as_array().unwrap().len(), 1);
    assert!(arrived.try_recv().is_err(), "the repeat made no call");
}
