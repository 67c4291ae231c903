//! The run loop: one task per run, nodes as futures polled concurrently inside it.
//!
//! The per-node state machine works on a `Frame`: the run's own nodes (frame 0), or one
//! item of a For each (its body's nodes, see `loop_run.rs`). Every future in flight is tagged
//! with its frame, so items run concurrently with each other and with other branches.

mod attempt;
mod loop_run;
mod replay;
mod retry;

use attempt::Timing;
pub use replay::{Outcome, Recorded};

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use serde_json::{json, Value as Json};
use switchyard_core::expr::{Outputs, Scope};
use switchyard_core::kind::NodeKind;
use switchyard_core::{Pin, Plan};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::events::{NodeError, RunEvent, RunStatus};
use crate::gate::Gate;
use crate::nodes::{self, NodeCx, NodeOutput, Ports};
use crate::report::RunReport;
use crate::services::{EngineConfig, Secrets, Services};
use switchyard_core::Workspace;

/// Replaces a node's behaviour for one run: given the node's input, its output. Used for
/// pinned sample data and simulated side effects.
pub type StandIn = Arc<dyn Fn(&Json) -> Result<Json, NodeError> + Send + Sync>;

/// Runs plans. Cheap to clone; clones share connection pools, secrets and settings.
#[derive(Clone)]
pub struct Engine {
    services: Arc<Services>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// One run: the event, and how to run it.
pub struct RunRequest {
    pub run_id: String,
    /// The trigger node the run starts from; by default the plan's default trigger.
    pub trigger: Option<String>,
    pub event: Arc<Json>,
    /// Overrides of the workflow's variables.
    pub vars: BTreeMap<String, Json>,
    pub cancel: CancellationToken,
    pub stand_ins: HashMap<String, StandIn>,
    /// Seed for retry jitter; random when absent.
    pub seed: Option<u64>,
    /// Test mode: side effects are simulated and reported as "would send": HTTP requests
    /// other than GET, HEAD and OPTIONS, emails, and emitted events are not sent; Delay and
    /// retries do not wait; SQL runs in one transaction per database that is rolled back when the run
    /// ends (so the run sees its own writes). Reads (GET, SELECT, AI) run for real.
    pub test_mode: bool,
    /// Outputs given instead of running these nodes (by node id), in any mode: a retry from a
    /// failed node pins the nodes that succeeded before it, a replay pins the recorded external
    /// calls. In test mode the plan's own pinned samples apply too (these win).
    pub pins: HashMap<String, Arc<Pin>>,
    /// A replay: what these nodes (by id) gave in the run replayed, per For each item inside
    /// loops; given back instead of running them, failures included. A node listed here with
    /// nothing recorded for this item fails with `not_recorded` instead of running.
    pub recorded: HashMap<String, Recorded>,
    /// Holds back the nodes that call out or wait, and retries' backoffs, until the caller
    /// opens it (a run started before its event is stored; see `gate.rs`).
    pub gate: Option<Gate>,
}

impl RunRequest {
    pub fn new(run_id: impl Into<String>, event: impl Into<Arc<Json>>) -> RunRequest {
        RunRequest {
            run_id: run_id.into(),
            trigger: None,
            event: event.into(),
            vars: BTreeMap::new(),
            cancel: CancellationToken::new(),
            stand_ins: HashMap::new(),
            seed: None,
            test_mode: false,
            pins: HashMap::new(),
            recorded: HashMap::new(),
            gate: None,
        }
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            services: Arc::new(Services::new(config)),
        }
    }

    /// The secret values nodes read (the application layer refreshes them).
    pub fn secrets(&self) -> &Secrets {
        &self.services.secrets
    }

    /// Replaces the workspace settings for runs that start from now on; the network policy
    /// applies to the next connection of any run.
    pub fn set_workspace(&self, workspace: Arc<Workspace>) {
        self.services.set_workspace(workspace);
    }

    pub fn workspace(&self) -> Arc<Workspace> {
        self.services.workspace()
    }

