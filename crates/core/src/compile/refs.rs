//! Checks what expressions read: `nodes.<id>` must exist and run before the reader,
//! top-level names must exist, and known output fields and sample event fields are checked.

use std::collections::{BTreeSet, HashMap};

use fixedbitset::FixedBitSet;
use serde_json::Value as Json;

use crate::catalog::descriptor;
use crate::diagnostic::Diagnostic;
use crate::expr::{ExprId, Expressions};
use crate::file::WorkflowFile;
use crate::kind::NodeKind;
use crate::plan::{Param, Params, PlanEdge};

/// Names every expression may read, besides minijinja's global functions.
const ROOTS: &[&str] = &["event", "input", "nodes", "vars", "run"];
const GLOBALS: &[&str] = &[
    "range",
    "dict",
    "namespace",
    "debug",
    "lipsum",
    "cycler",
    "joiner",
];

pub(super) struct RefCx<'a> {
    pub file: &'a WorkflowFile,
    pub index: &'a HashMap<&'a str, usize>,
    pub edges: &'a [PlanEdge],
    pub compiled: &'a [Params],
    pub ex: &'a Expressions,
    pub loops: &'a super::loops::Loops,
}

pub(super) fn check(
    cx: &RefCx<'_>,
    exprs: &[Vec<(String, ExprId)>],
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let n = cx.file.nodes.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in cx.edges {
        preds[e.to].push(e.from);
        succs[e.from].push(e.to);
    }
    // Descendants of each referenced node, computed once per target when needed.
    let mut descendants: HashMap<usize, FixedBitSet> = HashMap::new();
    let sample_keys = sample_event_keys(cx);

    for (reader, list) in exprs.iter().enumerate() {
        let node = &cx.file.nodes[reader];
        for (field, id) in list {
            for path in cx.ex.references(*id) {
                let root = path[0].as_str();
                let diag = |code: &str, msg: String| {
                    Diagnostic::error(code, Some(&node.id), msg).with_field(field.clone())
                };
                if root == "item" && node.kind == NodeKind::Filter && field == "condition" {
                    continue;
                }
                if root == "item" || root == "item_index" {
                    if cx.loops.owner[reader].is_none() {
                        errors.push(diag(
                            "unknown_variable",
                            format!(
                                "`{root}` only exists inside a For each's loop (the nodes after its `Each item`), and \"{}\" is not in one",
                                node.id
                            ),
                        ));
                    }
                    continue;
                }
                if GLOBALS.contains(&root) {
                    continue;
                }
                if !ROOTS.contains(&root) {
                    errors.push(diag(
                        "unknown_variable",
                        format!(
                            "`{root}` is not something an expression can read; use event, input, nodes.<id>, vars or run (e.g. event.{root})"
                        ),
                    ));
                    continue;
                }
                if root == "vars" {
                    if let Some(name) = path.get(1) {
                        if !cx.file.vars.contains_key(name) {
                            errors.push(diag(
                                "unknown_variable",
                                format!("the workflow has no variable `{name}`; add it to the workflow's variables"),
                            ));
                        }
                    }
                    continue;
                }
                if root == "event" {
                    if let (Some(keys), Some(name)) = (&sample_keys, path.get(1)) {
                        if !keys.contains(name.as_str()) {
                            warnings.push(
                                Diagnostic::warning(
                                    "unknown_field",
                                    Some(&node.id),
                                    format!(
                                "`event.{name}` is not in the trigger's sample event (it has: {})",
                                keys.iter().cloned().collect::<Vec<_>>().join(", ")
                            ),
                                )
                                .with_field(field.clone()),
                            );
                        }
                    }
                    continue;
                }
                if root != "nodes" {
                    continue;
                }
                let Some(target_id) = path.get(1) else {
                    continue;
                };
                let Some(&target) = cx.index.get(target_id.as_str()) else {
                    errors.push(diag(
                        "unknown_node_reference",
                        format!("`nodes.{target_id}` refers to a node that does not exist in this workflow"),
                    ));
                    continue;
                };
                if let Some(f) = cx.loops.owner[target] {
                    if cx.loops.owner[reader] != Some(f) {
                        let via = cx.loops.info[f]
                            .as_ref()
                            .and_then(|l| l.collect)
                            .map(|c| {
                                format!(
                                    "; read the results from the Collect node \"{}\" instead",
                                    cx.file.nodes[c].id
                                )
                            })
                            .unwrap_or_default();
                        errors.push(diag(
                            "reference_into_loop",
                            format!(
                                "`nodes.{target_id}` runs once per item inside the loop of \"{}\", so \"{}\" (outside that loop) cannot read it{via}",
                                cx.file.nodes[f].id, node.id
                            ),
                        ));
                        continue;
                    }
                }
                let upstream = target != reader
                    && (preds[reader].contains(&target)
                        || descendants
                            .entry(target)
                            .or_insert_with(|| reach(&succs, target))
                            .contains(reader));
                if !upstream {
                    errors.push(diag(
                        "reference_not_upstream",
                        format!(
                            "`nodes.{target_id}` does not run before \"{}\": a node can only read nodes connected before it",
                            node.id
                        ),
                    ));
                    continue;
                }
                if let (Some(keys), Some(key)) = (output_keys(cx, target), path.get(2)) {
                    if !keys.contains(key) {
                        warnings.push(
                            Diagnostic::warning(
                                "unknown_field",
                                Some(&node.id),
                                format!(
                                    "`nodes.{target_id}.{key}` does not exist: \"{target_id}\" outputs {}",
                                    keys.into_iter().collect::<Vec<_>>().join(", ")
                                ),
                            )
                            .with_field(field.clone()),
                        );
                    }
                }
            }
        }
    }
}

/// Every node reachable from `start`.
fn reach(succs: &[Vec<usize>], start: usize) -> FixedBitSet {
    let mut seen = FixedBitSet::with_capacity(succs.len());
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        for &s in &succs[i] {
            if !seen.put(s) {
                stack.push(s);
            }
        }
    }
    seen
}

/// The output keys of a node when they are known without running it.
fn output_keys(cx: &RefCx<'_>, node: usize) -> Option<BTreeSet<String>> {
    let kind = cx.file.nodes[node].kind;
    if let Some(keys) = &descriptor(kind).output_keys {
        return Some(keys.iter().cloned().collect());
    }
    if kind == NodeKind::AiExtract {
        let fields = cx.compiled[node].list("fields");
        return Some(
            fields
                .iter()
                .filter_map(|f| f.str("name"))
                .map(String::from)
                .collect(),
        );
    }
    if kind == NodeKind::Set && cx.compiled[node].bool("keep_input") == Some(false) {
        if let Some(Param::KeyValue(kv)) = cx.compiled[node].get("fields") {
            return Some(
                kv.iter()
                    .map(|(k, _)| k.split('.').next().unwrap_or(k).to_string())
                    .collect(),
            );
        }
    }
    None
}

/// The top-level keys of the triggers' sample events, when every trigger has one.
fn sample_event_keys(cx: &RefCx<'_>) -> Option<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    let mut any = false;
    for n in cx.file.nodes.iter().filter(|n| n.kind.is_trigger()) {
        match n.params.get("sample") {
            Some(Json::Object(m)) => {
                any = true;
                keys.extend(m.keys().cloned());
            }
            _ => return None,
        }
    }
    any.then_some(keys)
}
