//! Running and recording. A job's run, and the runs an operator starts from an earlier one
//! (re-run, retry from the failed node, replay), go through [`App::execute`]: the engine runs
//! the plan with the lines it logs captured (see `run_logs.rs`), then the run is
//! recorded with its job's outcome, the events it emitted and its log lines in one transaction,
//! and only then announced on the live stream.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value as Json};
use switchyard_core::kind::NodeKind;
use switchyard_core::{Pin, Plan};
use switchyard_engine::{Gate, NodeStatus, Recorded, RunEvent, RunReport, RunRequest, RunStatus};
use switchyard_store::{
    new_id, now_ms, EventSource, FinishedRun, Job, JobOutcome, NewEvent, RunLogLine, RunOrigin,
    RunRecord, RunSummary,
};
use tracing::Instrument;

use crate::pipeline::{subscribers, ActiveRun, LiveEvent, WebhookReply};
use crate::registry::Registry;
use crate::App;

/// A job with what it needs to run.
pub(crate) struct Work {
    pub job: Job,
    pub payload: Arc<Json>,
    pub depth: i64,
    pub cause: Cause,
}

/// Why a job runs now.
pub(crate) enum Cause {
    /// Its event was stored (or taken over after a restart).
    Delivered(EventSource),
    /// It was a dead letter and an operator retried it; the run before, if there was one.
    Retried(Option<String>),
}

impl Cause {
    /// How a run for this cause was started (and the run it comes from), given the kind of
    /// the trigger it starts at.
    pub(crate) fn origin(self, trigger: Option<NodeKind>) -> (RunOrigin, Option<String>) {
        match self {
            Cause::Retried(previous) => (RunOrigin::Retry, previous),
            Cause::Delivered(_) if trigger == Some(NodeKind::EventTrigger) => {
                (RunOrigin::Event, None)
            }
            Cause::Delivered(source) => (
                match source {
                    EventSource::Webhook => RunOrigin::Webhook,
                    EventSource::Schedule => RunOrigin::Schedule,
                    EventSource::Manual => RunOrigin::Manual,
                    EventSource::Workflow => RunOrigin::Event,
                },
                None,
            ),
        }
    }
}

/// One run to execute and record.
pub(crate) struct RunSpec {
    pub run_id: String,
    pub workflow_id: String,
    pub plan: Arc<Plan>,
    pub version: Option<i64>,
    pub trigger: String,
    pub event_id: String,
    pub payload: Arc<Json>,
    pub depth: i64,
    pub settles: Settles,
    pub origin: RunOrigin,
    pub origin_run: Option<String>,
    /// Nodes given their earlier outputs (a retry from the failed node).
    pub pins: HashMap<String, Arc<Pin>>,
    /// Nodes given their recordings (a replay).
    pub recorded: HashMap<String, Recorded>,
}

/// Which job a run settles.
#[derive(Debug, Clone)]
pub(crate) enum Settles {
    /// Its own: done when the run succeeds, a dead letter otherwise.
    Job(i64),
    /// The job of the run it comes from: a dead letter is done when this run succeeds.
    DeadLetter(i64),
    Nothing,
    /// The job of an event not stored yet (see [`Held`]).
    Held(Held),
}

/// A run started before its event is stored. Its nodes that reach outside pass `gate` first;
/// the caller then stores the event, sets `job` and opens the gate, and the run settles that job
/// as usual. A run that ends without asking is stored together with its event instead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Held {
    pub gate: Gate,
    pub job: Arc<OnceLock<i64>>,
}

/// How a run ended up.
pub(crate) enum Executed {
    /// Recorded (None: it could not be, or shutdown cut a job's run short).
    Recorded(Option<Box<RunSummary>>),
    /// Ended before its event was stored: to be stored with it, settling `outcome`.
    Unstored(Box<Unstored>),
    /// Shutdown cut it short before its event was stored.
    Interrupted,
}

pub(crate) struct Unstored {
    pub finished: FinishedRun,
    pub outcome: JobOutcome,
    pub summary: RunSummary,
    /// Payload, depth and source of each event the run emitted, for their jobs.
    pub emitted: Vec<(Arc<Json>, i64, EventSource)>,
}

/// Forgets a run dropped before it ended (a webhook caller hung up while its run was held):
/// it is no longer listed as active, and its captured lines are let go.
struct Forget<'a> {
    app: &'a App,
    run_id: &'a str,
    logs_taken: bool,
}

