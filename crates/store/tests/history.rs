//! Run history against a real SQLite file: the list's filters (text in the payload included)
//! and paging, origins, log lines stored with their run, dead letters resolved by a later run,
//! and metrics computed from known runs.

mod common;

use common::open;
use serde_json::{json, Value as Json};
use switchyard_store::*;

/// Stores an event for workflow `wf` and returns its job.
async fn job(store: &Store, wf: &str, payload: Json) -> Job {
    let acc = store
        .accept(vec![NewEvent {
            id: new_id("evt"),
            name: format!("webhook.{wf}"),
            source: EventSource::Webhook,
            payload,
            received_at: now_ms(),
            idempotency_key: None,
            parent_run: None,
            depth: 0,
            targets: vec![Target {
                workflow_id: wf.into(),
                trigger_node: "hook".into(),
            }],
        }])
        .await
        .unwrap();
    acc[0].jobs[0].clone()
}

struct Run<'a> {
    job: &'a Job,
    status: &'a str,
    started_at: i64,
    duration_ms: f64,
    failed_node: Option<&'a str>,
    origin: RunOrigin,
}

async fn record(store: &Store, r: Run<'_>, outcome: JobOutcome, logs: Vec<RunLogLine>) -> String {
    let id = new_id("run");
    let run = RunRecord {
        id: id.clone(),
        job_id: Some(r.job.id),
        event_id: Some(r.job.event_id.clone()),
        workflow_id: r.job.workflow_id.clone(),
        workflow_version: Some(1),
        trigger_node: Some("hook".into()),
        status: r.status.into(),
        started_at: r.started_at,
        finished_at: r.started_at + r.duration_ms as i64,
        duration_ms: r.duration_ms,
        failed_node: r.failed_node.map(str::to_string),
        error: None,
        origin: r.origin,
        origin_run: None,
        journal: serde_json::value::to_raw_value(&json!({"nodes": []})).unwrap(),
    };
    store
        .finish(FinishedRun {
            run,
            job: Some((r.job.id, outcome)),
            emitted: Vec::new(),
            logs,
        })
        .await
        .unwrap();
    id
}

fn ids(list: &[RunSummary]) -> Vec<&str> {
    list.iter().map(|r| r.id.as_str()).collect()
}

#[tokio::test]
async fn the_run_list_filters_by_workflow_status_time_origin_and_payload_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let t0 = 1_700_000_000_000;
    let lead = job(
        &store,
        "leads",
        json!({"email": "Ada@Example.com", "note": "say \"hi\""}),
    )
    .await;
    let other = job(&store, "leads", json!({"email": "bob@example.com"})).await;
    let order = job(&store, "orders", json!({"sku": "ada-42"})).await;
    let run = |job, status, at, origin| Run {
        job,
        status,
        started_at: t0 + at,
        duration_ms: 10.0,
        failed_node: None,
        origin,
    };
    let a = record(
        &store,
        run(&lead, "succeeded", 0, RunOrigin::Webhook),
        JobOutcome::Done,
        vec![],
    )
    .await;
    let b = record(
        &store,
        run(&other, "failed", 1000, RunOrigin::Webhook),
        JobOutcome::Done,
        vec![],
    )
    .await;
    let c = record(
        &store,
        run(&order, "failed", 2000, RunOrigin::Manual),
        JobOutcome::Done,
        vec![],
    )
    .await;
    let d = record(
        &store,
        run(&lead, "succeeded", 3000, RunOrigin::Rerun),
        JobOutcome::Done,
        vec![],
    )
    .await;

    let list = |f: RunFilter| {
        let store = store.clone();
        async move { store.runs(&f).await.unwrap() }
    };
    assert_eq!(
        ids(&list(RunFilter::default()).await),
        [&d, &c, &b, &a],
        "newest first"
    );
    let leads = RunFilter {
        workflow: Some("leads".into()),
        ..RunFilter::default()
    };
    assert_eq!(ids(&list(leads.clone()).await), [&d, &b, &a]);
    let failed_leads = RunFilter {
        status: Some("failed".into()),
        ..leads.clone()
    };
    assert_eq!(ids(&list(failed_leads).await), [&b]);
    let window = RunFilter {
        since: Some(t0 + 1000),
        until: Some(t0 + 3000),
        ..RunFilter::default()
    };
    assert_eq!(
        ids(&list(window).await),
        [&c, &b],
        "since is inclusive, until is not"
    );
    let reruns = RunFilter {
        origin: Some("rerun".into()),
        ..RunFilter::default()
    };
    assert_eq!(ids(&list(reruns).await), [&d]);
    assert_eq!(list(RunFilter::default()).await[0].origin, RunOrigin::Rerun);

    // Text in the payload: case-insensitive, quotes as typed, values only as bound parameters.
    let text = |q: &str| RunFilter {
        q: Some(q.into()),
        ..RunFilter::default()
    };
    assert_eq!(ids(&list(text("ada@example")).await), [&d, &a]);
    assert_eq!(
        ids(&list(text("ADA")).await),
        [&d, &c, &a],
        "the order's sku too"
    );
    assert_eq!(ids(&list(text("say \"hi\"")).await), [&d, &a]);
    assert!(list(text("%")).await.is_empty(), "no wildcards");
    assert!(list(text("'; DROP TABLE runs; --")).await.is_empty());
    assert_eq!(list(RunFilter::default()).await.len(), 4);
    store.close().await;
}

