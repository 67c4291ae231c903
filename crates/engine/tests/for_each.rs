//! For each and Collect: order, bounded concurrency, items left out, item failures (stop,
//! skip, error ports), retries, cancellation, empty lists and per-item events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value as Json};
use switchyard_core::{compile, Plan, WorkflowFile};
use switchyard_engine::{
    Engine, EngineConfig, NodeError, NodeStatus, RunEvent, RunReport, RunRequest, RunStatus,
    StandIn,
};
use tokio_util::sync::CancellationToken;

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

async fn run(plan: &Arc<Plan>, event: Json) -> (RunReport, Vec<RunEvent>) {
    run_with(plan, RunRequest::new("r1", event)).await
}

fn node<'a>(r: &'a RunReport, id: &str) -> &'a switchyard_engine::NodeReport {
    r.node(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn output(r: &RunReport, id: &str) -> Json {
    node(r, id)
        .output
        .as_deref()
        .cloned()
        .unwrap_or_else(|| panic!("{id} has no output: {r:#?}"))
}

/// The item of each `NodeSucceeded` of `id`, in the order the events came.
fn finish_order(events: &[RunEvent], id: &str) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::NodeSucceeded { node, item, .. } if node == id => *item,
            _ => None,
        })
        .collect()
}

/// The most attempts of `id` that were running at the same time, from the event stream.
fn max_in_flight(events: &[RunEvent], id: &str) -> u32 {
    let (mut now, mut max) = (0u32, 0u32);
    for e in events {
        match e {
            RunEvent::NodeStarted { node, .. } if node == id => {
                now += 1;
                max = max.max(now);
            }
            RunEvent::NodeSucceeded { node, .. }
            | RunEvent::NodeFailed { node, .. }
            | RunEvent::NodeRetrying { node, .. }
                if node == id =>
            {
                now -= 1
            }
            _ => {}
        }
    }
    max
}

/// start → prep → loop(items) → wait (100 - item*10 ms) → shape → gather → after
fn ordered(concurrency: u32) -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "prep", "kind": "set", "params": {"fields": {"factor": "{{ 2 }}"}}},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "concurrency": concurrency}},
            {"id": "wait", "kind": "delay", "params": {"amount": "{{ 100 - item * 10 }}", "unit": "ms"}},
            {"id": "shape", "kind": "set", "params": {"fields": {
                "value": "{{ item * nodes.prep.factor }}",
                "index": "{{ item_index }}",
                "waited": "{{ nodes.wait }}"
            }}},
            {"id": "gather", "kind": "collect"},
            {"id": "after", "kind": "set", "params": {"fields": {"total": "{{ nodes.gather.count }}", "skipped": "{{ input.skipped | length }}"}}}
        ]),
        json!([
            {"from": "start", "to": "prep"}, {"from": "prep", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "wait"},
            {"from": "wait", "to": "shape"}, {"from": "shape", "to": "gather"},
            {"from": "gather", "to": "after"}
        ]),
    )
}

fn ten() -> Json {
    json!({"items": (0..10).collect::<Vec<u32>>()})
}

