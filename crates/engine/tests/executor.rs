//! The executor's contract: routing and skipping, joins, concurrency, retries, timeouts,
//! error ports, cancellation, crashes and clear run-time errors.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value as Json};
use switchyard_core::{compile, Plan, WorkflowFile};
use switchyard_engine::{
    Engine, EngineConfig, Gate, NodeError, NodeStatus, RunEvent, RunReport, RunRequest, RunStatus,
    StandIn,
};

fn plan(nodes: Json, edges: Json) -> Arc<Plan> {
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap_or_else(|d| panic!("{d:#?}")))
}

async fn run_with(plan: &Arc<Plan>, req: RunRequest) -> (RunReport, Vec<RunEvent>) {
    let mut events = Vec::new();
    let report = Engine::new(EngineConfig::default())
        .run(plan.clone(), req, &mut |e| events.push(e.clone()))
        .await;
    (report, events)
}

async fn run(plan: &Arc<Plan>, event: Json) -> RunReport {
    run_with(plan, RunRequest::new("r1", event)).await.0
}

fn status(r: &RunReport, id: &str) -> NodeStatus {
    r.node(id).unwrap_or_else(|| panic!("no node {id}")).status
}

fn lead_router() -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "route", "kind": "switch", "params": {"routes": [
                {"name": "hot", "condition": "event.budget >= 10000"},
                {"name": "warm", "condition": "event.budget >= 1000"}
            ]}},
            {"id": "hot", "kind": "set", "params": {"fields": {"tier": "hot"}}},
            {"id": "warm", "kind": "set", "params": {"fields": {"tier": "warm"}}},
            {"id": "cold", "kind": "set", "params": {"fields": {"tier": "cold"}}},
            {"id": "follow_up", "kind": "log", "params": {"message": "follow up {{ input.tier }}"}}
        ]),
        json!([
            {"from": "start", "to": "route"},
            {"from": "route", "from_port": "hot", "to": "hot"},
            {"from": "route", "from_port": "warm", "to": "warm"},
            {"from": "route", "from_port": "default", "to": "cold"},
            {"from": "hot", "to": "follow_up"}, {"from": "warm", "to": "follow_up"}, {"from": "cold", "to": "follow_up"}
        ]),
    )
}

#[tokio::test]
async fn routes_not_taken_are_skipped_and_joins_do_not_wait_for_them() {
    let p = lead_router();
    for (budget, taken) in [(50_000, "hot"), (5_000, "warm"), (10, "cold")] {
        let r = run(&p, json!({"budget": budget})).await;
        assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
        for route in ["hot", "warm", "cold"] {
            let want = if route == taken {
                NodeStatus::Succeeded
            } else {
                NodeStatus::Skipped
            };
            assert_eq!(status(&r, route), want, "budget {budget}, node {route}");
        }
        assert_eq!(status(&r, "follow_up"), NodeStatus::Succeeded);
        assert_eq!(r.logs[0].message, format!("follow up {taken}"));
        assert_eq!(r.output, json!({"tier": taken}));
    }
}

#[tokio::test]
async fn events_come_in_order_from_start_to_finish() {
    let (r, events) = run_with(&lead_router(), RunRequest::new("r9", json!({"budget": 1}))).await;
    assert!(
        matches!(events.first(), Some(RunEvent::RunStarted { run_id, trigger, .. }) if run_id == "r9" && trigger == "start")
    );
    assert!(matches!(
        events.last(),
        Some(RunEvent::RunFinished {
            status: RunStatus::Succeeded,
            ..
        })
    ));
    let pos = |f: &dyn Fn(&RunEvent) -> bool| events.iter().position(f).unwrap();
    let started = pos(&|e| matches!(e, RunEvent::NodeStarted { node, .. } if node == "cold"));
    let done = pos(&|e| matches!(e, RunEvent::NodeSucceeded { node, .. } if node == "cold"));
    let follow = pos(&|e| matches!(e, RunEvent::NodeStarted { node, .. } if node == "follow_up"));
    assert!(started < done && done < follow);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, RunEvent::NodeSkipped { .. }))
            .count(),
        2
    );
    assert_eq!(r.node("route").unwrap().ports, ["default"]);
}

fn parallel(mode: &str) -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "slow", "kind": "delay", "params": {"amount": 10, "unit": "seconds"}},
            {"id": "slower", "kind": "delay", "params": {"amount": 20, "unit": "seconds"}},
            {"id": "a", "kind": "set", "params": {"fields": {"a": 1}}},
            {"id": "b", "kind": "set", "params": {"fields": {"b": 2}}},
            {"id": "join", "kind": "merge", "params": {"mode": mode}}
        ]),
        json!([
            {"from": "start", "to": "slow"}, {"from": "start", "to": "slower"},
            {"from": "slow", "to": "a"}, {"from": "slower", "to": "b"},
            {"from": "a", "to": "join"}, {"from": "b", "to": "join"}
        ]),
    )
}

