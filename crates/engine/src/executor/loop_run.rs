//! For each: the list is evaluated once, then each item runs the loop body in its own
//! [`Frame`] (its own per-node state and outputs, falling back to the run's), at most
//! `concurrency` items at a time, all on the run's task. The Collect node then runs once, with
//! the values that reached it in the list's order.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value as Json};
use switchyard_core::compile::ITEM_PORT;
use switchyard_core::expr::Outputs;
use switchyard_core::plan::LoopInfo;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Frame, FrameId, Run, State, Timing, TOP};
use crate::events::{NodeError, RunEvent};
use crate::nodes::{shorten, NodeOutput, Ports};

/// What an item's frame knows about its item.
pub(super) struct ItemCx {
    /// The For each node.
    pub loop_node: usize,
    pub index: u32,
    pub value: Arc<Json>,
    /// The value that reached the Collect, once one did.
    pub reached: Option<Arc<Json>>,
    /// The unhandled failure that ended this item.
    pub failure: Option<(usize, NodeError)>,
    /// Cancelled when the item is abandoned: its futures end.
    pub stop: CancellationToken,
}

/// One For each node while its items run.
pub(super) struct LoopRun {
    /// The list; each element is moved out when its item starts.
    items: Vec<Json>,
    next: usize,
    in_flight: usize,
    concurrency: usize,
    skip_failed: bool,
    collect: Option<usize>,
    /// Per item: the value that reached the Collect (only kept when there is a Collect).
    results: Vec<Option<Arc<Json>>>,
    /// Items left out: failed (when skipping) or did not reach the Collect.
    skipped: Vec<(u32, Json)>,
    /// Failed items, for the For each's own output.
    failed_items: Vec<(u32, Json)>,
    /// The failure that stops the loop (`on_item_error: stop`).
    failed: Option<NodeError>,
    started: Instant,
}

