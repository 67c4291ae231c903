//! Two runs side by side: node by node, their status, error, output (where the values differ,
//! by path) and duration. Pure: the journals in, the comparison out.

use serde_json::Value as Json;
use switchyard_engine::{NodeReport, RunReport};
use switchyard_store::RunSummary;

use crate::api::{NodeComparison, RunComparison, ValueDifference};

/// Differences listed per node; beyond this, `more_differences` says there are more.
const MAX_DIFFERENCES: usize = 50;

pub(crate) fn compare(
    a: RunSummary,
    ra: &RunReport,
    b: RunSummary,
    rb: &RunReport,
) -> RunComparison {
    let mut nodes: Vec<NodeComparison> = ra
        .nodes
        .iter()
        .map(|na| node(&na.id, Some(na), rb.nodes.iter().find(|n| n.id == na.id)))
        .collect();
    nodes.extend(
        rb.nodes
            .iter()
            .filter(|nb| !ra.nodes.iter().any(|n| n.id == nb.id))
            .map(|nb| node(&nb.id, None, Some(nb))),
    );
    let same_outcome = nodes
        .iter()
        .all(|n| !n.status_differs && !n.output_differs && !n.error_differs);
    RunComparison {
        same_output: ra.output == rb.output,
        a,
        b,
        nodes,
        same_outcome,
    }
}

fn node(id: &str, a: Option<&NodeReport>, b: Option<&NodeReport>) -> NodeComparison {
    let mut differences = Vec::new();
    let mut more = false;
    let (oa, ob) = (
        a.and_then(|n| n.output.as_deref()),
        b.and_then(|n| n.output.as_deref()),
    );
    if oa != ob {
        diff("", oa, ob, &mut differences, &mut more);
    }
    let error = |n: Option<&NodeReport>| {
        n.and_then(|n| n.error.as_ref())
            .map(|e| (e.code.clone(), e.message.clone()))
    };
    NodeComparison {
        node: id.to_string(),
        status_differs: a.map(|n| n.status) != b.map(|n| n.status),
        output_differs: oa != ob,
        error_differs: error(a) != error(b),
        differences,
        more_differences: more,
        duration_delta_ms: match (a, b) {
            (Some(a), Some(b)) => Some(b.duration_ms - a.duration_ms),
            _ => None,
        },
        a: a.cloned(),
        b: b.cloned(),
    }
}

/// Collects where `a` and `b` differ, depth first, objects by key and lists by position.
fn diff(
    path: &str,
    a: Option<&Json>,
    b: Option<&Json>,
    out: &mut Vec<ValueDifference>,
    more: &mut bool,
) {
    if a == b {
        return;
    }
    if out.len() >= MAX_DIFFERENCES {
        *more = true;
        return;
    }
    match (a, b) {
        (Some(Json::Object(ma)), Some(Json::Object(mb))) => {
            let mut keys: Vec<&String> = ma.keys().chain(mb.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff(&p, ma.get(k), mb.get(k), out, more);
            }
        }
        (Some(Json::Array(la)), Some(Json::Array(lb))) => {
            for i in 0..la.len().max(lb.len()) {
                diff(&format!("{path}[{i}]"), la.get(i), lb.get(i), out, more);
            }
        }
        _ => out.push(ValueDifference {
            path: path.to_string(),
            a: a.cloned(),
            b: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn differences(a: Json, b: Json) -> Vec<(String, Option<Json>, Option<Json>)> {
        let (mut out, mut more) = (Vec::new(), false);
        diff("", Some(&a), Some(&b), &mut out, &mut more);
        out.into_iter().map(|d| (d.path, d.a, d.b)).collect()
    }

    #[test]
    fn differences_are_listed_by_path() {
        let got = differences(
            json!({"status": 200, "body": {"items": [{"n": 1}, {"n": 2}], "same": true}, "gone": 1}),
            json!({"status": 200, "body": {"items": [{"n": 1}, {"n": 3}, {"n": 4}], "same": true}, "new": "x"}),
        );
        assert_eq!(
            got,
            [
                ("body.items[1].n".into(), Some(json!(2)), Some(json!(3))),
                ("body.items[2]".into(), None, Some(json!({"n": 4}))),
                ("gone".into(), Some(json!(1)), None),
                ("new".into(), None, Some(json!("x"))),
            ]
        );
        assert_eq!(
            differences(json!(1), json!("1")),
            [("".into(), Some(json!(1)), Some(json!("1")))]
        );
        assert!(differences(json!({"a": [1]}), json!({"a": [1]})).is_empty());
    }

    #[test]
    fn long_differences_stop_at_the_limit() {
        let a = Json::Array((0..80).map(|i| json!(i)).collect());
        let b = Json::Array((0..80).map(|i| json!(i + 1)).collect());
        let (mut out, mut more) = (Vec::new(), false);
        diff("", Some(&a), Some(&b), &mut out, &mut more);
        assert_eq!((out.len(), more), (MAX_DIFFERENCES, true));
    }
}
