//! Per-node engine overhead on a 6-node in-memory workflow (target: under 5 µs per node).
//!
//! `literal`: nodes whose settings contain no expressions, so the time is the engine's own
//! (scheduling, events, report). `expressions`: a realistic lead flow with expressions.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;
use switchyard_core::{compile, WorkflowFile};
use switchyard_engine::{Engine, EngineConfig, RunRequest};

fn plan(nodes: serde_json::Value, edges: serde_json::Value) -> Arc<switchyard_core::Plan> {
    let text = json!({"schema_version": 1, "id": "bench", "name": "Bench", "nodes": nodes, "edges": edges}).to_string();
    Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap())
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = Engine::new(EngineConfig::default());
    let chain = json!([
        {"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "from_port": "true", "to": "c"},
        {"from": "c", "from_port": "hot", "to": "d"}, {"from": "d", "to": "e"}
    ]);
    let literal = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "a", "kind": "set", "params": {"fields": {"tier": "gold"}, "keep_input": true}},
            {"id": "b", "kind": "condition", "params": {"condition": true}},
            {"id": "c", "kind": "switch", "params": {"routes": [{"name": "hot", "condition": true}]}},
            {"id": "d", "kind": "log", "params": {"message": "hot lead"}},
            {"id": "e", "kind": "merge"}
        ]),
        chain.clone(),
    );
    let expressions = plan(
        json!([
            {"id": "start", "kind": "manual_trigger"},
            {"id": "a", "kind": "set", "params": {"fields": {"email": "{{ event.email | lower }}", "score": "{{ event.budget // 1000 }}"}}},
            {"id": "b", "kind": "condition", "params": {"condition": "nodes.a.score > 10"}},
            {"id": "c", "kind": "switch", "params": {"routes": [{"name": "hot", "condition": "nodes.a.score >= 40"}]}},
            {"id": "d", "kind": "log", "params": {"message": "hot lead {{ nodes.a.email }}"}},
            {"id": "e", "kind": "merge"}
        ]),
        chain,
    );
    let event = json!({"email": "Ada@Example.com", "budget": 50000, "message": "Need a demo"});
    let mut group = c.benchmark_group("engine_6_nodes");
    group.throughput(Throughput::Elements(6));
    for (name, p) in [("literal", literal), ("expressions", expressions)] {
        let report =
            rt.block_on(engine.run(p.clone(), RunRequest::new("r", event.clone()), &mut |_| {}));
        assert_eq!(
            report.status,
            switchyard_engine::RunStatus::Succeeded,
            "{report:?}"
        );
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                engine
                    .run(p.clone(), RunRequest::new("r", event.clone()), &mut |_| {})
                    .await
            })
        });
    }
    group.finish();

    // The webhook bench's workflow (tests/fixtures): 10 nodes, 18 expressions; a cold lead, as
    // the webhook bench sends. Then the journal as the app stores it.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/workflows/lead-scoring.json"),
    )
    .unwrap();
    let lead = Arc::new(compile(&WorkflowFile::from_json(&text).unwrap()).unwrap());
    let event = json!({"name": "Lead 1-1", "email": "lead1.1@example.com", "company": "Example Ltd",
                       "budget": 0, "message": "just browsing, student project"});
    let mut group = c.benchmark_group("lead_scoring");
    group.throughput(Throughput::Elements(1));
    group.bench_function("run", |b| {
        b.to_async(&rt).iter(|| async {
            engine
                .run(
                    lead.clone(),
                    RunRequest::new("r", event.clone()),
                    &mut |_| {},
                )
                .await
        })
    });
    group.bench_function("run_and_journal", |b| {
        b.to_async(&rt).iter(|| async {
            let report = engine
                .run(
                    lead.clone(),
                    RunRequest::new("r", event.clone()),
                    &mut |_| {},
                )
                .await;
            serde_json::value::to_raw_value(&report).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