impl Run<'_> {
    /// Starts a For each (already marked running in the run's frame).
    pub(super) fn start_loop(&mut self, node: usize, work: &mut Vec<(usize, bool)>) {
        let plan = self.plan.clone();
        let pn = &plan.nodes[node];
        let info: &LoopInfo = pn.loop_body.as_ref().expect("a For each has a loop");
        let input_from = self.input_from(TOP, node);
        self.top.attempt[node] = 1;
        self.emit(RunEvent::NodeStarted {
            node: pn.id.clone(),
            attempt: 1,
            input_from,
            item: None,
        });
        // The body runs in the items' frames, never in the run's own.
        for &b in &info.body {
            self.top.state[b] = State::Done;
        }
        let cx = self.node_cx(TOP, node);
        let items = match cx.eval("items") {
            Ok(Some(Json::Array(items))) => items,
            Ok(other) => {
                let got = other.unwrap_or(Json::Null);
                let err = NodeError::new(
                    "invalid_value",
                    format!(
                        "items must be a list, got {}",
                        shorten(&got.to_string(), 60)
                    ),
                )
                .in_field("items");
                let at = self.started.elapsed();
                self.fail(TOP, node, 1, Timing::new(at, Duration::ZERO), err, work);
                self.close_body(node);
                return;
            }
            Err(err) => {
                let at = self.started.elapsed();
                self.fail(TOP, node, 1, Timing::new(at, Duration::ZERO), err, work);
                self.close_body(node);
                return;
            }
        };
        drop(cx);
        let concurrency = pn
            .params
            .literal("concurrency")
            .and_then(Json::as_u64)
            .unwrap_or(4)
            .clamp(1, 64) as usize;
        let results = match info.collect {
            Some(_) => vec![None; items.len()],
            None => Vec::new(),
        };
        self.loops.insert(
            node,
            LoopRun {
                items,
                next: 0,
                in_flight: 0,
                concurrency,
                skip_failed: pn.params.str("on_item_error") == Some("skip"),
                collect: info.collect,
                results,
                skipped: Vec::new(),
                failed_items: Vec::new(),
                failed: None,
                started: Instant::now(),
            },
        );
        self.pump(node);
    }

    /// Starts items while there is room; finishes the loop when nothing is left.
    fn pump(&mut self, node: usize) {
        loop {
            let lp = self.loops.get_mut(&node).expect("a running loop");
            if lp.failed.is_some() || lp.next == lp.items.len() || lp.in_flight >= lp.concurrency {
                break;
            }
            let index = lp.next;
            lp.next += 1;
            lp.in_flight += 1;
            let value = Arc::new(std::mem::take(&mut lp.items[index]));
            let fid = self.start_item(node, index as u32, value);
            if self.item_settled(fid) {
                self.finish_item(fid);
            }
        }
        let lp = &self.loops[&node];
        if lp.in_flight == 0 && (lp.failed.is_some() || lp.next == lp.items.len()) {
            self.finish_loop(node);
        }
    }

    fn start_item(&mut self, node: usize, index: u32, value: Arc<Json>) -> FrameId {
        let fid = self.next_frame;
        self.next_frame += 1;
        let outputs = Outputs::child(self.top.outputs.clone());
        // Inside the body, the For each's output is the item.
        outputs.set(node, value.clone());
        let item = ItemCx {
            loop_node: node,
            index,
            value,
            reached: None,
            failure: None,
            stop: CancellationToken::new(),
        };
        let mut frame = Frame::new(&self.plan, Arc::new(outputs), Some(item));
        frame.state[node] = State::Done;
        self.frames.insert(fid, frame);
        let work: Vec<(usize, bool)> = self.plan.nodes[node]
            .outputs
            .iter()
            .filter(|&&e| self.plan.edges[e].from_port == ITEM_PORT)
            .map(|&e| (e, true))
            .collect();
        self.resolve_all(fid, work);
        fid
    }

    /// Whether an item is over: it failed, or none of its nodes is running.
    fn item_settled(&self, fid: FrameId) -> bool {
        let f = &self.frames[&fid];
        f.running == 0 || f.item.as_ref().is_some_and(|i| i.failure.is_some())
    }

    /// After an item's frame changed: when the item is over, records it and starts the next.
    pub(super) fn settle_item(&mut self, fid: FrameId) {
        if !self.frames.contains_key(&fid) || !self.item_settled(fid) {
            return;
        }
        let node = self.frames[&fid]
            .item
            .as_ref()
            .expect("an item frame")
            .loop_node;
        self.finish_item(fid);
        self.pump(node);
    }

    /// Records the end of one item (without starting others).
    fn finish_item(&mut self, fid: FrameId) {
        let failure = self.frames[&fid]
            .item
            .as_ref()
            .and_then(|i| i.failure.clone());
        if let Some((failed, _)) = &failure {
            let reason = format!("stopped because \"{}\" failed", self.plan.nodes[*failed].id);
            self.abort_item(fid, &reason);
        }
        let frame = self.frames.remove(&fid).expect("a live frame");
        let item = frame.item.expect("an item frame");
        let node = item.loop_node;
        let plan = self.plan.clone();
        let lp = self.loops.get_mut(&node).expect("a running loop");
        lp.in_flight -= 1;
        match failure {
            Some((at, error)) => {
                let entry = json!({
                    "index": item.index,
                    "reason": "failed",
                    "error": {"code": error.code, "message": error.message, "node": plan.nodes[at].id},
                });
                if lp.skip_failed {
                    lp.skipped.push((item.index, entry.clone()));
                    lp.failed_items.push((item.index, entry));
                } else if lp.failed.is_none() {
                    lp.failed = Some(NodeError::new(
                        "item_failed",
                        format!(
                            "item {} failed at \"{}\": {}",
                            item.index, plan.nodes[at].id, error.message
                        ),
                    ));
                    // Stop: the other items in flight are abandoned.
                    let others: Vec<FrameId> = self
                        .frames
                        .iter()
                        .filter(|(_, f)| f.item.as_ref().is_some_and(|i| i.loop_node == node))
                        .map(|(&id, _)| id)
                        .collect();
                    let reason = format!("stopped because item {} failed", item.index);
                    for other in others {
                        self.abort_item(other, &reason);
                        self.frames.remove(&other);
                        self.loops.get_mut(&node).expect("a running loop").in_flight -= 1;
                    }
                }
            }
            None => {
                if lp.collect.is_some() {
                    match item.reached {
                        Some(v) => lp.results[item.index as usize] = Some(v),
                        None => lp.skipped.push((
                            item.index,
                            json!({"index": item.index, "reason": "did not reach Collect"}),
                        )),
                    }
                }
            }
        }
    }

    /// Stops what an item still has going: its futures end, running nodes are cancelled and
    /// pending ones skipped.
    pub(super) fn abort_item(&mut self, fid: FrameId, reason: &str) {
        let Some(frame) = self.frames.get(&fid) else {
            return;
        };
        let item = frame.item.as_ref().expect("an item frame");
        item.stop.cancel();
        let plan = self.plan.clone();
        let body = &plan.nodes[item.loop_node]
            .loop_body
            .as_ref()
            .expect("a For each has a loop")
            .body;
        for &b in body {
            self.stop_node(fid, b, reason);
        }
    }

    /// Every item is over (or the loop stopped): the For each succeeds or fails, and its
    /// Collect runs.
    fn finish_loop(&mut self, node: usize) {
        let lp = self.loops.remove(&node).expect("a running loop");
        let timing = Timing::until_now(self.started, lp.started);
        let mut work = Vec::new();
        self.close_body(node);
        match lp.failed {
            Some(err) => self.fail(TOP, node, 1, timing, err, &mut work),
            None => {
                let count = lp.items.len();
                let mut failed = lp.failed_items;
                failed.sort_by_key(|(i, _)| *i);
                let summary = json!({
                    "count": count,
                    "skipped": failed.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
                });
                let ports = if count > 0 {
                    vec![ITEM_PORT.to_string()]
                } else {
                    Vec::new()
                };
                let out = NodeOutput {
                    value: Arc::new(summary),
                    ports: Ports::Named(ports),
                    logs: Vec::new(),
                };
                self.succeed(TOP, node, 1, timing, out, &mut work);
                // The `item` port leads into the body, not onwards: without a Collect, the
                // For each ends its branch (its summary is an output of the run).
                self.top.sent[node] = lp.collect.is_some();
                if let Some(c) = lp.collect {
                    let mut skipped = lp.skipped;
                    skipped.sort_by_key(|(i, _)| *i);
                    let items: Vec<Json> = lp
                        .results
                        .into_iter()
                        .flatten()
                        .map(|v| Arc::try_unwrap(v).unwrap_or_else(|v| v.as_ref().clone()))
                        .collect();
                    let value = json!({
                        "count": items.len(),
                        "items": items,
                        "skipped": skipped.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
                    });
                    self.run_collect(node, c, NodeOutput::out(value), &mut work);
                }
            }
        }
        self.resolve_all(TOP, work);
    }

    /// Gives a Collect its value (it has no attempt of its own).
    fn run_collect(
        &mut self,
        node: usize,
        collect: usize,
        out: NodeOutput,
        work: &mut Vec<(usize, bool)>,
    ) {
        if self.top.state[collect] != State::Pending {
            return;
        }
        self.top.state[collect] = State::Running;
        self.top.running += 1;
        self.top.attempt[collect] = 1;
        self.emit(RunEvent::NodeStarted {
            node: self.plan.nodes[collect].id.clone(),
            attempt: 1,
            input_from: Some(self.plan.nodes[node].id.clone()),
            item: None,
        });
        let at = self.started.elapsed();
        self.succeed(TOP, collect, 1, Timing::new(at, Duration::ZERO), out, work);
    }

    /// A For each given its outcome (a retry from a node after the loop): its body does not
    /// run (its nodes are reported skipped), and its Collect gives its own pinned value, or
    /// is skipped when it has none.
    pub(super) fn give_loop(
        &mut self,
        node: usize,
        pin: &switchyard_core::Pin,
        work: &mut Vec<(usize, bool)>,
    ) {
        let plan = self.plan.clone();
        let info = plan.nodes[node]
            .loop_body
            .as_ref()
            .expect("a For each has a loop");
        let input_from = self.input_from(TOP, node);
        self.top.attempt[node] = 1;
        self.emit(RunEvent::NodeStarted {
            node: plan.nodes[node].id.clone(),
            attempt: 1,
            input_from,
            item: None,
        });
        for &b in &info.body {
            self.top.state[b] = State::Done;
        }
        self.close_body(node);
        let at = self.started.elapsed();
        let out = NodeOutput::to(pin.output.clone(), Vec::new());
        self.succeed(TOP, node, 1, Timing::new(at, Duration::ZERO), out, work);
        self.top.sent[node] = info.collect.is_some();
        if let Some(c) = info.collect {
            match self.pin(c) {
                Some(p) => {
                    let out = NodeOutput::to(p.output.clone(), p.ports.clone());
                    self.run_collect(node, c, out, work);
                }
                None => {
                    if self.top.state[c] == State::Pending {
                        self.mark_skipped(TOP, c, work);
                    }
                }
            }
        }
    }

    /// Body nodes that no item reached are reported skipped.
    fn close_body(&mut self, node: usize) {
        let plan = self.plan.clone();
        let body = &plan.nodes[node]
            .loop_body
            .as_ref()
            .expect("a For each has a loop")
            .body;
        for &b in body {
            if self.report.nodes[b].status == crate::report::NodeStatus::Pending {
                self.emit(RunEvent::NodeSkipped {
                    node: plan.nodes[b].id.clone(),
                    item: None,
                });
            }
        }
    }
}
