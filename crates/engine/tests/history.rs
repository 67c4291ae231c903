//! What run history needs from the engine: each node's place on the run's timeline, the
//! per-item recordings of nodes that call out, replays that give recordings back (calling
//! nothing), and a For each given its outcome (a retry from a node after the loop).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde_json::{json, Value as Json};
use switchyard_core::{compile, Pin, Plan, WorkflowFile};
use switchyard_engine::{
    Engine, EngineConfig, NodeError, NodeStatus, Outcome, Recorded, RunReport, RunRequest,
    RunStatus, StandIn,
};

fn plan(nodes: Json, edges: Json) -> Arc<Plan> {
    let text = json!({"schema_version": 1, "id": "t", "name": "T", "nodes": nodes, "edges": edges})
        .to_string();
    Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap_or_else(|d| panic!("{d:#?}")))
}

async fn run(plan: &Arc<Plan>, req: RunRequest) -> RunReport {
    Engine::new(EngineConfig::default())
        .run(plan.clone(), req, &mut |_| {})
        .await
}

fn output(r: &RunReport, id: &str) -> Json {
    r.node(id)
        .and_then(|n| n.output.as_deref().cloned())
        .unwrap_or_else(|| panic!("{id} has no output: {r:#?}"))
}

/// A stand-in for an outside call that counts its calls, answers `{n, item}` and fails for
/// the item "bad".
fn counting(calls: &Arc<AtomicU32>) -> StandIn {
    let calls = calls.clone();
    Arc::new(move |input: &Json| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        if input == "bad" {
            return Err(NodeError::new("http_status", "the server answered 500"));
        }
        Ok(json!({"n": n, "item": input}))
    })
}

/// start -> each (For each over event.list, items that fail are skipped) -> call (HTTP) -> gather.
fn looped() -> Arc<Plan> {
    plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "each", "kind": "for_each",
             "params": {"items": "{{ event.list }}", "concurrency": 1, "on_item_error": "skip"}},
            {"id": "call", "kind": "http_request", "params": {"url": "http://127.0.0.1:9/x"}},
            {"id": "gather", "kind": "collect"},
            {"id": "after", "kind": "set", "params": {"fields": {"count": "{{ input.count }}"}}}
        ]),
        json!([
            {"from": "start", "to": "each"},
            {"from": "each", "from_port": "item", "to": "call"},
            {"from": "call", "to": "gather"},
            {"from": "gather", "to": "after"}
        ]),
    )
}

#[tokio::test(start_paused = true)]
async fn nodes_have_their_place_on_the_run_timeline() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "wait", "kind": "delay", "params": {"amount": 2, "unit": "seconds"}},
            {"id": "after", "kind": "set", "params": {"fields": {"done": true}}}
        ]),
        json!([{"from": "start", "to": "wait"}, {"from": "wait", "to": "after"}]),
    );
    let r = run(&p, RunRequest::new("r1", json!({}))).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    let wait = r.node("wait").unwrap();
    let after = r.node("after").unwrap();
    let (ws, we) = (wait.started_ms.unwrap(), wait.ended_ms.unwrap());
    // The clock is paused: the wait takes exactly its two seconds of the run's time.
    assert!(ws < 1.0 && we - ws >= 2000.0, "{wait:?}");
    assert!(
        after.started_ms.unwrap() >= we,
        "{after:?} starts after {wait:?}"
    );
    assert!(r.duration_ms >= after.ended_ms.unwrap());
    let journal = serde_json::to_value(&r).unwrap();
    assert!(journal["nodes"][1]["started_ms"].is_number(), "{journal}");
}