#[tokio::test(start_paused = true)]
async fn independent_branches_run_concurrently_and_merge_waits_for_all() {
    let r = run(&parallel("all"), json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.output, json!({"a": 1, "b": 2}));
    // Virtual time: 10 s and 20 s in parallel take 20 s, not 30 s.
    assert!(
        r.duration_ms >= 20_000.0 && r.duration_ms < 21_000.0,
        "{}",
        r.duration_ms
    );
}

#[tokio::test(start_paused = true)]
async fn merge_in_first_mode_continues_with_the_first_branch() {
    let (r, events) = run_with(&parallel("first"), RunRequest::new("r", json!({}))).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(
        r.node("join").unwrap().output.as_deref(),
        Some(&json!({"a": 1}))
    );
    let join_done = events
        .iter()
        .position(|e| matches!(e, RunEvent::NodeSucceeded { node, .. } if node == "join"))
        .unwrap();
    let b_done = events
        .iter()
        .position(|e| matches!(e, RunEvent::NodeSucceeded { node, .. } if node == "b"))
        .unwrap();
    assert!(
        join_done < b_done,
        "the join did not wait for the slower branch"
    );
}

fn flaky(fail_times: u32, calls: Arc<AtomicU32>) -> StandIn {
    Arc::new(move |_input: &Json| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= fail_times {
            Err(NodeError::new("http_error", format!("attempt {n} failed")))
        } else {
            Ok(json!({"ok": n}))
        }
    })
}

fn retrying(max_attempts: u32) -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "call", "kind": "http_request", "params": {"url": "http://127.0.0.1:9/"},
             "retry": {"max_attempts": max_attempts, "backoff_ms": 1000, "max_backoff_ms": 5000}},
            {"id": "after", "kind": "log", "params": {"message": "done"}}
        ]),
        json!([{"from": "start", "to": "call"}, {"from": "call", "to": "after"}]),
    )
}

#[tokio::test(start_paused = true)]
async fn failing_nodes_are_retried_with_exponential_backoff() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut req = RunRequest::new("r", json!({}));
    req.stand_ins.insert("call".into(), flaky(2, calls.clone()));
    let (r, events) = run_with(&retrying(3), req).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(r.node("call").unwrap().attempts, 3);
    let delays: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::NodeRetrying { delay_ms, .. } => Some(*delay_ms),
            _ => None,
        })
        .collect();
    assert_eq!(delays.len(), 2);
    assert!(
        (500..=1000).contains(&delays[0]) && (1000..=2000).contains(&delays[1]),
        "{delays:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_node_that_keeps_failing_fails_the_run() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut req = RunRequest::new("r", json!({}));
    req.stand_ins
        .insert("call".into(), flaky(10, calls.clone()));
    let (r, _) = run_with(&retrying(2), req).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.failed_node.as_deref(), Some("call"));
    assert_eq!(r.error.as_ref().unwrap().message, "attempt 2 failed");
    assert_eq!(status(&r, "after"), NodeStatus::Skipped);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn timeouts_stop_slow_nodes() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "delay", "params": {"amount": 10, "unit": "minutes"}, "timeout_ms": 500}
        ]),
        json!([{"from": "start", "to": "wait"}]),
    );
    let r = run(&p, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "timeout");
    assert!(err.message.contains("500 ms"), "{}", err.message);
}

#[tokio::test]
async fn the_error_port_catches_failures() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "call", "kind": "http_request", "params": {"url": "http://127.0.0.1:9/"}},
            {"id": "ok", "kind": "log", "params": {"message": "fine"}},
            {"id": "handle", "kind": "set", "params": {"fields": {"why": "{{ input.error.message }}", "who": "{{ input.error.node }}"}}}
        ]),
        json!([{"from": "start", "to": "call"}, {"from": "call", "to": "ok"}, {"from": "call", "from_port": "error", "to": "handle"}]),
    );
    let mut req = RunRequest::new("r", json!({}));
    req.stand_ins
        .insert("call".into(), flaky(1, Arc::new(AtomicU32::new(0))));
    let (r, _) = run_with(&p, req).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(status(&r, "call"), NodeStatus::Failed);
    assert_eq!(status(&r, "ok"), NodeStatus::Skipped);
    assert_eq!(r.output, json!({"why": "attempt 1 failed", "who": "call"}));
}