#[tokio::test(start_paused = true)]
async fn results_keep_the_list_order_when_later_items_finish_first() {
    let (r, events) = run(&ordered(10), ten()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    // Item 9 waits 10 ms, item 0 waits 100 ms: they finish in reverse order...
    assert_eq!(
        finish_order(&events, "shape"),
        (0..10).rev().collect::<Vec<u32>>()
    );
    // ...and are collected in the list's order.
    let gathered = output(&r, "gather");
    let items: Vec<Json> = (0..10)
        .map(|i| json!({"value": i * 2, "index": i, "waited": i}))
        .collect();
    assert_eq!(
        gathered,
        json!({"items": items, "count": 10, "skipped": []})
    );
    assert_eq!(r.output, json!({"total": 10, "skipped": 0}));
    // Ten items at once: the longest wait, not the sum.
    assert!(
        r.duration_ms >= 100.0 && r.duration_ms < 110.0,
        "{}",
        r.duration_ms
    );
    // The body's reports fold the items.
    let shape = node(&r, "shape");
    assert_eq!(shape.status, NodeStatus::Succeeded);
    assert_eq!((shape.items, shape.attempts), (10, 10));
    assert_eq!(shape.item, Some(9));
    assert_eq!(
        shape.output.as_deref(),
        Some(&json!({"value": 18, "index": 9, "waited": 9}))
    );
    let each = node(&r, "loop");
    assert_eq!(each.status, NodeStatus::Succeeded);
    assert_eq!(
        each.output.as_deref(),
        Some(&json!({"count": 10, "skipped": []}))
    );
    assert_eq!((each.items, each.attempts), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn at_most_concurrency_items_run_at_once() {
    for (concurrency, waves) in [(2u32, 5.0), (4, 3.0), (1, 10.0)] {
        let p = plan(
            json!([
                {"id": "start", "kind": "manual_trigger"},
                {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "concurrency": concurrency}},
                {"id": "wait", "kind": "delay", "params": {"amount": 100, "unit": "ms"}},
                {"id": "gather", "kind": "collect"}
            ]),
            json!([
                {"from": "start", "to": "loop"},
                {"from": "loop", "from_port": "item", "to": "wait"},
                {"from": "wait", "to": "gather"}
            ]),
        );
        let (r, events) = run(&p, ten()).await;
        assert_eq!(r.status, RunStatus::Succeeded);
        assert_eq!(max_in_flight(&events, "wait"), concurrency);
        let want = waves * 100.0;
        assert!(
            r.duration_ms >= want && r.duration_ms < want + 10.0,
            "concurrency {concurrency}: {} ms, want {want}",
            r.duration_ms
        );
        assert_eq!(
            output(&r, "gather")["items"],
            json!((0..10).collect::<Vec<u32>>())
        );
    }
}

#[tokio::test]
async fn a_filter_in_the_body_leaves_items_out_and_lists_them() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "even", "kind": "filter", "params": {"condition": "item % 2 == 0"}},
            {"id": "label", "kind": "set", "params": {"fields": {"n": "{{ item }}"}}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "even"},
            {"from": "even", "to": "label"}, {"from": "label", "to": "gather"}
        ]),
    );
    let (r, _) = run(&p, json!({"items": [0, 1, 2, 3, 4]})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(
        output(&r, "gather"),
        json!({
            "items": [{"n": 0}, {"n": 2}, {"n": 4}],
            "count": 3,
            "skipped": [
                {"index": 1, "reason": "did not reach Collect"},
                {"index": 3, "reason": "did not reach Collect"}
            ]
        })
    );
    assert_eq!(node(&r, "even").items, 5);
    assert_eq!(node(&r, "label").items, 3);
    assert_eq!(node(&r, "label").status, NodeStatus::Succeeded);
}

/// start → loop(items, on_item_error) → calc (item.n * 10) → gather → after
fn failing(mode: &str, catch_loop: bool) -> Arc<Plan> {
    let mut nodes = json!([
        {"id": "start", "kind": "manual_trigger"},
        {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "concurrency": 1, "on_item_error": mode}},
        {"id": "calc", "kind": "set", "params": {"fields": {"v": "{{ item.n * 10 }}"}}},
        {"id": "gather", "kind": "collect"},
        {"id": "after", "kind": "log", "params": {"message": "{{ nodes.gather.count }} collected"}}
    ]);
    let mut edges = json!([
        {"from": "start", "to": "loop"},
        {"from": "loop", "from_port": "item", "to": "calc"},
        {"from": "calc", "to": "gather"}, {"from": "gather", "to": "after"}
    ]);
    if catch_loop {
        nodes.as_array_mut().unwrap().push(
            json!({"id": "oops", "kind": "log", "params": {"message": "{{ input.error.code }}"}}),
        );
        edges
            .as_array_mut()
            .unwrap()
            .push(json!({"from": "loop", "from_port": "error", "to": "oops"}));
    }
    plan(nodes, edges)
}