impl Forget<'_> {
    /// The run ended: its captured lines.
    fn logs(mut self) -> Vec<RunLogLine> {
        self.logs_taken = true;
        crate::run_logs::take(self.run_id, self.app.inner.engine.secrets())
    }
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.app
            .inner
            .active
            .lock()
            .expect("active lock")
            .remove(self.run_id);
        if !self.logs_taken {
            let _ = crate::run_logs::take(self.run_id, self.app.inner.engine.secrets());
        }
    }
}

/// What a run does to its own job: done when it succeeded, a dead letter otherwise.
fn own_outcome(report: &RunReport) -> JobOutcome {
    match report.status {
        RunStatus::Succeeded => JobOutcome::Done,
        _ => JobOutcome::Dead(failure_text(report)),
    }
}

/// Where run lines are logged: captured with the run, and quiet on the console by default.
pub(crate) const RUN_TARGET: &str = "switchyard_app::run";

impl App {
    pub(crate) fn dispatch(&self, work: Work) {
        let app = self.clone();
        self.inner.tasks.spawn(async move {
            let Ok(_permit) = app.inner.workers.clone().acquire_owned().await else {
                return;
            };
            if app.is_stopping() {
                // Not started: the job stays leased and runs on the next start.
                return;
            }
            app.run_job(work).await;
        });
    }

    async fn run_job(&self, work: Work) {
        let Work {
            job,
            payload,
            depth,
            cause,
        } = work;
        let reg = self.registry();
        let Some((plan, version)) = reg.plan(&job.workflow_id) else {
            let why = format!(
                "the workflow \"{}\" is not loaded or has errors",
                job.workflow_id
            );
            self.settle_without_run(&job, why, cause.origin(None)).await;
            return;
        };
        let trigger_kind = plan
            .index
            .get(&job.trigger_node)
            .map(|&i| plan.nodes[i].kind);
        let (origin, origin_run) = cause.origin(trigger_kind);
        let spec = RunSpec {
            run_id: new_id("run"),
            workflow_id: job.workflow_id.clone(),
            plan,
            version,
            trigger: job.trigger_node.clone(),
            event_id: job.event_id.clone(),
            payload,
            depth,
            settles: Settles::Job(job.id),
            origin,
            origin_run,
            pins: HashMap::new(),
            recorded: HashMap::new(),
        };
        self.execute(spec).await;
    }

    /// Runs `spec` and records it; the stored run, unless it could not be recorded (or a
    /// job's run was cut short by shutdown: its job runs again on the next start).
    pub(crate) async fn execute(&self, spec: RunSpec) -> Option<RunSummary> {
        match self.execute_held(spec).await {
            Executed::Recorded(summary) => summary.map(|s| *s),
            Executed::Unstored(_) | Executed::Interrupted => None,
        }
    }

