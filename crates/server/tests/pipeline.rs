//! The pipeline through its HTTP surface, in process: a real axum server on loopback, a real
//! SQLite file, real workflow files. Each test waits on the live stream or on HTTP answers,
//! never on sleeps.

mod support;

use serde_json::{json, Value};
use support::{
    echo_workflow, serve_with as serve, stored_run, workflow_file as workflow, write, Served,
    MINUTE,
};
use switchyard_app::{wait_for_run, App, AppConfig};
use switchyard_server::ServerOptions;

impl Served {
    async fn events_stored(&self) -> i64 {
        self.get("/api/health").await["queue"]["events"]
            .as_i64()
            .unwrap()
    }
}

#[tokio::test]
async fn a_webhook_event_is_acknowledged_then_run_and_both_are_stored() {
    let s = serve(&[echo_workflow()], ServerOptions::default()).await;
    let mut live = s.app.subscribe();
    let (status, body) = s.post("/hooks/in", &json!({"n": 21})).await;
    assert_eq!(status, 202, "{body}");
    let event_id = body["event_id"].as_str().unwrap().to_string();
    let run = stored_run(&mut live, &event_id).await;
    assert_eq!(run.status, "succeeded");
    let detail = s.event(&event_id).await;
    assert_eq!(detail["event"]["payload"]["n"], 21);
    assert_eq!(detail["runs"][0]["status"], "succeeded");
    assert_eq!(detail["jobs"][0]["status"], "done");
    let run = s.get(&format!("/api/runs/{}", run.id)).await;
    let shape = run["journal"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "shape")
        .unwrap()
        .clone();
    assert_eq!(shape["output"]["n"], 42);
    assert_eq!(shape["input_from"], "hook");
    let listed = s
        .get("/api/runs?workflow=echo&status=succeeded&limit=5")
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let workflows = s.get("/api/workflows").await;
    assert_eq!(workflows[0]["triggers"][0]["webhook_path"], "in");
    let r = s
        .http
        .get(format!("{}/api/health", s.base))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    // Webhook answers (which skip the router) carry them too, and a percent-encoded path
    // finds its webhook.
    let r = s
        .http
        .post(format!("{}/hooks/i%6E", s.base))
        .json(&json!({"n": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(r.headers()["content-security-policy"], csp);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn a_repeated_delivery_returns_the_first_event_and_runs_once() {
    let s = serve(&[echo_workflow()], ServerOptions::default()).await;
    let mut live = s.app.subscribe();
    let send = |key: &'static str| {
        s.http
            .post(format!("{}/hooks/in", s.base))
            .header("Idempotency-Key", key)
            .json(&json!({"n": 1}))
            .send()
    };
    let first: Value = send("order-1").await.unwrap().json().await.unwrap();
    let second: Value = send("order-1").await.unwrap().json().await.unwrap();
    assert_eq!(first["event_id"], second["event_id"]);
    assert_eq!(
        (first["duplicate"].as_bool(), second["duplicate"].as_bool()),
        (Some(false), Some(true))
    );
    let id = first["event_id"].as_str().unwrap().to_string();
    stored_run(&mut live, &id).await;
    let detail = s.event(&id).await;
    assert_eq!(detail["runs"].as_array().unwrap().len(), 1);
    assert_eq!(s.events_stored().await, 1);
}

#[tokio::test]
async fn bad_requests_get_4xx_and_store_nothing() {
    let mut hooked = echo_workflow();
    hooked["nodes"][0]["params"]["secret"] = json!("echo_signing");
    let s = serve(
        &[hooked],
        ServerOptions {
            max_body_bytes: 1024,
            ..ServerOptions::default()
        },
    )
    .await;
    // The signing key is a named secret, stored encrypted through the API.
    let r = s
        .http
        .put(format!("{}/api/secrets/echo_signing", s.base))
        .json(&json!({"value": "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let url = format!("{}/hooks/in", s.base);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signed = |body: &str, ts: i64| {
        let sig = switchyard_server::sign(
            "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=",
            "msg_1",
            ts,
            body.as_bytes(),
        );
        s.http
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", "msg_1")
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(body.to_string())
    };
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            signed(&format!("{{\"pad\":\"{}\"}}", "x".repeat(4000)), now),
            413,
            "payload_too_large",
        ),
        (
            s.http
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            415,
            "unsupported_media_type",
        ),
        (signed("{\"n\": 1,", now), 400, "invalid_json"),
        (signed("{\"n\": 1}", now - 3600), 401, "invalid_signature"),
        (
            s.http.post(&url).json(&json!({"n": 1})),
            401,
            "invalid_signature",
        ),
        (
            s.http
                .post(&url)
                .header("content-type", "application/json")
                .header("webhook-id", "msg_1")
                .header("webhook-timestamp", now.to_string())
                .header(
                    "webhook-signature",
                    "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                )
                .body("{\"n\": 1}"),
            401,
            "invalid_signature",
        ),
        (
            s.http
                .post(format!("{}/hooks/nope", s.base))
                .json(&json!({})),
            404,
            "unknown_webhook",
        ),
        (s.http.put(&url).json(&json!({})), 405, "method_not_allowed"),
        (
            s.http
                .post(format!("{}/hooks/%FF", s.base))
                .json(&json!({})),
            400,
            "invalid_path",
        ),
    ];
    for (req, status, code) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "expected {code}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(s.events_stored().await, 0, "nothing was stored");
    // The same request, signed properly, is accepted.
    let r = signed("{\"n\": 1}", now).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(s.events_stored().await, 1);
}

#[tokio::test]
async fn a_respond_node_answers_the_caller() {
    let wf = workflow(
        "answer",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "ask"}},
            {"id": "check", "kind": "condition", "params": {"condition": "event.age >= 18"}},
            {"id": "yes", "kind": "respond_webhook", "params": {"status": 201, "body": {"hello": "{{ event.name }}"}, "headers": {"x-decision": "accepted"}}},
            {"id": "no", "kind": "respond_webhook", "params": {"status": 422, "body": {"error": "too young"}}}
        ]),
        &[
            ("hook", "out", "check"),
            ("check", "true", "yes"),
            ("check", "false", "no"),
        ],
    );
    let s = serve(&[wf], ServerOptions::default()).await;
    let r = s
        .http
        .post(format!("{}/hooks/ask", s.base))
        .json(&json!({"name": "Ada", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(r.headers()["x-decision"], "accepted");
    assert!(r.headers().contains_key("x-switchyard-event-id"));
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"hello": "Ada"}));
    let (status, body) = s
        .post("/hooks/ask", &json!({"name": "Bo", "age": 12}))
        .await;
    assert_eq!((status, body), (422, json!({"error": "too young"})));
}