fn with_a_bad_item() -> Json {
    json!({"items": [{"n": 1}, {"n": 2}, {"m": 3}, {"n": 4}]})
}

#[tokio::test]
async fn an_item_failure_stops_the_loop_and_the_run_by_default() {
    let (r, events) = run(&failing("stop", false), with_a_bad_item()).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.failed_node.as_deref(), Some("loop"));
    let err = r.error.clone().unwrap();
    assert_eq!(err.code, "item_failed");
    assert!(
        err.message.starts_with("item 2 failed at \"calc\""),
        "{}",
        err.message
    );
    assert_eq!(node(&r, "calc").status, NodeStatus::Failed);
    assert_eq!(
        node(&r, "calc").error.as_ref().unwrap().code,
        "expression_error"
    );
    assert_eq!(node(&r, "gather").status, NodeStatus::Skipped);
    assert_eq!(node(&r, "after").status, NodeStatus::Skipped);
    // One at a time: item 3 never started.
    assert!(!events
        .iter()
        .any(|e| matches!(e, RunEvent::NodeStarted { node, item: Some(3), .. } if node == "calc")));
}

#[tokio::test]
async fn a_stopped_loop_goes_to_its_error_port_when_connected() {
    let (r, _) = run(&failing("stop", true), with_a_bad_item()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(node(&r, "loop").status, NodeStatus::Failed);
    assert_eq!(node(&r, "loop").ports, ["error"]);
    assert_eq!(r.logs[0].message, "item_failed");
    assert_eq!(node(&r, "gather").status, NodeStatus::Skipped);
    assert_eq!(node(&r, "after").status, NodeStatus::Skipped);
}

#[tokio::test]
async fn skip_leaves_failed_items_out_and_lists_them() {
    let (r, _) = run(&failing("skip", false), with_a_bad_item()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    let gathered = output(&r, "gather");
    assert_eq!(gathered["items"], json!([{"v": 10}, {"v": 20}, {"v": 40}]));
    assert_eq!(gathered["count"], 3);
    let skipped = &gathered["skipped"];
    assert_eq!(skipped.as_array().unwrap().len(), 1);
    assert_eq!(skipped[0]["index"], 2);
    assert_eq!(skipped[0]["reason"], "failed");
    assert_eq!(skipped[0]["error"]["code"], "expression_error");
    assert_eq!(skipped[0]["error"]["node"], "calc");
    assert_eq!(output(&r, "loop")["skipped"], *skipped);
    assert_eq!(r.logs[0].message, "3 collected");
    let calc = node(&r, "calc");
    assert_eq!((calc.status, calc.items), (NodeStatus::Failed, 4));
}

#[tokio::test]
async fn an_error_port_in_the_body_handles_failures_per_item() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "calc", "kind": "set", "params": {"fields": {"v": "{{ item.n * 10 }}"}}},
            {"id": "fallback", "kind": "set", "params": {"fields": {"v": "none", "why": "{{ input.error.code }}"}}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "calc"},
            {"from": "calc", "to": "gather"},
            {"from": "calc", "from_port": "error", "to": "fallback"},
            {"from": "fallback", "to": "gather"}
        ]),
    );
    let (r, _) = run(&p, with_a_bad_item()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(
        output(&r, "gather")["items"],
        json!([{"v": 10}, {"v": 20}, {"v": "none", "why": "expression_error"}, {"v": 40}])
    );
    assert_eq!(output(&r, "gather")["skipped"], json!([]));
    assert_eq!(node(&r, "fallback").items, 1);
    let mut ports = node(&r, "calc").ports.clone();
    ports.sort();
    assert_eq!(ports, ["error", "out"]);
}

