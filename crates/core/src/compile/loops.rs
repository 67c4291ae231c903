//! For each loops: each For each's body is what its `item` port reaches, up to its Collect
//! (nodes after the Collect are not in it). A body is a closed region: entered only through
//! the `item` port, left only into the Collect. A branch of the body may also end without
//! reaching the Collect (a log per item, a filter): those items are listed as skipped.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::file::WorkflowFile;
use crate::kind::NodeKind;
use crate::plan::{LoopInfo, PlanEdge};

/// The For each's output port whose branch is the loop body.
pub const ITEM_PORT: &str = "item";

/// What the compiler knows about loops, in file indices.
pub(super) struct Loops {
    /// Per node: the loop it opens (For each nodes only).
    pub info: Vec<Option<LoopInfo>>,
    /// Per node: the For each whose body it belongs to.
    pub owner: Vec<Option<usize>>,
}

pub(super) fn analyse(
    file: &WorkflowFile,
    edges: &[PlanEdge],
    diags: &mut Vec<Diagnostic>,
) -> Loops {
    let n = file.nodes.len();
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        succs[e.from].push(e.to);
    }
    let id = |i: usize| file.nodes[i].id.as_str();
    let mut loops = Loops {
        info: vec![None; n],
        owner: vec![None; n],
    };
    let mut collect_owner: Vec<Option<usize>> = vec![None; n];

    for f in (0..n).filter(|&i| file.nodes[i].kind == NodeKind::ForEach) {
        let node = &file.nodes[f];
        if node.retry.is_some() || node.timeout_ms.is_some() {
            let field = if node.retry.is_some() {
                "retry"
            } else {
                "timeout_ms"
            };
            diags.push(
                Diagnostic::error(
                    "invalid_setting",
                    Some(id(f)),
                    format!("a For each is not retried or timed as a whole: set retries and timeouts on the nodes inside \"{}\"'s loop", id(f)),
                )
                .with_field(field),
            );
        }
        let starts: Vec<usize> = edges
            .iter()
            .filter(|e| e.from == f && e.from_port == ITEM_PORT)
            .map(|e| e.to)
            .collect();
        if starts.is_empty() {
            diags.push(Diagnostic::error(
                "loop_without_body",
                Some(id(f)),
                format!("\"{}\" has nothing connected to `Each item`, so there is nothing to run per item", id(f)),
            ));
            loops.info[f] = Some(LoopInfo {
                body: Vec::new(),
                collect: None,
            });
            continue;
        }
        // The body: everything the item port reaches, stopping at Collect nodes.
        let mut in_body = vec![false; n];
        let mut collects = BTreeSet::new();
        let mut stack = Vec::new();
        for s in starts {
            if file.nodes[s].kind == NodeKind::Collect {
                collects.insert(s);
            } else if !in_body[s] {
                in_body[s] = true;
                stack.push(s);
            }
        }
        while let Some(i) = stack.pop() {
            for &s in &succs[i] {
                if s == f || in_body[s] {
                    continue; // a cycle, reported by the graph checks
                }
                if file.nodes[s].kind == NodeKind::Collect {
                    collects.insert(s);
                } else {
                    in_body[s] = true;
                    stack.push(s);
                }
            }
        }
        // What follows the Collect is after the loop, even when a body node also reaches it.
        let mut after = vec![false; n];
        let mut stack: Vec<usize> = collects.iter().copied().collect();
        while let Some(i) = stack.pop() {
            for &s in &succs[i] {
                if !after[s] {
                    after[s] = true;
                    stack.push(s);
                }
            }
        }
        for i in 0..n {
            in_body[i] &= !after[i];
        }
        let body: Vec<usize> = (0..n).filter(|&i| in_body[i]).collect();
        for &b in &body {
            if matches!(
                file.nodes[b].kind,
                NodeKind::EmitEvent | NodeKind::RespondWebhook
            ) {
                // The run records one result per node for these (one event emitted, one
                // answer to the webhook), so they cannot run once per item.
                diags.push(Diagnostic::error(
                    "not_allowed_in_loop",
                    Some(id(b)),
                    format!("\"{}\" cannot run once per item inside the loop of \"{}\": place it after the Collect node", id(b), id(f)),
                ));
            }
            if file.nodes[b].kind == NodeKind::ForEach {
                diags.push(Diagnostic::error(
                    "nested_loop",
                    Some(id(b)),
                    format!("\"{}\" is inside the loop of \"{}\": a For each cannot run inside another; move the inner list into its own workflow and use Emit event", id(b), id(f)),
                ));
            }
            match loops.owner[b] {
                Some(other) if other != f => diags.push(Diagnostic::error(
                    "loop_body_entered_from_outside",
                    Some(id(b)),
                    format!(
                        "\"{}\" is inside the loops of both \"{}\" and \"{}\"",
                        id(b),
                        id(other),
                        id(f)
                    ),
                )),
                _ => loops.owner[b] = Some(f),
            }
        }
        if collects.len() > 1 {
            let names: Vec<&str> = collects.iter().map(|&c| id(c)).collect();
            diags.push(Diagnostic::error(
                "multiple_collects",
                Some(id(f)),
                format!("the loop of \"{}\" reaches several Collect nodes ({}); one Collect closes one loop", id(f), names.join(", ")),
            ));
        }
        let collect = collects.first().copied();
        for e in edges {
            let from_inside = in_body[e.from] || (e.from == f && e.from_port == ITEM_PORT);
            if in_body[e.to] && !from_inside {
                diags.push(Diagnostic::error(
                    "loop_body_entered_from_outside",
                    Some(id(e.to)),
                    format!("\"{}\" runs once per item of \"{}\", but \"{}\" (outside the loop) connects into it; only `Each item` and nodes inside the loop can", id(e.to), id(f), id(e.from)),
                ));
            }
            if in_body[e.from] && !in_body[e.to] && !collects.contains(&e.to) {
                diags.push(Diagnostic::error(
                    "loop_body_leaks",
                    Some(id(e.from)),
                    format!("\"{}\" is inside the loop of \"{}\" but connects to \"{}\" outside it; end the loop with a Collect node and continue from there", id(e.from), id(f), id(e.to)),
                ));
            }
            if collect == Some(e.to) && !from_inside {
                diags.push(Diagnostic::error(
                    "loop_body_entered_from_outside",
                    Some(id(e.to)),
                    format!("\"{}\" collects the loop of \"{}\", so only nodes inside that loop can connect into it, not \"{}\"", id(e.to), id(f), id(e.from)),
                ));
            }
        }
        for &c in &collects {
            collect_owner[c] = Some(f);
        }
        loops.info[f] = Some(LoopInfo { body, collect });
    }

    for c in (0..n).filter(|&i| file.nodes[i].kind == NodeKind::Collect) {
        if collect_owner[c].is_none() {
            diags.push(Diagnostic::error(
                "collect_without_loop",
                Some(id(c)),
                format!("\"{}\" collects nothing: connect it after the nodes that follow a For each's `Each item`", id(c)),
            ));
        }
    }
    loops
}