    /// Runs `plan` for one event, reporting each event to `sink` as it happens.
    pub async fn run(
        &self,
        plan: Arc<Plan>,
        req: RunRequest,
        sink: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> RunReport {
        let start = Instant::now();
        let mut report = RunReport::new(&req.run_id, &plan);
        for (i, n) in plan.nodes.iter().enumerate() {
            if n.in_loop.is_some() && n.kind.is_recorded() {
                report.record_items(i);
            }
        }
        let trigger = match &req.trigger {
            Some(id) => plan
                .index
                .get(id)
                .copied()
                .filter(|&i| plan.nodes[i].kind.is_trigger()),
            None => plan.default_trigger(),
        };
        let mut vars = plan.vars.as_ref().clone();
        if let Json::Object(m) = &mut vars {
            m.extend(req.vars.clone());
        }
        let mut run = Run {
            started: start,
            top: Frame::new(&plan, Arc::new(Outputs::new(plan.index.clone())), None),
            frames: HashMap::new(),
            next_frame: 1,
            loops: HashMap::new(),
            event: req.event.clone(),
            vars: Arc::new(vars),
            run_info: Arc::new(json!({"id": req.run_id, "workflow": plan.id})),
            rng: req.seed.map(fastrand::Rng::with_seed).unwrap_or_default(),
            inflight: FuturesUnordered::new(),
            ready: Default::default(),
            failure: None,
            services: self.services.clone(),
            test_sql: req
                .test_mode
                .then(|| Arc::new(nodes::sql::TestTransactions::default())),
            report,
            sink,
            req,
            plan,
        };
        let Some(trigger) = trigger else {
            let err = NodeError::new(
                "invalid_trigger",
                match &run.req.trigger {
                    Some(t) => format!("\"{t}\" is not a trigger of this workflow"),
                    None => "the workflow has no trigger".to_string(),
                },
            );
            run.emit(RunEvent::RunFinished {
                status: RunStatus::Failed,
                duration_ms: 0.0,
                error: Some(err),
                failed_node: None,
            });
            return run.report;
        };
        run.emit(RunEvent::RunStarted {
            run_id: run.req.run_id.clone(),
            workflow_id: run.plan.id.clone(),
            trigger: run.plan.nodes[trigger].id.clone(),
            started_at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
        });
        run.drive(trigger).await;
        let (status, error, failed_node) = match run.failure.take() {
            Some((node, err)) if err.code == "cancelled" && node.is_none() => {
                (RunStatus::Cancelled, Some(err), None)
            }
            Some((node, err)) => (
                RunStatus::Failed,
                Some(err),
                node.map(|i| run.plan.nodes[i].id.clone()),
            ),
            None => (RunStatus::Succeeded, None, None),
        };
        run.report.output = run.final_output();
        if let Some(sql) = run.test_sql.take() {
            sql.roll_back().await;
        }
        let duration_ms = ms(start.elapsed());
        run.emit(RunEvent::RunFinished {
            status,
            duration_ms,
            error,
            failed_node,
        });
        run.report
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Running,
    Done,
    Skipped,
}

/// Which frame a future belongs to: 0 is the run itself, others are For each items.
type FrameId = u32;
const TOP: FrameId = 0;

/// What an in-flight future reports back to the loop.
enum Done {
    Attempt {
        frame: FrameId,
        node: usize,
        attempt: u32,
        timing: Timing,
        result: Result<NodeOutput, NodeError>,
    },
    RetryDue {
        frame: FrameId,
        node: usize,
        attempt: u32,
    },
    /// The future's item was abandoned (its loop stopped) before it finished.
    Dropped,
}

/// The per-node state of one pass over a graph: the run's own nodes, or one item of a loop.
struct Frame {
    outputs: Arc<Outputs>,
    /// Incoming edges not yet resolved, per node.
    remaining: Vec<u32>,
    /// Incoming edges that carried data, per node.
    active_in: Vec<Vec<usize>>,
    state: Vec<State>,
    /// Whether the node sent data on any outgoing edge.
    sent: Vec<bool>,
    /// The attempt each node is at.
    attempt: Vec<u32>,
    /// Nodes started and not finished (including those waiting for a retry).
    running: u32,
    /// For a loop item: which one.
    item: Option<loop_run::ItemCx>,
}

impl Frame {
    fn new(plan: &Plan, outputs: Arc<Outputs>, item: Option<loop_run::ItemCx>) -> Frame {
        let n = plan.nodes.len();
        Frame {
            outputs,
            remaining: plan.nodes.iter().map(|p| p.inputs.len() as u32).collect(),
            active_in: vec![Vec::new(); n],
            state: vec![State::Pending; n],
            sent: vec![false; n],
            attempt: vec![0; n],
            running: 0,
            item,
        }
    }
}

struct Run<'s> {
    /// When the run started: node timings are offsets from it.
    started: Instant,
    plan: Arc<Plan>,
    req: RunRequest,
    /// The run's own nodes.
    top: Frame,
    /// The For each items in flight.
    frames: HashMap<FrameId, Frame>,
    next_frame: FrameId,
    /// The For each nodes running, by node index.
    loops: HashMap<usize, loop_run::LoopRun>,
    event: Arc<Json>,
    vars: Arc<Json>,
    run_info: Arc<Json>,
    rng: fastrand::Rng,
    inflight: FuturesUnordered<BoxFuture<'static, Done>>,
    /// Results of attempts that ran at once, in order, for the loop to take before it polls.
    ready: std::collections::VecDeque<Done>,
    /// The unhandled failure that stopped the run (node `None`: cancelled from outside).
    failure: Option<(Option<usize>, NodeError)>,
    services: Arc<Services>,
    /// Test mode: the run's SQL transactions (see `nodes::sql::TestTransactions`).
    test_sql: Option<Arc<nodes::sql::TestTransactions>>,
    report: RunReport,
    sink: &'s mut (dyn FnMut(&RunEvent) + Send),
}

impl Run<'_> {
    fn emit(&mut self, event: RunEvent) {
        self.report.apply(&event);
        (self.sink)(&event);
    }