#[tokio::test(start_paused = true)]
async fn retries_and_timeouts_apply_per_item() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "on_item_error": "skip"}},
            {"id": "call", "kind": "set", "params": {"fields": {"x": "{{ item }}"}},
             "retry": {"max_attempts": 3, "backoff_ms": 10, "jitter": false}},
            {"id": "slow", "kind": "delay", "params": {"amount": "{{ item }}", "unit": "seconds"}, "timeout_ms": 1500},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "call"},
            {"from": "call", "to": "slow"}, {"from": "slow", "to": "gather"}
        ]),
    );
    // `call` fails on its first attempt for every item, then succeeds.
    let seen: Arc<Mutex<HashMap<String, u32>>> = Default::default();
    let flaky: StandIn = {
        let seen = seen.clone();
        Arc::new(move |input: &Json| {
            let mut seen = seen.lock().unwrap();
            let n = seen.entry(input.to_string()).or_insert(0);
            *n += 1;
            if *n == 1 {
                Err(NodeError::new("http_error", "connection reset"))
            } else {
                Ok(json!({"x": input.clone()}))
            }
        })
    };
    let mut req = RunRequest::new("r", json!({"items": [0, 1, 2]}));
    req.stand_ins.insert("call".into(), flaky);
    let (r, events) = run_with(&p, req).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    let retries = events
        .iter()
        .filter(|e| matches!(e, RunEvent::NodeRetrying { node, .. } if node == "call"))
        .count();
    assert_eq!(retries, 3);
    let call = node(&r, "call");
    assert_eq!((call.items, call.attempts), (3, 6));
    // Item 2 waits 2 s under a 1.5 s timeout.
    let gathered = output(&r, "gather");
    assert_eq!(gathered["items"], json!([{"x": 0}, {"x": 1}]));
    assert_eq!(gathered["skipped"][0]["index"], 2);
    assert_eq!(gathered["skipped"][0]["error"]["code"], "timeout");
}

#[tokio::test(start_paused = true)]
async fn cancelling_mid_loop_cancels_the_items_in_flight() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "concurrency": 2}},
            {"id": "wait", "kind": "delay", "params": {"amount": 10, "unit": "seconds"}},
            {"id": "gather", "kind": "collect"},
            {"id": "after", "kind": "log", "params": {"message": "done"}}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "wait"},
            {"from": "wait", "to": "gather"}, {"from": "gather", "to": "after"}
        ]),
    );
    let cancel = CancellationToken::new();
    let mut req = RunRequest::new("r", ten());
    req.cancel = cancel.clone();
    let mut events = Vec::new();
    let report = Engine::new(EngineConfig::default())
        .run(p, req, &mut |e| {
            if matches!(e, RunEvent::NodeStarted { node, item: Some(1), .. } if node == "wait") {
                cancel.cancel();
            }
            events.push(e.clone());
        })
        .await;
    assert_eq!(report.status, RunStatus::Cancelled);
    assert!(report.duration_ms < 1000.0, "{}", report.duration_ms);
    let wait = node(&report, "wait");
    assert_eq!((wait.status, wait.items), (NodeStatus::Failed, 2));
    assert_eq!(wait.error.as_ref().unwrap().code, "cancelled");
    let cancelled: Vec<Option<u32>> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::NodeFailed {
                node, item, error, ..
            } if node == "wait" && error.code == "cancelled" => Some(*item),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled, [Some(0), Some(1)]);
    assert_eq!(
        node(&report, "loop").error.as_ref().unwrap().code,
        "cancelled"
    );
    assert_eq!(node(&report, "gather").status, NodeStatus::Skipped);
    assert_eq!(node(&report, "after").status, NodeStatus::Skipped);
}