    /// [`App::execute`], for a run that may be [`Held`] too.
    pub(crate) async fn execute_held(&self, spec: RunSpec) -> Executed {
        let reg = self.registry();
        let RunSpec {
            run_id,
            workflow_id,
            plan,
            version,
            trigger,
            event_id,
            payload,
            depth,
            settles,
            origin,
            origin_run,
            pins,
            recorded,
        } = spec;
        let cancel = self.inner.abort.child_token();
        self.inner.active.lock().expect("active lock").insert(
            run_id.clone(),
            ActiveRun {
                workflow_id: workflow_id.clone(),
                cancel: cancel.clone(),
            },
        );
        let forget = Forget {
            app: self,
            run_id: &run_id,
            logs_taken: false,
        };
        let started_at = now_ms();
        let mut req = RunRequest::new(run_id.clone(), payload);
        req.trigger = Some(trigger.clone());
        req.cancel = cancel;
        req.pins = pins;
        req.recorded = recorded;
        if let Settles::Held(held) = &settles {
            req.gate = Some(held.gate.clone());
        }
        let live = self.inner.live.clone();
        let answers = matches!(settles, Settles::Job(_));
        let respond_nodes: Vec<&str> = plan
            .nodes
            .iter()
            .filter(|n| answers && n.kind == NodeKind::RespondWebhook)
            .map(|n| n.id.as_str())
            .collect();
        let mut sink = |e: &RunEvent| {
            if live.receiver_count() > 0 {
                let _ = live.send(LiveEvent::Run {
                    run_id: run_id.clone(),
                    workflow_id: workflow_id.clone(),
                    event_id: event_id.clone(),
                    event: e.clone(),
                });
            }
            match e {
                RunEvent::NodeSucceeded { node, output, .. }
                    if respond_nodes.contains(&node.as_str()) =>
                {
                    self.answer(&event_id, reply_of(output));
                }
                RunEvent::NodeRetrying {
                    node,
                    attempt,
                    error,
                    delay_ms,
                    ..
                } => tracing::info!(
                    target: RUN_TARGET, node = %node, attempt, code = %error.code, delay_ms,
                    "\"{node}\" failed ({}), trying again: {}", error.code, error.message
                ),
                RunEvent::NodeFailed {
                    node,
                    error,
                    handled,
                    item,
                    ..
                } if error.code != "cancelled" => tracing::info!(
                    target: RUN_TARGET, node = %node, code = %error.code, handled, item,
                    "\"{node}\" failed ({}){}: {}", error.code,
                    if *handled { ", handled by its error output" } else { "" }, error.message
                ),
                _ => {}
            }
        };
        // The span is for the console (off by default: it costs nothing then); the run's own
        // lines are captured around its polls (run_logs.rs).
        let span = tracing::info_span!(
            target: RUN_TARGET, "run", run_id = %run_id, workflow = %workflow_id, origin = origin.as_str()
        );
        let report = crate::run_logs::capture(
            run_id.as_str().into(),
            self.inner
                .engine
                .run(plan.clone(), req, &mut sink)
                .instrument(span),
        )
        .await;
        let logs = forget.logs();
        // A held run that passed its gate settles the job its event was stored with.
        let (settles, unstored) = match settles {
            Settles::Held(held) => match held.job.get() {
                Some(&id) => (Settles::Job(id), false),
                None => (Settles::Nothing, true),
            },
            other => (other, false),
        };
        let job = match settles {
            Settles::Job(id) => Some(id),
            _ => None,
        };
        if report.status == RunStatus::Cancelled && self.inner.abort.is_cancelled() {
            if unstored {
                return Executed::Interrupted;
            }
            if job.is_some() {
                // Shutdown cut it short: the job stays leased and runs again on the next start.
                return Executed::Recorded(None);
            }
        }
        let emitted = if origin == RunOrigin::Replay {
            Vec::new()
        } else {
            self.emitted(&reg, &plan, &report, &run_id, depth)
        };
        let outcome = match (&settles, report.status) {
            (&Settles::Job(id), _) => Some((id, own_outcome(&report))),
            (&Settles::DeadLetter(id), RunStatus::Succeeded) => Some((id, JobOutcome::Resolved)),
            _ => None,
        };
        let record = RunRecord {
            id: run_id.clone(),
            job_id: job,
            event_id: Some(event_id.clone()),
            workflow_id: workflow_id.clone(),
            workflow_version: version,
            trigger_node: Some(trigger),
            status: report.status.as_str().to_string(),
            started_at,
            finished_at: now_ms(),
            duration_ms: report.duration_ms,
            failed_node: report.failed_node.clone(),
            error: report
                .error
                .as_ref()
                .map(|e| serde_json::to_value(e).unwrap_or(Json::Null)),
            origin,
            origin_run,
            journal: serde_json::value::to_raw_value(&report)
                .unwrap_or_else(|_| raw("{\"nodes\":[]}")),
        };
        let summary = summary_of(&record);
        let payloads: Vec<(Arc<Json>, i64, EventSource)> = emitted
            .iter()
            .map(|e| (Arc::new(e.payload.clone()), e.depth, e.source))
            .collect();
        let finished = FinishedRun {
            run: record,
            job: outcome,
            emitted,
            logs,
        };
        if unstored {
            return Executed::Unstored(Box::new(Unstored {
                finished,
                outcome: own_outcome(&report),
                summary,
                emitted: payloads,
            }));
        }
        match self.inner.queue.finish(finished).await {
            Ok(accepted) => self.dispatch_accepted(&accepted, payloads),
            Err(e) => {
                tracing::error!(run = %run_id, error = %e, "the run could not be recorded; its job runs again on the next start");
                return Executed::Recorded(None);
            }
        }
        if answers {
            // A webhook caller still waiting gets the run's outcome.
            let fallback = match report.status {
                RunStatus::Succeeded => WebhookReply {
                    status: 200,
                    headers: Vec::new(),
                    body: json!({"event_id": event_id, "run_id": run_id, "status": "succeeded", "output": report.output}),
                },
                _ => WebhookReply {
                    status: 500,
                    headers: Vec::new(),
                    body: json!({"event_id": event_id, "run_id": run_id, "status": summary.status,
                                 "code": "run_failed", "message": failure_text(&report)}),
                },
            };
            self.answer(&event_id, fallback);
        }
        let _ = self.inner.live.send(LiveEvent::RunStored {
            run: summary.clone(),
        });
        Executed::Recorded(Some(Box::new(summary)))
    }