#[tokio::test]
async fn a_replay_gives_back_each_items_recording_and_calls_nothing() {
    let p = looped();
    let calls = Arc::new(AtomicU32::new(0));
    let event = json!({"list": ["a", "bad", "c"]});
    let mut req = RunRequest::new("r1", event.clone());
    req.stand_ins.insert("call".into(), counting(&calls));
    let original = run(&p, req).await;
    assert_eq!(original.status, RunStatus::Succeeded, "{original:#?}");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let call = original.node("call").unwrap();
    let items: Vec<u32> = call.recordings.iter().map(|r| r.item).collect();
    assert_eq!(items, [0, 1, 2], "one recording per item");
    assert_eq!(
        call.recordings[1].error.as_ref().unwrap().code,
        "http_status"
    );
    assert!(original.node("start").unwrap().recordings.is_empty());

    // The replay: the recordings, read back from the journal, stand in for the calls.
    let journal: RunReport =
        serde_json::from_str(&serde_json::to_string(&original).unwrap()).unwrap();
    let mut recorded = Recorded::default();
    for r in &journal
        .nodes
        .iter()
        .find(|n| n.id == "call")
        .unwrap()
        .recordings
    {
        let outcome = match (&r.output, &r.error) {
            (_, Some(e)) => Outcome::Failed(e.clone()),
            (Some(o), None) => Outcome::Output(Arc::new(Pin {
                output: o.clone(),
                ports: r.ports.clone(),
            })),
            (None, None) => unreachable!(),
        };
        recorded.items.insert(r.item, outcome);
    }
    let mut req = RunRequest::new("r2", event);
    req.stand_ins.insert("call".into(), counting(&calls));
    req.recorded.insert("call".into(), recorded);
    let replay = run(&p, req).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3, "nothing was called again");
    assert_eq!(output(&replay, "gather"), output(&original, "gather"));
    assert_eq!(output(&replay, "after"), json!({"count": 2}));
    assert!(replay.node("call").unwrap().pinned);
}

#[tokio::test]
async fn a_replay_does_not_run_what_was_not_recorded_nor_retry_a_recorded_failure() {
    let p = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "first", "kind": "http_request", "params": {"url": "http://127.0.0.1:9/a"},
             "retry": {"max_attempts": 3, "backoff_ms": 60000, "max_backoff_ms": 60000}},
            {"id": "second", "kind": "http_request", "params": {"url": "http://127.0.0.1:9/b"}}
        ]),
        json!([{"from": "start", "to": "first"}, {"from": "first", "to": "second"}]),
    );
    let calls = Arc::new(AtomicU32::new(0));
    let failed = NodeError::new("http_status", "the server answered 503");
    let mut req = RunRequest::new("r1", json!({}));
    req.stand_ins.insert("first".into(), counting(&calls));
    req.recorded.insert(
        "first".into(),
        Recorded {
            run: Some(Outcome::Failed(failed.clone())),
            ..Recorded::default()
        },
    );
    let r = run(&p, req).await;
    assert_eq!(r.status, RunStatus::Failed);
    let first = r.node("first").unwrap();
    assert_eq!((first.attempts, first.error.as_ref()), (1, Some(&failed)));
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    let mut req = RunRequest::new("r2", json!({}));
    req.stand_ins.insert("first".into(), counting(&calls));
    req.recorded.insert("first".into(), Recorded::default());
    let r = run(&p, req).await;
    assert_eq!(
        r.node("first").unwrap().error.as_ref().unwrap().code,
        "not_recorded"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "a replay calls nothing");
}

#[tokio::test]
async fn a_for_each_given_its_outcome_does_not_run_its_body() {
    let p = looped();
    let calls = Arc::new(AtomicU32::new(0));
    let pin = |output: Json, ports: &[&str]| {
        Arc::new(Pin {
            output: Arc::new(output),
            ports: ports.iter().map(|p| p.to_string()).collect(),
        })
    };
    let gathered = json!({"items": [{"n": 1}], "count": 1, "skipped": []});
    let mut req = RunRequest::new("r1", json!({"list": ["a"]}));
    req.stand_ins.insert("call".into(), counting(&calls));
    req.pins = HashMap::from([
        (
            "each".to_string(),
            pin(json!({"count": 1, "skipped": []}), &["item"]),
        ),
        ("gather".to_string(), pin(gathered.clone(), &["out"])),
    ]);
    let r = run(&p, req).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:#?}");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the body did not run");
    assert_eq!(r.node("call").unwrap().status, NodeStatus::Skipped);
    assert!(r.node("each").unwrap().pinned && r.node("gather").unwrap().pinned);
    assert_eq!(output(&r, "gather"), gathered);
    assert_eq!(output(&r, "after"), json!({"count": 1}));
}
