//! The summary of a run, folded from its events (the same fold a recorder can use).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use switchyard_core::plan::Plan;

use crate::events::{NodeError, RunEvent, RunStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    Pending,
    Running,
    Retrying,
    Succeeded,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NodeReport {
    pub id: String,
    pub status: NodeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Arc<Json>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<NodeError>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempts: u32,
    #[serde(default, serialize_with = "micros")]
    pub duration_ms: f64,
    /// When the node's first attempt (or first item) started, in milliseconds from the start
    /// of the run; with `ended_ms`, where it sits on the run's timeline.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "micros_opt"
    )]
    pub started_ms: Option<f64>,
    /// When its last attempt (or last item) ended, in milliseconds from the start of the run.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "micros_opt"
    )]
    pub ended_ms: Option<f64>,
    /// The node whose output was this node's input (none: the event, or the node did not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_from: Option<String>,
    /// Output ports the node sent data to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    /// Inside a For each: how many items reached the node (0 outside loops).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub items: u32,
    /// Inside a For each: the item whose output `output` is (the highest that succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    /// The output is a pinned sample or a recording: the node did not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Inside a For each, for nodes that call out or wait ([`NodeKind::is_recorded`]): what
    /// each item's run of the node gave, so that a replay can give it back.
    ///
    /// [`NodeKind::is_recorded`]: switchyard_core::kind::NodeKind::is_recorded
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<ItemRecording>,
    /// Inside a For each: attempts started and not yet finished.
    #[serde(skip)]
    in_flight: u32,
    /// Whether `recordings` are kept for this node.
    #[serde(skip)]
    records: bool,
}

/// What one For each item's run of a node gave: its output and ports, or its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ItemRecording {
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Arc<Json>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<NodeError>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunReport {
    pub run_id: String,
    pub status: RunStatus,
    /// Nodes in plan (topological) order.
    pub nodes: Vec<NodeReport>,
    /// The output of the last node of each branch that ran: one value, or an object by node id.
    pub output: Json,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<NodeError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_node: Option<String>,
    #[serde(serialize_with = "micros")]
    pub duration_ms: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogLine>,
    /// Node id to position in `nodes`, so that applying an event is not a linear search
    /// (the plan's own index for a run: the report lists the plan's nodes in its order).
    #[serde(skip)]
    index: Arc<switchyard_core::plan::NodeIndex>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Milliseconds to the microsecond: the journal needs no more, and it keeps it short.
fn micros<S: serde::Serializer>(ms: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((ms * 1000.0).round() / 1000.0)
}

fn micros_opt<S: serde::Serializer>(ms: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => micros(ms, s),
        None => s.serialize_none(),
    }
}

/// Widens a node's place on the timeline with one attempt: from `at`, lasting `took`.
fn widen(n: &mut NodeReport, at: Option<f64>, took: f64) {
    if let Some(at) = at {
        n.started_ms = Some(n.started_ms.map_or(at, |s| s.min(at)));
        let end = at + took;
        n.ended_ms = Some(n.ended_ms.map_or(end, |e| e.max(end)));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LogLine {
    pub node: String,
    pub level: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
}

impl RunReport {
    /// A report of `plan`'s nodes, all pending, in plan order (so the plan's index is its own).
    pub fn new(run_id: &str, plan: &Plan) -> RunReport {
        RunReport {
            run_id: run_id.to_string(),
            status: RunStatus::Running,
            nodes: plan
                .nodes
                .iter()
                .map(|n| NodeReport {
                    id: n.id.clone(),
                    status: NodeStatus::Pending,
                    output: None,
                    error: None,
                    attempts: 0,
                    duration_ms: 0.0,
                    started_ms: None,
                    ended_ms: None,
                    input_from: None,
                    ports: Vec::new(),
                    items: 0,
                    item: None,
                    pinned: false,
                    recordings: Vec::new(),
                    in_flight: 0,
                    records: false,
                })
                .collect(),
            output: Json::Null,
            error: None,
            failed_node: None,
            duration_ms: 0.0,
            logs: Vec::new(),
            index: plan.index.clone(),
        }
    }

    /// Rebuilds the lookup by node id (after reading a report back from a journal).
    pub fn reindex(&mut self) {
        self.index = Arc::new(
            self.nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.clone(), i))
                .collect(),
        );
    }

    /// Keeps what each For each item's run of the node at `position` gave (see
    /// [`NodeReport::recordings`]).
    pub(crate) fn record_items(&mut self, position: usize) {
        self.nodes[position].records = true;
    }

    pub fn node(&self, id: &str) -> Option<&NodeReport> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    fn node_mut(&mut self, id: &str) -> Option<&mut NodeReport> {
        self.index.get(id).map(|&i| &mut self.nodes[i])
    }

    /// Updates the report with one event.
    pub fn apply(&mut self, event: &RunEvent) {
        if let Some(item) = item_of(event) {
            self.apply_item(event, item);
            return;
        }
        match event {
            RunEvent::RunStarted { .. } => {}
            RunEvent::NodeStarted {
                node,
                attempt,
                input_from,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    n.status = NodeStatus::Running;
                    n.attempts = *attempt;
                    n.input_from.clone_from(input_from);
                }
            }
            RunEvent::NodeSucceeded {
                node,
                attempt,
                started_ms,
                duration_ms,
                output,
                ports,
                pinned,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, *duration_ms);
                    n.pinned = *pinned;
                    n.status = NodeStatus::Succeeded;
                    n.attempts = *attempt;
                    n.duration_ms = *duration_ms;
                    n.output = Some(output.clone());
                    n.error = None;
                    n.ports = ports.clone();
                }
            }
            RunEvent::NodeRetrying {
                node,
                attempt,
                started_ms,
                error,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, 0.0);
                    n.status = NodeStatus::Retrying;
                    n.attempts = *attempt;
                    n.error = Some(error.clone());
                }
            }
            RunEvent::NodeFailed {
                node,
                attempt,
                started_ms,
                duration_ms,
                error,
                handled,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, *duration_ms);
                    n.status = NodeStatus::Failed;
                    n.attempts = *attempt;
                    n.duration_ms = *duration_ms;
                    n.error = Some(error.clone());
                    if *handled {
                        n.ports = vec!["error".into()];
                    }
                }
            }
            RunEvent::NodeSkipped { node, .. } => {
                if let Some(n) = self.node_mut(node) {
                    n.status = NodeStatus::Skipped;
                }
            }
            RunEvent::Log {
                node,
                level,
                message,
                item,
            } => self.logs.push(LogLine {
                node: node.clone(),
                level: level.clone(),
                message: message.clone(),
                item: *item,
            }),
            RunEvent::RunFinished {
                status,
                duration_ms,
                error,
                failed_node,
            } => {
                self.status = *status;
                self.duration_ms = *duration_ms;
                self.error = error.clone();
                self.failed_node = failed_node.clone();
            }
        }
    }
}