    fn fr(&mut self, fid: FrameId) -> &mut Frame {
        if fid == TOP {
            &mut self.top
        } else {
            self.frames.get_mut(&fid).expect("a live frame")
        }
    }

    fn frame(&self, fid: FrameId) -> &Frame {
        if fid == TOP {
            &self.top
        } else {
            &self.frames[&fid]
        }
    }

    fn is_live(&self, fid: FrameId) -> bool {
        fid == TOP || self.frames.contains_key(&fid)
    }

    /// The item a frame runs (for events).
    fn item(&self, fid: FrameId) -> Option<u32> {
        self.frame(fid).item.as_ref().map(|i| i.index)
    }

    async fn drive(&mut self, trigger: usize) {
        // Other triggers did not fire: everything only they lead to is skipped.
        let mut work = Vec::new();
        let plan = self.plan.clone();
        for &t in &plan.triggers {
            if t != trigger {
                self.mark_skipped(TOP, t, &mut work);
            }
        }
        self.top.state[trigger] = State::Running;
        self.top.running += 1;
        self.emit(RunEvent::NodeStarted {
            node: self.plan.nodes[trigger].id.clone(),
            attempt: 1,
            input_from: None,
            item: None,
        });
        let event = self.event.clone();
        self.succeed(
            TOP,
            trigger,
            1,
            Timing::new(Duration::ZERO, Duration::ZERO),
            NodeOutput::out(event),
            &mut work,
        );
        self.resolve_all(TOP, work);

        let cancel = self.req.cancel.clone();
        while (!self.ready.is_empty() || !self.inflight.is_empty()) && self.failure.is_none() {
            // What ran at once goes first; then what the futures in flight finish.
            let done = match self.ready.pop_front() {
                Some(done) if !cancel.is_cancelled() => Some(done),
                Some(_) => None,
                None => tokio::select! {
                    biased;
                    _ = cancel.cancelled() => None,
                    Some(done) = self.inflight.next() => Some(done),
                },
            };
            let Some(done) = done else {
                self.failure = Some((None, NodeError::new("cancelled", "the run was cancelled")));
                break;
            };
            let mut work = Vec::new();
            let fid = match done {
                Done::Dropped => continue,
                Done::RetryDue { frame, .. } | Done::Attempt { frame, .. }
                    if !self.is_live(frame) =>
                {
                    continue
                }
                Done::RetryDue {
                    frame,
                    node,
                    attempt,
                } => {
                    self.start_attempt(frame, node, attempt);
                    frame
                }
                Done::Attempt {
                    frame,
                    node,
                    attempt,
                    timing,
                    result: Ok(out),
                } => {
                    self.succeed(frame, node, attempt, timing, out, &mut work);
                    frame
                }
                Done::Attempt {
                    frame,
                    node,
                    attempt,
                    timing,
                    result: Err(err),
                } => {
                    self.fail(frame, node, attempt, timing, err, &mut work);
                    frame
                }
            };
            self.resolve_all(fid, work);
            if fid != TOP {
                self.settle_item(fid);
            }
        }
        self.inflight.clear();
        self.ready.clear();
        self.stop_leftovers();
    }