#[tokio::test]
async fn paging_skips_no_run_that_started_at_the_same_millisecond() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let j = job(&store, "w", json!({})).await;
    let mut all = Vec::new();
    for i in 0..7 {
        let r = Run {
            job: &j,
            status: "succeeded",
            started_at: 1_000 + (i / 3),
            duration_ms: 1.0,
            failed_node: None,
            origin: RunOrigin::Webhook,
        };
        all.push(record(&store, r, JobOutcome::Done, vec![]).await);
    }
    let mut seen = Vec::new();
    let mut filter = RunFilter {
        limit: Some(2),
        ..RunFilter::default()
    };
    loop {
        let page = store.runs(&filter).await.unwrap();
        let Some(last) = page.last() else { break };
        filter.before = Some(last.started_at);
        filter.before_id = Some(last.id.clone());
        seen.extend(page.iter().map(|r| r.id.clone()));
    }
    let mut expected = all.clone();
    expected.sort_by(|a, b| b.cmp(a));
    let mut got = seen.clone();
    got.sort_by(|a, b| b.cmp(a));
    assert_eq!(got, expected, "every run once");
    store.close().await;
}

#[tokio::test]
async fn log_lines_are_stored_with_their_run_and_a_later_run_resolves_a_dead_letter() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let j = job(&store, "w", json!({})).await;
    let line = RunLogLine {
        at: 5,
        level: "warn".into(),
        target: "switchyard_app::runner".into(),
        message: "node failed".into(),
        fields: [("node".to_string(), "call".to_string())].into(),
    };
    let failed = Run {
        job: &j,
        status: "failed",
        started_at: now_ms(),
        duration_ms: 3.0,
        failed_node: Some("call"),
        origin: RunOrigin::Webhook,
    };
    let first = record(
        &store,
        failed,
        JobOutcome::Dead("call failed".into()),
        vec![line.clone()],
    )
    .await;
    assert_eq!(store.run_logs(&first).await.unwrap(), [line]);
    assert_eq!(store.dead_letters(10).await.unwrap().len(), 1);
    assert_eq!(
        store.last_run_of_job(j.id).await.unwrap().as_deref(),
        Some(first.as_str())
    );

    // A retry that succeeded settles the dead letter; nothing logged, nothing stored.
    let retry = Run {
        job: &j,
        status: "succeeded",
        started_at: now_ms() + 1,
        duration_ms: 1.0,
        failed_node: None,
        origin: RunOrigin::Retry,
    };
    let second = record(&store, retry, JobOutcome::Resolved, vec![]).await;
    assert!(store.dead_letters(10).await.unwrap().is_empty());
    assert!(store.run_logs(&second).await.unwrap().is_empty());
    let jobs = store.event_detail(&j.event_id).await.unwrap().jobs;
    assert_eq!(jobs[0].status, "done");
    store.close().await;
}