#[tokio::test]
async fn emitted_events_start_the_workflows_that_listen_and_filters_choose() {
    let producer = workflow(
        "producer",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "leads"}},
            {"id": "qualified", "kind": "emit_event", "params": {"event": "lead.qualified", "payload": {"email": "{{ event.email }}", "score": "{{ event.score }}"}}}
        ]),
        &[("hook", "out", "qualified")],
    );
    let hot = workflow(
        "hot-consumer",
        json!([
            {"id": "on_lead", "kind": "event_trigger", "params": {"event": "lead.qualified", "filter": "event.score >= 70"}},
            {"id": "tag", "kind": "set", "params": {"fields": {"who": "{{ event.email }}"}}}
        ]),
        &[("on_lead", "out", "tag")],
    );
    let all = workflow(
        "audit",
        json!([
            {"id": "on_lead", "kind": "event_trigger", "params": {"event": "lead.qualified"}},
            {"id": "note", "kind": "log", "params": {"message": "qualified {{ event.email }}"}}
        ]),
        &[("on_lead", "out", "note")],
    );
    let s = serve(&[producer, hot, all], ServerOptions::default()).await;
    let mut live = s.app.subscribe();
    let (status, _) = s
        .post("/hooks/leads", &json!({"email": "a@x.io", "score": 90}))
        .await;
    assert_eq!(status, 202);
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let run = wait_for_run(&mut live, |_| true, MINUTE)
            .await
            .expect("three runs");
        assert_eq!(run.status, "succeeded", "{run:?}");
        seen.push(run);
    }
    let mut names: Vec<&str> = seen.iter().map(|r| r.workflow_id.as_str()).collect();
    names.sort();
    assert_eq!(names, ["audit", "hot-consumer", "producer"]);
    // The chained event records the run that emitted it.
    let producer_run = seen.iter().find(|r| r.workflow_id == "producer").unwrap();
    let chained = seen.iter().find(|r| r.workflow_id == "audit").unwrap();
    let event = s.event(chained.event_id.as_ref().unwrap()).await;
    assert_eq!(event["event"]["parent_run"], producer_run.id.as_str());
    assert_eq!(event["event"]["name"], "lead.qualified");
    assert_eq!(event["event"]["depth"], 1);

    // A cold lead: only the audit listens.
    let (_, body) = s
        .post("/hooks/leads", &json!({"email": "b@x.io", "score": 10}))
        .await;
    let first = body["event_id"].as_str().unwrap().to_string();
    let p = stored_run(&mut live, &first).await;
    let a = wait_for_run(&mut live, |r| r.workflow_id == "audit", MINUTE)
        .await
        .unwrap();
    let chained = s.event(&a.event_id.unwrap()).await;
    assert_eq!(chained["event"]["parent_run"], p.id.as_str());
    assert_eq!(
        chained["jobs"].as_array().unwrap().len(),
        1,
        "the hot consumer's filter said no"
    );
}