/// The For each item an event belongs to, if any.
fn item_of(event: &RunEvent) -> Option<u32> {
    match event {
        RunEvent::NodeStarted { item, .. }
        | RunEvent::NodeSucceeded { item, .. }
        | RunEvent::NodeRetrying { item, .. }
        | RunEvent::NodeFailed { item, .. }
        | RunEvent::NodeSkipped { item, .. } => *item,
        _ => None,
    }
}

impl RunReport {
    /// Folds the events of a node inside a For each body, one item at a time: the node failed
    /// when any item's run of it failed (the first error is kept), succeeded when every item
    /// that reached it succeeded, was skipped when no item reached it. Attempts and durations
    /// are summed over items; `output` is the output of the highest item that succeeded.
    fn apply_item(&mut self, event: &RunEvent, item: u32) {
        match event {
            RunEvent::NodeStarted {
                node,
                attempt,
                input_from,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    if *attempt == 1 {
                        n.items += 1;
                    }
                    n.attempts += 1;
                    n.in_flight += 1;
                    if n.status != NodeStatus::Failed {
                        n.status = NodeStatus::Running;
                    }
                    n.input_from.clone_from(input_from);
                }
            }
            RunEvent::NodeSucceeded {
                node,
                started_ms,
                duration_ms,
                output,
                ports,
                pinned,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, *duration_ms);
                    if n.records {
                        n.recordings.push(ItemRecording {
                            item,
                            output: Some(output.clone()),
                            ports: ports.clone(),
                            error: None,
                        });
                    }
                    n.pinned |= *pinned;
                    n.in_flight = n.in_flight.saturating_sub(1);
                    n.duration_ms += *duration_ms;
                    if n.item.is_none_or(|k| item >= k) {
                        n.item = Some(item);
                        n.output = Some(output.clone());
                    }
                    for p in ports {
                        if !n.ports.contains(p) {
                            n.ports.push(p.clone());
                        }
                    }
                    if n.status != NodeStatus::Failed {
                        n.error = None;
                        n.status = if n.in_flight > 0 {
                            NodeStatus::Running
                        } else {
                            NodeStatus::Succeeded
                        };
                    }
                }
            }
            RunEvent::NodeRetrying {
                node,
                started_ms,
                error,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, 0.0);
                    n.in_flight = n.in_flight.saturating_sub(1);
                    if n.status != NodeStatus::Failed {
                        n.status = NodeStatus::Retrying;
                        n.error = Some(error.clone());
                    }
                }
            }
            RunEvent::NodeFailed {
                node,
                started_ms,
                duration_ms,
                error,
                handled,
                ..
            } => {
                if let Some(n) = self.node_mut(node) {
                    widen(n, *started_ms, *duration_ms);
                    // A cancelled item did not give anything a replay could give back.
                    if n.records && error.code != "cancelled" {
                        n.recordings.push(ItemRecording {
                            item,
                            output: None,
                            ports: Vec::new(),
                            error: Some(error.clone()),
                        });
                    }
                    n.in_flight = n.in_flight.saturating_sub(1);
                    n.duration_ms += *duration_ms;
                    if n.status != NodeStatus::Failed {
                        n.status = NodeStatus::Failed;
                        n.error = Some(error.clone());
                    }
                    if *handled && !n.ports.iter().any(|p| p == "error") {
                        n.ports.push("error".into());
                    }
                }
            }
            RunEvent::NodeSkipped { node, .. } => {
                if let Some(n) = self.node_mut(node) {
                    if n.status == NodeStatus::Pending {
                        n.status = NodeStatus::Skipped;
                    }
                }
            }
            _ => {}
        }
    }
}
