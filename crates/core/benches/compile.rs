//! Compile + validate a generated 10,000-node workflow (target: under 20 ms).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use switchyard_core::{compile, WorkflowFile};

/// A trigger followed by `n - 1` nodes in parallel chains of 100, each node with its own
/// expressions (no two alike) that read the event or its predecessor.
fn generated(n: usize) -> String {
    let mut nodes = vec![json!({"id": "start", "kind": "manual_trigger"})];
    let mut edges = Vec::new();
    for i in 1..n {
        let id = format!("n{i}");
        let prev = if i % 100 == 1 {
            "start".to_string()
        } else {
            format!("n{}", i - 1)
        };
        let node = match i % 4 {
            0 => {
                json!({"id": id, "kind": "set", "params": {"fields": {"total": format!("{{{{ event.budget * {i} }}}}"), "email": format!("{{{{ event.email | lower }}}}-{i}")}}})
            }
            1 => {
                json!({"id": id, "kind": "log", "params": {"message": format!("step {i} for {{{{ event.email }}}}")}})
            }
            2 => {
                json!({"id": id, "kind": "filter", "params": {"condition": format!("event.budget >= {i}")}})
            }
            _ => {
                json!({"id": id, "kind": "log", "params": {"message": format!("after {{{{ nodes.{prev} }}}}")}})
            }
        };
        nodes.push(node);
        edges.push(json!({"from": prev, "to": format!("n{i}")}));
    }
    json!({"schema_version": 1, "id": "big", "name": "Big", "nodes": nodes, "edges": edges})
        .to_string()
}

fn bench(c: &mut Criterion) {
    let text = generated(10_000);
    let file = WorkflowFile::from_json(&text).unwrap();
    assert!(compile(&file).is_ok());
    let mut group = c.benchmark_group("compile_10k");
    group.sample_size(20);
    group.bench_function("parse", |b| {
        b.iter(|| WorkflowFile::from_json(&text).unwrap())
    });
    group.bench_function("compile", |b| b.iter(|| compile(&file).unwrap()));
    group.bench_function("parse_and_compile", |b| {
        b.iter(|| compile(&WorkflowFile::from_json(&text).unwrap()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