#[tokio::test]
async fn metrics_count_rates_percentiles_and_failures_by_node_from_known_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let since = 1_700_000_000_000;
    let minute = 60_000;
    let j = job(&store, "leads", json!({})).await;
    let o = job(&store, "orders", json!({})).await;
    // Minute 0: durations 10..=100 (ten runs), two failed at "crm", one at "mail".
    for i in 1..=10 {
        let (status, node) = match i {
            3 | 7 => ("failed", Some("crm")),
            9 => ("failed", Some("mail")),
            _ => ("succeeded", None),
        };
        let r = Run {
            job: &j,
            status,
            started_at: since + i * 1000,
            duration_ms: (i * 10) as f64,
            failed_node: node,
            origin: RunOrigin::Webhook,
        };
        record(&store, r, JobOutcome::Done, vec![]).await;
    }
    // Minute 2: one cancelled run of 500 ms. Not counted: a replay, another workflow, a run
    // before the window.
    let at = |job, status, started_at, origin| Run {
        job,
        status,
        started_at,
        duration_ms: 500.0,
        failed_node: None,
        origin,
    };
    record(
        &store,
        at(&j, "cancelled", since + 2 * minute + 5, RunOrigin::Manual),
        JobOutcome::Done,
        vec![],
    )
    .await;
    record(
        &store,
        at(&j, "succeeded", since + 2 * minute, RunOrigin::Replay),
        JobOutcome::Done,
        vec![],
    )
    .await;
    record(
        &store,
        at(&o, "failed", since + minute, RunOrigin::Webhook),
        JobOutcome::Done,
        vec![],
    )
    .await;
    record(
        &store,
        at(&j, "failed", since - 1, RunOrigin::Webhook),
        JobOutcome::Done,
        vec![],
    )
    .await;

    let m = store
        .metrics(&MetricsQuery {
            workflow: Some("leads".into()),
            since,
            until: since + 3 * minute,
            bucket_ms: minute,
        })
        .await
        .unwrap();
    assert_eq!((m.runs, m.succeeded, m.failed, m.cancelled), (11, 7, 3, 1));
    assert_eq!(m.success_rate, Some(7.0 / 11.0));
    // Nearest rank over 10, 20, ..., 100, 500: the 6th and the 11th.
    assert_eq!((m.p50_ms, m.p95_ms), (Some(60.0), Some(500.0)));
    let per_bucket: Vec<(i64, i64, i64, i64)> = m
        .buckets
        .iter()
        .map(|b| (b.start - since, b.runs, b.succeeded, b.failed))
        .collect();
    assert_eq!(
        per_bucket,
        [(0, 10, 7, 3), (minute, 0, 0, 0), (2 * minute, 1, 0, 0)]
    );
    assert_eq!(
        (m.buckets[0].p50_ms, m.buckets[0].p95_ms),
        (Some(50.0), Some(100.0))
    );
    assert_eq!(m.buckets[1].p50_ms, None);
    let failures: Vec<(Option<&str>, i64)> = m
        .failures_by_node
        .iter()
        .map(|f| (f.node.as_deref(), f.failures))
        .collect();
    assert_eq!(failures, [(Some("crm"), 2), (Some("mail"), 1)]);

    let all = store
        .metrics(&MetricsQuery {
            workflow: None,
            since,
            until: since + 3 * minute,
            bucket_ms: minute,
        })
        .await
        .unwrap();
    assert_eq!((all.runs, all.failed), (12, 4), "every workflow");
    let empty = store
        .metrics(&MetricsQuery {
            workflow: Some("nobody".into()),
            since,
            until: since + 3 * minute,
            bucket_ms: minute,
        })
        .await
        .unwrap();
    assert_eq!(
        (empty.runs, empty.success_rate, empty.p50_ms),
        (0, None, None)
    );
    assert_eq!(empty.buckets.len(), 3);
    store.close().await;
}