#[tokio::test]
async fn an_empty_list_collects_nothing_and_the_run_goes_on() {
    let (r, events) = run(&ordered(4), json!({"items": []})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(
        output(&r, "gather"),
        json!({"items": [], "count": 0, "skipped": []})
    );
    assert_eq!(r.output, json!({"total": 0, "skipped": 0}));
    for body in ["wait", "shape"] {
        assert_eq!(node(&r, body).status, NodeStatus::Skipped);
        assert_eq!(node(&r, body).items, 0);
    }
    assert!(!events
        .iter()
        .any(|e| matches!(e, RunEvent::NodeStarted { item: Some(_), .. })));
}

#[tokio::test]
async fn items_must_be_a_list() {
    let (r, _) = run(&ordered(4), json!({"items": {"a": 1}})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.failed_node.as_deref(), Some("loop"));
    let err = r.error.clone().unwrap();
    assert_eq!(err.code, "invalid_value");
    assert_eq!(err.field.as_deref(), Some("items"));
    assert_eq!(err.message, r#"items must be a list, got {"a":1}"#);
    assert_eq!(node(&r, "wait").status, NodeStatus::Skipped);
    assert_eq!(node(&r, "gather").status, NodeStatus::Skipped);
}

#[tokio::test]
async fn a_loop_without_collect_runs_its_body_per_item() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.names }}", "concurrency": 1}},
            {"id": "hello", "kind": "log", "params": {"message": "hello {{ item }} (#{{ item_index }})"}}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "hello"}
        ]),
    );
    let (r, _) = run(&p, json!({"names": ["ada", "bob"]})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    let lines: Vec<(&str, Option<u32>)> = r
        .logs
        .iter()
        .map(|l| (l.message.as_str(), l.item))
        .collect();
    assert_eq!(
        lines,
        [("hello ada (#0)", Some(0)), ("hello bob (#1)", Some(1))]
    );
    assert_eq!(node(&r, "hello").items, 2);
    // The body's nodes are per item; the run's output is the For each's summary.
    assert_eq!(r.output, json!({"count": 2, "skipped": []}));
}

#[tokio::test]
async fn a_loop_runs_alongside_other_branches() {
    let counter = Arc::new(AtomicU32::new(0));
    let counting: StandIn = {
        let counter = counter.clone();
        Arc::new(move |input: &Json| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(input.clone())
        })
    };
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "each", "kind": "set", "params": {"fields": {"x": "{{ item }}"}}},
            {"id": "gather", "kind": "collect"},
            {"id": "other", "kind": "set", "params": {"fields": {"side": true}}}
        ]),
        json!([
            {"from": "start", "to": "loop"}, {"from": "start", "to": "other"},
            {"from": "loop", "from_port": "item", "to": "each"},
            {"from": "each", "to": "gather"}
        ]),
    );
    let mut req = RunRequest::new("r", json!({"items": [1, 2, 3]}));
    req.stand_ins.insert("each".into(), counting);
    let (r, _) = run_with(&p, req).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(counter.load(Ordering::SeqCst), 3);
    assert_eq!(
        r.output,
        json!({"gather": {"items": [1, 2, 3], "count": 3, "skipped": []}, "other": {"side": true}})
    );
}

#[test]
fn events_outside_loops_serialize_as_before() {
    let e = RunEvent::NodeSkipped {
        node: "a".into(),
        item: None,
    };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"type": "node_skipped", "node": "a"})
    );
    let e = RunEvent::NodeSkipped {
        node: "a".into(),
        item: Some(3),
    };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"type": "node_skipped", "node": "a", "item": 3})
    );
    let back: RunEvent =
        serde_json::from_value(json!({"type": "node_started", "node": "a", "attempt": 1})).unwrap();
    assert_eq!(
        back,
        RunEvent::NodeStarted {
            node: "a".into(),
            attempt: 1,
            input_from: None,
            item: None
        }
    );
}

#[tokio::test(start_paused = true)]
async fn stopping_abandons_the_other_items_in_flight() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}", "concurrency": 3}},
            {"id": "calc", "kind": "set", "params": {"fields": {"n": "{{ item.n }}"}}},
            {"id": "wait", "kind": "delay", "params": {"amount": "{{ item.n }}", "unit": "seconds"}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "calc"},
            {"from": "calc", "to": "wait"}, {"from": "wait", "to": "gather"}
        ]),
    );
    // Items 0 and 1 wait 60 s; item 2 fails at once; item 3 never starts.
    let (r, events) = run(
        &p,
        json!({"items": [{"n": 60}, {"n": 60}, {"m": 1}, {"n": 1}]}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.error.as_ref().unwrap().code, "item_failed");
    assert!(r.duration_ms < 1000.0, "{}", r.duration_ms);
    let abandoned: Vec<(Option<u32>, String)> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::NodeFailed {
                node, item, error, ..
            } if node == "wait" && error.code == "cancelled" => {
                Some((*item, error.message.clone()))
            }
            _ => None,
        })
        .collect();
    let mut items: Vec<Option<u32>> = abandoned.iter().map(|(i, _)| *i).collect();
    items.sort();
    assert_eq!(items, [Some(0), Some(1)]);
    assert_eq!(abandoned[0].1, "stopped because item 2 failed");
    assert!(!events
        .iter()
        .any(|e| matches!(e, RunEvent::NodeStarted { item: Some(3), .. })));
}