#[tokio::test]
async fn a_failed_run_goes_to_dead_letters_and_a_retry_runs_it_again() {
    // A stand-in CRM that fails until it is switched on.
    let healthy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let crm = {
        let healthy = healthy.clone();
        let calls = calls.clone();
        axum::Router::new().route(
            "/leads",
            axum::routing::post(move || {
                let healthy = healthy.clone();
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if healthy.load(std::sync::atomic::Ordering::SeqCst) {
                        (axum::http::StatusCode::CREATED, "{}")
                    } else {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "{}")
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let crm_url = format!("http://{}/leads", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, crm).await });
    let mut wf = workflow(
        "to-crm",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "lead"}},
            {"id": "crm", "kind": "http_request", "params": {"method": "POST", "url": "{{ vars.crm }}", "body": {"email": "{{ event.email }}"}},
             "retry": {"max_attempts": 3, "backoff_ms": 5, "max_backoff_ms": 20}}
        ]),
        &[("hook", "out", "crm")],
    );
    wf["vars"] = json!({"crm": crm_url});
    let s = serve(&[wf], ServerOptions::default()).await;
    let mut live = s.app.subscribe();
    let (_, body) = s.post("/hooks/lead", &json!({"email": "a@x.io"})).await;
    let event_id = body["event_id"].as_str().unwrap().to_string();
    let run = stored_run(&mut live, &event_id).await;
    assert_eq!(run.status, "failed");
    assert_eq!(run.failed_node.as_deref(), Some("crm"));
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "the node's retry policy ran"
    );
    let dead = s.get("/api/dead-letters").await;
    assert_eq!(dead.as_array().unwrap().len(), 1);
    assert_eq!(dead[0]["event"]["id"], event_id.as_str());
    assert!(dead[0]["job"]["last_error"]
        .as_str()
        .unwrap()
        .contains("crm"));
    let job = dead[0]["job"]["id"].as_i64().unwrap();

    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    let (status, body) = s
        .post(&format!("/api/dead-letters/{job}/retry"), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let run = stored_run(&mut live, &event_id).await;
    assert_eq!(run.status, "succeeded");
    assert!(s
        .get("/api/dead-letters")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let detail = s.event(&event_id).await;
    assert_eq!(
        detail["runs"].as_array().unwrap().len(),
        2,
        "both runs are in the history"
    );
    assert_eq!(detail["jobs"][0]["status"], "done");

    // Discarding: a second failure, thrown away.
    healthy.store(false, std::sync::atomic::Ordering::SeqCst);
    let (_, body) = s.post("/hooks/lead", &json!({"email": "b@x.io"})).await;
    let second = body["event_id"].as_str().unwrap().to_string();
    stored_run(&mut live, &second).await;
    let job = s.get("/api/dead-letters").await[0]["job"]["id"]
        .as_i64()
        .unwrap();
    let (status, _) = s
        .post(&format!("/api/dead-letters/{job}/discard"), &json!({}))
        .await;
    assert_eq!(status, 200);
    assert!(s
        .get("/api/dead-letters")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let (status, body) = s
        .post(&format!("/api/dead-letters/{job}/retry"), &json!({}))
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn a_schedule_fires_and_its_run_is_stored() {
    let wf = workflow(
        "ticker",
        json!([
            {"id": "every_second", "kind": "schedule_trigger", "params": {"cron": "* * * * * *", "timezone": "Europe/Paris", "payload": {"job": "tick"}}},
            {"id": "note", "kind": "log", "params": {"message": "tick {{ event.scheduled_for }}"}}
        ]),
        &[("every_second", "out", "note")],
    );
    let s = serve(&[wf], ServerOptions::default()).await;
    let mut live = s.app.subscribe();
    let run = wait_for_run(&mut live, |r| r.workflow_id == "ticker", MINUTE)
        .await
        .expect("the schedule fired");
    assert_eq!(run.status, "succeeded");
    let event = s.event(&run.event_id.unwrap()).await;
    assert_eq!(event["event"]["source"], "schedule");
    assert_eq!(event["event"]["payload"]["job"], "tick");
    assert!(event["event"]["payload"]["scheduled_for"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
}

#[tokio::test]
async fn a_missed_schedule_runs_once_on_start_when_asked_and_is_skipped_otherwise() {
    let yearly = |id: &str, missed: &str| {
        workflow(
            id,
            json!([
                {"id": "new_year", "kind": "schedule_trigger", "params": {"cron": "0 0 1 1 *", "missed": missed}},
                {"id": "note", "kind": "log", "params": {"message": "happy new year"}}
            ]),
            &[("new_year", "out", "note")],
        )
    };
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &yearly("catch-up", "run_once"));
    write(dir.path(), &yearly("no-catch-up", "skip"));
    // Both last fired two years ago: a New Year went by while nothing was running.
    {
        let store = switchyard_store::Store::open(switchyard_store::StoreConfig::new(data.path()))
            .await
            .unwrap();
        let two_years_ago = switchyard_store::now_ms() - 2 * 365 * 24 * 3600 * 1000;
        for id in ["catch-up", "no-catch-up"] {
            let e = switchyard_store::NewEvent {
                id: switchyard_store::new_id("evt"),
                name: "schedule.old".into(),
                source: switchyard_store::EventSource::Schedule,
                payload: json!({}),
                received_at: two_years_ago,
                idempotency_key: None,
                parent_run: None,
                depth: 0,
                targets: vec![],
            };
            store
                .accept_scheduled(e, id, "new_year", two_years_ago)
                .await
                .unwrap();
        }
        store.close().await;
    }
    let mut config = AppConfig::new(data.path(), dir.path());
    config.watch_interval = None;
    let app = App::start(config).await.unwrap();
    let mut live = app.subscribe();
    let run = wait_for_run(&mut live, |_| true, MINUTE)
        .await
        .expect("the missed run ran");
    assert_eq!(run.workflow_id, "catch-up");
    // The skipped one never ran: after the catch-up there is exactly one run in the store.
    app.shutdown().await;
    let store = switchyard_store::Store::open_reader(data.path())
        .await
        .unwrap();
    let runs = store.runs(&Default::default()).await.unwrap();
    assert_eq!(runs.len(), 1);
}

#[tokio::test]
async fn a_broken_edit_keeps_the_running_version_and_reports_diagnostics() {
    let s = serve(&[echo_workflow()], ServerOptions::default()).await;
    let mut broken = echo_workflow();
    broken["nodes"][1]["params"]["fields"]["n"] = json!("{{ event.n * }}");
    write(s.workflows.path(), &broken);
    s.app.reload().await.unwrap();
    let list = s.get("/api/workflows").await;
    assert_eq!(list[0]["active"], true, "the last good version still runs");
    assert_eq!(list[0]["diagnostics"][0]["code"], "expression_syntax");
    let mut live = s.app.subscribe();
    let (_, body) = s.post("/hooks/in", &json!({"n": 2})).await;
    let id = body["event_id"].as_str().unwrap().to_string();
    let run = stored_run(&mut live, &id).await;
    assert_eq!(run.status, "succeeded");
    assert_eq!(run.workflow_version, Some(1));
    // A fixed edit becomes version 2.
    let mut fixed = echo_workflow();
    fixed["nodes"][1]["params"]["fields"]["n"] = json!("{{ event.n * 3 }}");
    write(s.workflows.path(), &fixed);
    s.app.reload().await.unwrap();
    let versions = s.get("/api/workflows/echo/versions").await;
    assert_eq!(versions[0]["version"], 2);
    // Restoring version 1 brings the doubling back as version 3.
    let (status, saved) = s
        .post("/api/workflows/echo/versions/1/restore", &json!({}))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 3);
    let file = s.get("/api/workflows/echo/file").await;
    assert_eq!(
        file["nodes"][1]["params"]["fields"]["n"],
        "{{ event.n * 2 }}"
    );
}

#[tokio::test]
async fn a_manual_run_through_the_api_waits_for_its_result() {
    let wf = workflow(
        "by-hand",
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "greet", "kind": "set", "params": {"fields": {"greeting": "Hello {{ event.name }}"}}}
        ]),
        &[("start", "out", "greet")],
    );
    let s = serve(&[wf], ServerOptions::default()).await;
    let (status, body) = s
        .post(
            "/api/workflows/by-hand/run?wait=true",
            &json!({"name": "Ada"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["run"]["status"], "succeeded");
    let run = s
        .get(&format!(
            "/api/runs/{}",
            body["run"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(run["journal"]["output"]["greeting"], "Hello Ada");
    let (status, body) = s.post("/api/workflows/nope/run", &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn the_event_long_poll_returns_once_its_runs_are_stored() {
    let wf = workflow(
        "slow",
        json!([
            {"id": "hook", "kind": "webhook_trigger", "params": {"path": "slow"}},
            {"id": "wait", "kind": "delay", "params": {"amount": 300, "unit": "ms"}}
        ]),
        &[("hook", "out", "wait")],
    );
    let s = serve(&[wf], ServerOptions::default()).await;
    let (_, body) = s.post("/hooks/slow", &json!({})).await;
    let id = body["event_id"].as_str().unwrap();
    let now = s.event(id).await;
    assert_eq!(
        now["jobs"][0]["status"], "leased",
        "still running: the delay holds it"
    );
    assert!(now["runs"].as_array().unwrap().is_empty());
    let later = s.get(&format!("/api/events/{id}?wait_ms=20000")).await;
    assert_eq!(later["jobs"][0]["status"], "done");
    assert_eq!(later["runs"][0]["status"], "succeeded");
}

#[tokio::test]
async fn two_workflows_on_one_webhook_path_serve_the_first_and_flag_the_second() {
    let mut other = echo_workflow();
    other["id"] = json!("echo-copy");
    let s = serve(&[echo_workflow(), other], ServerOptions::default()).await;
    let list = s.get("/api/workflows").await;
    let copy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "echo-copy")
        .unwrap();
    assert_eq!(copy["diagnostics"][0]["code"], "duplicate_webhook_path");
    assert!(copy["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("echo"));
    let mut live = s.app.subscribe();
    let (_, body) = s.post("/hooks/in", &json!({"n": 1})).await;
    let id = body["event_id"].as_str().unwrap().to_string();
    let run = stored_run(&mut live, &id).await;
    assert_eq!(run.workflow_id, "echo");
}