    /// Resolves edges (edge index, carried data?) until nothing more can be decided now.
    fn resolve_all(&mut self, fid: FrameId, mut work: Vec<(usize, bool)>) {
        let collect = self
            .frame(fid)
            .item
            .as_ref()
            .and_then(|i| self.plan.nodes[i.loop_node].loop_body.as_ref())
            .and_then(|l| l.collect);
        while let Some((edge, active)) = work.pop() {
            let e = &self.plan.edges[edge];
            let (from, to) = (e.from, e.to);
            if Some(to) == collect {
                // One item's value reaching the Collect: the first edge with data wins.
                let f = self.fr(fid);
                if active {
                    let value = f.outputs.get(from).cloned();
                    let item = f.item.as_mut().expect("an item frame");
                    if item.reached.is_none() {
                        item.reached = value;
                    }
                }
                continue;
            }
            let f = self.fr(fid);
            f.remaining[to] -= 1;
            if active {
                f.active_in[to].push(edge);
            }
            if f.state[to] != State::Pending {
                continue; // a Merge in "first" mode that already started, or a loop's body
            }
            let (remaining, any_active) = (f.remaining[to], !f.active_in[to].is_empty());
            let node = &self.plan.nodes[to];
            let first_wins =
                node.kind == NodeKind::Merge && node.params.str("mode") == Some("first");
            if active && first_wins {
                self.start(fid, to, &mut work);
            } else if remaining == 0 {
                if any_active {
                    self.start(fid, to, &mut work);
                } else {
                    self.mark_skipped(fid, to, &mut work);
                }
            }
        }
    }

    fn mark_skipped(&mut self, fid: FrameId, node: usize, work: &mut Vec<(usize, bool)>) {
        let item = self.item(fid);
        self.fr(fid).state[node] = State::Skipped;
        self.emit(RunEvent::NodeSkipped {
            node: self.plan.nodes[node].id.clone(),
            item,
        });
        work.extend(self.plan.nodes[node].outputs.iter().map(|&e| (e, false)));
    }

    fn start(&mut self, fid: FrameId, node: usize, work: &mut Vec<(usize, bool)>) {
        let f = self.fr(fid);
        f.state[node] = State::Running;
        f.running += 1;
        if self.plan.nodes[node].kind == NodeKind::ForEach {
            match self.pin(node) {
                // A retry from a failed node after the loop: its outcome is given.
                Some(pin) if fid == TOP => self.give_loop(node, &pin, work),
                _ => self.start_loop(node, work),
            }
        } else {
            self.start_attempt(fid, node, 1);
        }
    }

    fn input_from(&self, fid: FrameId, node: usize) -> Option<String> {
        self.frame(fid).active_in[node]
            .first()
            .map(|&e| self.plan.nodes[self.plan.edges[e].from].id.clone())
    }

    fn succeed(
        &mut self,
        fid: FrameId,
        node: usize,
        attempt: u32,
        timing: Timing,
        out: NodeOutput,
        work: &mut Vec<(usize, bool)>,
    ) {
        let f = self.fr(fid);
        f.state[node] = State::Done;
        f.running -= 1;
        let item = self.item(fid);
        let id = self.plan.nodes[node].id.clone();
        for (level, message) in out.logs {
            self.emit(RunEvent::Log {
                node: id.clone(),
                level,
                message,
                item,
            });
        }
        let value = out.value;
        self.fr(fid).outputs.set(node, value.clone());
        let ports: Vec<String> = match out.ports {
            Ports::Out => vec!["out".to_string()],
            Ports::Named(p) => p,
        };
        self.route(fid, node, &ports, work);
        let pinned = self.pin(node).is_some() || self.req.recorded.contains_key(&id);
        self.emit(RunEvent::NodeSucceeded {
            node: id,
            attempt,
            started_ms: timing.at_ms(),
            duration_ms: ms(timing.took),
            output: value,
            ports,
            item,
            pinned,
        });
    }

    fn route(
        &mut self,
        fid: FrameId,
        node: usize,
        ports: &[String],
        work: &mut Vec<(usize, bool)>,
    ) {
        let plan = self.plan.clone();
        let f = self.fr(fid);
        for &e in &plan.nodes[node].outputs {
            let active = ports.iter().any(|p| *p == plan.edges[e].from_port);
            f.sent[node] |= active;
            work.push((e, active));
        }
    }

    /// The output of each node that ran and passed nothing on: one value, or an object by id.
    fn final_output(&self) -> Json {
        let f = &self.top;
        let ends: Vec<usize> = (0..self.plan.nodes.len())
            .filter(|&i| f.state[i] == State::Done && !f.sent[i] && f.outputs.get(i).is_some())
            .collect();
        match ends.as_slice() {
            [] => Json::Null,
            [one] => f
                .outputs
                .get(*one)
                .map(|v| v.as_ref().clone())
                .unwrap_or(Json::Null),
            many => Json::Object(
                many.iter()
                    .map(|&i| {
                        (
                            self.plan.nodes[i].id.clone(),
                            f.outputs
                                .get(i)
                                .map(|v| v.as_ref().clone())
                                .unwrap_or(Json::Null),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