#[tokio::test]
async fn routes_and_merges_inside_the_body_work_per_item() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "route", "kind": "switch", "params": {"routes": [
                {"name": "big", "condition": "item >= 10"},
                {"name": "skip", "condition": "item < 0"}
            ]}},
            {"id": "big", "kind": "set", "params": {"fields": {"size": "big", "n": "{{ item }}"}}},
            {"id": "small", "kind": "set", "params": {"fields": {"size": "small", "n": "{{ item }}"}}},
            {"id": "join", "kind": "merge"},
            {"id": "dropped", "kind": "log", "params": {"message": "dropped {{ item }}"}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "route"},
            {"from": "route", "from_port": "big", "to": "big"},
            {"from": "route", "from_port": "default", "to": "small"},
            {"from": "route", "from_port": "skip", "to": "dropped"},
            {"from": "big", "to": "join"}, {"from": "small", "to": "join"},
            {"from": "join", "to": "gather"}
        ]),
    );
    let (r, _) = run(&p, json!({"items": [1, 20, -5, 3]})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(
        output(&r, "gather"),
        json!({
            "items": [{"size": "small", "n": 1}, {"size": "big", "n": 20}, {"size": "small", "n": 3}],
            "count": 3,
            "skipped": [{"index": 2, "reason": "did not reach Collect"}]
        })
    );
    assert_eq!(r.logs.len(), 1);
    assert_eq!(
        (r.logs[0].message.as_str(), r.logs[0].item),
        ("dropped -5", Some(2))
    );
    assert_eq!(node(&r, "big").items, 1);
    assert_eq!(node(&r, "small").items, 2);
    assert_eq!(node(&r, "join").items, 3);
}

#[tokio::test]
async fn a_collect_right_after_the_for_each_gathers_the_items_themselves() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "gather", "kind": "collect"}
        ]),
        json!([
            {"from": "start", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "gather"}
        ]),
    );
    let (r, _) = run(&p, json!({"items": ["a", {"b": 1}, null]})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(
        r.output,
        json!({"items": ["a", {"b": 1}, null], "count": 3, "skipped": []})
    );
}

#[tokio::test]
async fn a_for_each_on_a_route_not_taken_is_skipped_with_its_body_and_collect() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "check", "kind": "condition", "params": {"condition": "event.go"}},
            {"id": "loop", "kind": "for_each", "params": {"items": "{{ event.items }}"}},
            {"id": "each", "kind": "set", "params": {"fields": {"x": "{{ item }}"}}},
            {"id": "gather", "kind": "collect"},
            {"id": "after", "kind": "log", "params": {"message": "done"}}
        ]),
        json!([
            {"from": "start", "to": "check"},
            {"from": "check", "from_port": "true", "to": "loop"},
            {"from": "loop", "from_port": "item", "to": "each"},
            {"from": "each", "to": "gather"}, {"from": "gather", "to": "after"}
        ]),
    );
    let (r, _) = run(&p, json!({"go": false, "items": [1]})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    for id in ["loop", "each", "gather", "after"] {
        assert_eq!(node(&r, id).status, NodeStatus::Skipped, "{id}");
    }
    let (r, _) = run(&p, json!({"go": true, "items": [1]})).await;
    assert_eq!(output(&r, "gather")["items"], json!([{"x": 1}]));
    assert_eq!(node(&r, "after").status, NodeStatus::Succeeded);
}