    /// A job whose workflow cannot run: dead-lettered with a run record saying why.
    async fn settle_without_run(
        &self,
        job: &Job,
        why: String,
        (origin, origin_run): (RunOrigin, Option<String>),
    ) {
        let now = now_ms();
        let record = RunRecord {
            id: new_id("run"),
            job_id: Some(job.id),
            event_id: Some(job.event_id.clone()),
            workflow_id: job.workflow_id.clone(),
            workflow_version: None,
            trigger_node: Some(job.trigger_node.clone()),
            status: "failed".into(),
            started_at: now,
            finished_at: now,
            duration_ms: 0.0,
            failed_node: None,
            error: Some(json!({"code": "workflow_unavailable", "message": why})),
            origin,
            origin_run,
            journal: raw("{\"nodes\":[]}"),
        };
        let summary = summary_of(&record);
        let finished = FinishedRun {
            run: record,
            job: Some((job.id, JobOutcome::Dead(why))),
            emitted: Vec::new(),
            logs: Vec::new(),
        };
        if self.inner.queue.finish(finished).await.is_ok() {
            let _ = self.inner.live.send(LiveEvent::RunStored { run: summary });
        }
    }

    fn answer(&self, event_id: &str, reply: WebhookReply) {
        let waiter = self
            .inner
            .waiters
            .lock()
            .expect("waiters lock")
            .remove(event_id);
        if let Some(tx) = waiter {
            let _ = tx.send(reply);
        }
    }

    /// The events a run's Emit event nodes sent, addressed to their listeners. A node given
    /// its earlier output (a retry) emitted its event in that earlier run already.
    fn emitted(
        &self,
        reg: &Registry,
        plan: &Plan,
        report: &RunReport,
        run_id: &str,
        depth: i64,
    ) -> Vec<NewEvent> {
        let mut out = Vec::new();
        // The report lists the plan's nodes in the plan's order.
        for (n, node) in report.nodes.iter().zip(&plan.nodes) {
            if n.status != NodeStatus::Succeeded || n.pinned || node.kind != NodeKind::EmitEvent {
                continue;
            }
            let Some(output) = &n.output else { continue };
            let name = output["event"].as_str().unwrap_or_default().to_string();
            if depth + 1 > self.inner.config.max_chain_depth {
                tracing::warn!(run = %run_id, event = %name, depth, "not emitted: the chain of events is too deep (a loop between workflows?)");
                continue;
            }
            let payload = output["payload"].clone();
            out.push(NewEvent {
                id: new_id("evt"),
                targets: subscribers(reg, &name, &payload),
                name,
                source: EventSource::Workflow,
                payload,
                received_at: now_ms(),
                idempotency_key: None,
                parent_run: Some(run_id.to_string()),
                depth: depth + 1,
            });
        }
        out
    }
}

fn reply_of(output: &Json) -> WebhookReply {
    let status = output["status"]
        .as_u64()
        .filter(|s| (100..=599).contains(s))
        .unwrap_or(200) as u16;
    let headers = output["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    WebhookReply {
        status,
        headers,
        body: output["body"].clone(),
    }
}

fn raw(text: &str) -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string(text.to_string()).expect("valid JSON")
}

fn failure_text(report: &RunReport) -> String {
    match (&report.failed_node, &report.error) {
        (Some(node), Some(e)) => format!("{node}: {} ({})", e.message, e.code),
        (None, Some(e)) => format!("{} ({})", e.message, e.code),
        _ => report.status.as_str().to_string(),
    }
}

pub(crate) fn summary_of(r: &RunRecord) -> RunSummary {
    RunSummary {
        id: r.id.clone(),
        event_id: r.event_id.clone(),
        workflow_id: r.workflow_id.clone(),
        workflow_version: r.workflow_version,
        trigger_node: r.trigger_node.clone(),
        status: r.status.clone(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        duration_ms: r.duration_ms,
        failed_node: r.failed_node.clone(),
        error: r.error.clone(),
        origin: r.origin,
        origin_run: r.origin_run.clone(),
    }
}