#[tokio::test(start_paused = true)]
async fn a_run_can_be_cancelled() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "delay", "params": {"amount": 1, "unit": "hours"}},
            {"id": "after", "kind": "log", "params": {"message": "never"}}
        ]),
        json!([{"from": "start", "to": "wait"}, {"from": "wait", "to": "after"}]),
    );
    let req = RunRequest::new("r", json!({}));
    let cancel = req.cancel.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let report = Engine::new(EngineConfig::default())
        .run(p, req, &mut move |e| {
            if matches!(e, RunEvent::NodeStarted { node, .. } if node == "wait") {
                cancel.cancel();
            }
            seen2.lock().unwrap().push(e.clone());
        })
        .await;
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(
        report.node("wait").unwrap().error.as_ref().unwrap().code,
        "cancelled"
    );
    assert_eq!(status(&report, "after"), NodeStatus::Skipped);
    assert!(
        report.duration_ms < 1000.0,
        "cancellation did not wait for the delay"
    );
}

#[tokio::test]
async fn a_cancelled_run_stops_between_nodes_that_need_no_waiting() {
    // Set and Log nodes run at once, without a future; cancelling still stops the run there.
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "a", "kind": "set", "params": {"fields": {"step": "a"}}},
            {"id": "b", "kind": "set", "params": {"fields": {"step": "b"}}},
            {"id": "c", "kind": "log", "params": {"message": "never"}}
        ]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "c"}]),
    );
    let req = RunRequest::new("r", json!({}));
    let cancel = req.cancel.clone();
    let report = Engine::new(EngineConfig::default())
        .run(p, req, &mut move |e| {
            if matches!(e, RunEvent::NodeStarted { node, .. } if node == "a") {
                cancel.cancel();
            }
        })
        .await;
    assert_eq!(report.status, RunStatus::Cancelled, "{report:?}");
    assert_eq!(status(&report, "a"), NodeStatus::Failed);
    assert_eq!(
        report.node("a").unwrap().error.as_ref().unwrap().code,
        "cancelled"
    );
    assert_eq!(status(&report, "b"), NodeStatus::Skipped);
    assert_eq!(status(&report, "c"), NodeStatus::Skipped);
}

#[tokio::test]
async fn a_crashing_node_fails_the_run_without_crashing_the_engine() {
    let p = retrying(1);
    let mut req = RunRequest::new("r", json!({}));
    req.stand_ins.insert(
        "call".into(),
        Arc::new(|_: &Json| -> Result<Json, NodeError> { panic!("boom in node") }),
    );
    let (r, _) = run_with(&p, req).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(err.code, "panic");
    assert!(err.message.contains("boom in node"), "{}", err.message);
    // The engine keeps working after a crash.
    assert_eq!(
        run(&lead_router(), json!({"budget": 1})).await.status,
        RunStatus::Succeeded
    );
}

#[tokio::test]
async fn reading_a_missing_field_names_the_node_field_and_path() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "greet", "kind": "set", "params": {"fields": {"hello": "Hi {{ event.contact.name }}"}}}
        ]),
        json!([{"from": "start", "to": "greet"}]),
    );
    let r = run(&p, json!({"contact": {"email": "a@b.c"}})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.failed_node.as_deref(), Some("greet"));
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("expression_error", Some("fields.hello"))
    );
    assert!(
        err.message
            .contains("`event.contact.name` does not exist; `event.contact` has email"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn filters_gate_branches_and_filter_lists() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "only_big", "kind": "filter", "params": {"condition": "event.total > 100"}},
            {"id": "big_items", "kind": "filter", "params": {"condition": "item.price >= 50", "items": "{{ event.items }}"}}
        ]),
        json!([{"from": "start", "to": "only_big"}, {"from": "only_big", "to": "big_items"}]),
    );
    let items = json!([{"sku": "a", "price": 10}, {"sku": "b", "price": 90}]);
    let r = run(&p, json!({"total": 500, "items": items})).await;
    assert_eq!(r.output, json!([{"sku": "b", "price": 90}]));
    let r = run(&p, json!({"total": 5, "items": items})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(status(&r, "big_items"), NodeStatus::Skipped);
}

#[tokio::test]
async fn unknown_trigger_names_fail_clearly() {
    let mut req = RunRequest::new("r", json!({}));
    req.trigger = Some("route".into());
    let (r, _) = run_with(&lead_router(), req).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r
        .error
        .unwrap()
        .message
        .contains("\"route\" is not a trigger"));
}

