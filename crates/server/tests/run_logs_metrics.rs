//! A run's log lines (captured with its run id, secret values scrubbed) and the metrics of a
//! window, through the HTTP API over real runs.

mod support;

use std::sync::atomic::Ordering;

use serde_json::json;
use support::{leads, serve, workflow, Api};

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
            Some(&json!({"value": secret})),
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
