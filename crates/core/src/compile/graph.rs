//! Graph checks with petgraph: cycles (named, in order), reachability from a trigger, and
//! the topological order the plan is built in.

use std::collections::{HashMap, VecDeque};

use fixedbitset::FixedBitSet;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::Diagnostic;
use crate::file::WorkflowFile;
use crate::plan::PlanEdge;

/// Reports cycles and unreachable nodes; returns the topological order when there is one.
pub(super) fn analyse(
    file: &WorkflowFile,
    edges: &[PlanEdge],
    triggers: &[usize],
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<usize>> {
    let n = file.nodes.len();
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        g.add_node(());
    }
    for e in edges {
        g.add_edge(NodeIndex::new(e.from), NodeIndex::new(e.to), ());
    }

    let mut in_cycle = FixedBitSet::with_capacity(n);
    let mut sccs = tarjan_scc(&g);
    sccs.reverse(); // tarjan_scc yields reverse topological order
    for scc in sccs {
        let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
        if !cyclic {
            continue;
        }
        for ix in &scc {
            in_cycle.insert(ix.index());
        }
        let cycle = cycle_path(&g, &scc);
        let names: Vec<&str> = cycle.iter().map(|&i| file.nodes[i].id.as_str()).collect();
        let first = names[0];
        diags.push(Diagnostic::error(
            "cycle",
            Some(first),
            format!(
                "these nodes form a loop, so none of them could ever start: {} → {first}",
                names.join(" → ")
            ),
        ));
    }

    // Reachability from the triggers.
    let mut reached = FixedBitSet::with_capacity(n);
    let mut queue: VecDeque<NodeIndex> = triggers.iter().map(|&t| NodeIndex::new(t)).collect();
    for &t in triggers {
        reached.insert(t);
    }
    while let Some(ix) = queue.pop_front() {
        for next in g.neighbors(ix) {
            if !reached.put(next.index()) {
                queue.push_back(next);
            }
        }
    }
    if !triggers.is_empty() {
        for (i, node) in file.nodes.iter().enumerate() {
            if !reached.contains(i) && !in_cycle.contains(i) {
                diags.push(Diagnostic::error(
                    "unreachable_node",
                    Some(&node.id),
                    format!(
                        "\"{}\" is not connected to a trigger, so it would never run",
                        node.id
                    ),
                ));
            }
        }
    }

    toposort(&g, None)
        .ok()
        .map(|order| order.into_iter().map(|ix| ix.index()).collect())
}

/// One cycle through the strongly connected component, starting at its first node in file
/// order, as node indices.
fn cycle_path(g: &DiGraph<(), ()>, scc: &[NodeIndex]) -> Vec<usize> {
    let start = *scc.iter().min().expect("an SCC is never empty");
    if scc.len() == 1 {
        return vec![start.index()];
    }
    let members: FixedBitSet = {
        let mut b = FixedBitSet::with_capacity(g.node_count());
        for ix in scc {
            b.insert(ix.index());
        }
        b
    };
    // Breadth-first search inside the component for the shortest way back to `start`.
    let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(ix) = queue.pop_front() {
        for next in g.neighbors(ix) {
            if !members.contains(next.index()) {
                continue;
            }
            if next == start {
                let mut path = vec![ix.index()];
                let mut cur = ix;
                while cur != start {
                    cur = prev[&cur];
                    path.push(cur.index());
                }
                path.reverse();
                return path;
            }
            if next != start && !prev.contains_key(&next) {
                prev.insert(next, ix);
                queue.push_back(next);
            }
        }
    }
    scc.iter().map(|ix| ix.index()).collect()
}