/// Test mode does not wait: the Delay passes its input on at once and says what it would wait.
#[tokio::test]
async fn a_delay_in_test_mode_does_not_wait() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "delay", "params": {"amount": 90, "unit": "minutes"}},
            {"id": "after", "kind": "set", "params": {"fields": {"x": "{{ input.x }}"}}}
        ]),
        json!([{"from": "start", "to": "wait"}, {"from": "wait", "to": "after"}]),
    );
    let mut req = RunRequest::new("r1", json!({"x": 7}));
    req.test_mode = true;
    // Real time: a test mode that waited would hit this limit, not the 90 minutes.
    let (report, _) = tokio::time::timeout(std::time::Duration::from_secs(30), run_with(&p, req))
        .await
        .expect("test mode does not wait");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.output, json!({"x": 7}));
    assert_eq!(report.logs[0].message, "test mode: would wait 90 min");
}

/// Test mode does not wait between attempts: the retries happen, at once.
#[tokio::test]
async fn retries_in_test_mode_do_not_wait() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "call", "kind": "log", "params": {"message": "x"},
             "retry": {"max_attempts": 3, "backoff_ms": 60000, "max_backoff_ms": 60000, "jitter": false}}
        ]),
        json!([{"from": "start", "to": "call"}]),
    );
    let mut req = RunRequest::new("r1", json!({}));
    req.test_mode = true;
    let down: StandIn = Arc::new(|_| Err(NodeError::new("http_status", "503")));
    req.stand_ins.insert("call".into(), down);
    let (report, events) =
        tokio::time::timeout(std::time::Duration::from_secs(30), run_with(&p, req))
            .await
            .expect("test mode does not back off");
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.node("call").unwrap().attempts, 3);
    let delays: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::NodeRetrying { delay_ms, .. } => Some(*delay_ms),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [0, 0]);
}

/// Polls `running` until it ends (Some) or `gate` is asked to open first (None).
async fn until_asked<F: std::future::Future + Unpin>(
    running: &mut F,
    gate: &Gate,
) -> Option<F::Output> {
    tokio::select! {
        biased;
        out = running => Some(out),
        _ = gate.asked() => None,
    }
}

/// A run started before its event is stored: the nodes that call out or wait, and retries'
/// backoffs, wait at the gate until the caller opens it; a run needing none of them never asks.
#[tokio::test(start_paused = true)]
async fn a_gated_run_holds_back_what_reaches_outside_until_its_caller_opens_it() {
    let engine = Engine::new(EngineConfig::default());
    let sink = &mut |_: &RunEvent| {};

    // Rules only: the run ends without asking.
    let gate = Gate::new();
    let mut req = RunRequest::new("pure", json!({"budget": 5_000}));
    req.gate = Some(gate.clone());
    let mut running = Box::pin(engine.run(lead_router(), req, sink));
    let report = until_asked(&mut running, &gate)
        .await
        .expect("a run of rules only ends without asking");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.output, json!({"tier": "warm"}));
    assert!(!gate.is_open());
    drop(running);

    // A Delay waits at the gate; once it is open the run goes on.
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "tidy", "kind": "set", "params": {"fields": {"x": "{{ event.x }}"}}},
            {"id": "wait", "kind": "delay", "params": {"amount": 5, "unit": "seconds"}},
            {"id": "after", "kind": "set", "params": {"fields": {"x": "{{ nodes.tidy.x }}"}}}
        ]),
        json!([{"from": "start", "to": "tidy"}, {"from": "tidy", "to": "wait"}, {"from": "wait", "to": "after"}]),
    );
    let gate = Gate::new();
    let mut req = RunRequest::new("delayed", json!({"x": 7}));
    req.gate = Some(gate.clone());
    let mut running = Box::pin(engine.run(p, req, sink));
    assert!(
        until_asked(&mut running, &gate).await.is_none(),
        "the Delay went past a closed gate"
    );
    gate.open();
    let report = running.await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(report.output, json!({"x": 7}));

    // A retry's backoff waits at the gate too, even for a node given a stand-in.
    let calls = Arc::new(AtomicU32::new(0));
    let gate = Gate::new();
    let mut req = RunRequest::new("retried", json!({}));
    req.stand_ins.insert("call".into(), flaky(1, calls.clone()));
    req.gate = Some(gate.clone());
    let mut running = Box::pin(engine.run(retrying(2), req, sink));
    assert!(
        until_asked(&mut running, &gate).await.is_none(),
        "the backoff went past a closed gate"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the first attempt ran");
    gate.open();
    let report = running.await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
