//! Events in, runs out: storing events before acknowledging them, fanning them out to the
//! workflows that listen, running each job on a bounded pool of workers, and recording the run
//! together with its job's outcome and the events it emitted.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value as Json};
use switchyard_core::expr::Scope;
use switchyard_core::kind::NodeKind;
use switchyard_core::Plan;
use switchyard_engine::{NodeStatus, RunEvent, RunReport, RunRequest, RunStatus};
use switchyard_store::{
    new_id, now_ms, Accepted, EventSource, FinishedRun, Job, JobOutcome, NewEvent, RunRecord,
    RunSummary, Target,
};
use tokio_util::sync::CancellationToken;

use crate::registry::{Registry, TriggerRef};
use crate::{App, AppError};

/// What the live stream carries. Node events are sent as they happen; `run_stored` only after
/// the run is committed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    Run {
        run_id: String,
        workflow_id: String,
        event_id: String,
        event: RunEvent,
    },
    RunStored {
        run: RunSummary,
    },
}

/// The answer a webhook caller gets from a Respond to webhook node.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Json,
}

/// The outcome of delivering an event.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// Stored (or, for a repeated delivery, stored before): runs follow.
    Accepted { event_id: String, duplicate: bool },
    /// The workflow answered through a Respond to webhook node.
    Responded {
        event_id: String,
        reply: WebhookReply,
    },
}

/// A webhook trigger being served.
#[derive(Debug, Clone)]
pub struct WebhookRoute {
    pub path: String,
    pub workflow_id: String,
    pub node: String,
    pub method: String,
    /// Name of the secret that signs requests (Standard Webhooks), when signatures are required.
    pub secret: Option<String>,
    /// Whether the workflow answers through a Respond to webhook node.
    pub responds: bool,
}

pub(crate) struct ActiveRun {
    pub workflow_id: String,
    pub cancel: CancellationToken,
}

/// A job with what it needs to run.
struct Work {
    job: Job,
    payload: Arc<Json>,
    depth: i64,
}

impl App {
    /// The webhook trigger listening on `path` (without the `/hooks/` prefix).
    pub fn webhook_route(&self, path: &str) -> Option<WebhookRoute> {
        let path = path.trim_matches('/');
        let reg = self.registry();
        let t = reg.hooks.get(path)?;
        let (plan, _) = reg.plan(&t.workflow_id)?;
        let node = &plan.nodes[*plan.index.get(&t.node)?];
        Some(WebhookRoute {
            path: path.to_string(),
            workflow_id: t.workflow_id.clone(),
            node: t.node.clone(),
            method: node.params.str("method").unwrap_or("POST").to_string(),
            secret: node
                .params
                .str("secret")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            responds: plan
                .nodes
                .iter()
                .any(|n| n.kind == NodeKind::RespondWebhook),
        })
    }

    /// Stores a webhook's event and starts its runs. Returns once the event is committed, or,
    /// when the workflow has a Respond to webhook node, once it has answered (or timed out).
    pub async fn receive_webhook(
        &self,
        route: &WebhookRoute,
        payload: Json,
        idempotency_key: Option<String>,
    ) -> Result<Delivery, AppError> {
        self.refuse_when_stopping()?;
        let reg = self.registry();
        let name = format!("webhook.{}", route.path.replace('/', "."));
        let mut targets = vec![Target {
            workflow_id: route.workflow_id.clone(),
            trigger_node: route.node.clone(),
        }];
        targets.extend(subscribers(&reg, &name, &payload));
        let event = NewEvent {
            id: new_id("evt"),
            name,
            source: EventSource::Webhook,
            payload,
            received_at: now_ms(),
            idempotency_key: idempotency_key.map(|k| format!("webhook:{}:{k}", route.path)),
            parent_run: None,
            depth: 0,
            targets,
        };
        let event_id = event.id.clone();
        let waiter = route.responds.then(|| {
            let (tx, rx) = tokio::sync::oneshot::channel();
            self.inner
                .waiters
                .lock()
                .expect("waiters lock")
                .insert(event_id.clone(), tx);
            rx
        });
        let accepted = match self.accept(vec![event]).await {
            Ok(mut a) => a.remove(0),
            Err(e) => {
                self.inner
                    .waiters
                    .lock()
                    .expect("waiters lock")
                    .remove(&event_id);
                return Err(e);
            }
        };
        if accepted.duplicate || waiter.is_none() {
            self.inner
                .waiters
                .lock()
                .expect("waiters lock")
                .remove(&event_id);
            return Ok(Delivery::Accepted {
                event_id: accepted.event_id,
                duplicate: accepted.duplicate,
            });
        }
        let rx = waiter.expect("checked above");
        match tokio::time::timeout(self.inner.config.respond_timeout, rx).await {
            Ok(Ok(reply)) => Ok(Delivery::Responded { event_id, reply }),
            _ => {
                self.inner
                    .waiters
                    .lock()
                    .expect("waiters lock")
                    .remove(&event_id);
                Ok(Delivery::Responded {
                    reply: WebhookReply {
                        status: 504,
                        headers: Vec::new(),
                        body: json!({
                            "event_id": event_id,
                            "code": "timeout",
                            "message": "the workflow did not answer in time; the event is stored and its run goes on",
                        }),
                    },
                    event_id,
                })
            }
        }
    }

    /// Starts a workflow by hand with `payload`. With `wait`, returns the stored run.
    pub async fn run_manual(
        &self,
        workflow_id: &str,
        trigger: Option<&str>,
        payload: Json,
        wait: bool,
    ) -> Result<(String, Option<RunSummary>), AppError> {
        self.refuse_when_stopping()?;
        let reg = self.registry();
        let entry = reg.entries.get(workflow_id).ok_or_else(|| {
            AppError::not_found(format!("there is no workflow \"{workflow_id}\""))
        })?;
        let plan = entry.plan.clone().ok_or_else(|| {
            AppError::new(
                "invalid_workflow",
                format!("\"{workflow_id}\" has errors and cannot run; fix its diagnostics first"),
            )
        })?;
        let node = trigger_node(&plan, workflow_id, trigger)?;
        let event = NewEvent {
            id: new_id("evt"),
            name: format!("manual.{workflow_id}"),
            source: EventSource::Manual,
            payload,
            received_at: now_ms(),
            idempotency_key: None,
            parent_run: None,
            depth: 0,
            targets: vec![Target {
                workflow_id: workflow_id.to_string(),
                trigger_node: node,
            }],
        };
        let event_id = event.id.clone();
        let mut live = wait.then(|| self.subscribe());
        self.accept(vec![event]).await?;
        let Some(live) = live.as_mut() else {
            return Ok((event_id, None));
        };
        loop {
            match live.recv().await {
                Ok(LiveEvent::RunStored { run }) if run.event_id.as_deref() == Some(&event_id) => {
                    return Ok((event_id, Some(run)))
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return Err(AppError::new("shutting_down", "the server is stopping")),
            }
        }
    }

    /// Stores events produced outside a run (CLI, API) under `name`, for every workflow that
    /// listens for it.
    pub async fn publish(
        &self,
        name: &str,
        payload: Json,
        idempotency_key: Option<String>,
    ) -> Result<Accepted, AppError> {
        self.refuse_when_stopping()?;
        if !switchyard_core::compile::is_event_name(name) {
            return Err(AppError::new(
                "invalid_request",
                format!("\"{name}\" is not an event name (lowercase letters, digits, ., -, _)"),
            ));
        }
        let targets = subscribers(&self.registry(), name, &payload);
        let event = NewEvent {
            id: new_id("evt"),
            name: name.to_string(),
            source: EventSource::Manual,
            payload,
            received_at: now_ms(),
            idempotency_key: idempotency_key.map(|k| format!("event:{name}:{k}")),
            parent_run: None,
            depth: 0,
            targets,
        };
        Ok(self.accept(vec![event]).await?.remove(0))
    }

    /// Retries a dead letter now.
    pub async fn retry_dead_letter(&self, job_id: i64) -> Result<Job, AppError> {
        self.refuse_when_stopping()?;
        let job = self.inner.queue.retry_dead_letter(job_id).await?;
        let event = self.inner.store.event(&job.event_id).await?;
        self.dispatch(Work {
            job: job.clone(),
            payload: Arc::new(event.payload),
            depth: event.depth,
        });
        Ok(job)
    }

    pub async fn discard_dead_letter(&self, job_id: i64) -> Result<(), AppError> {
        Ok(self.inner.queue.discard_dead_letter(job_id).await?)
    }

    /// Cancels a run in progress; it is recorded as cancelled and its job dead-lettered.
    pub fn cancel_run(&self, run_id: &str) -> Result<(), AppError> {
        let active = self.inner.active.lock().expect("active lock");
        let run = active
            .get(run_id)
            .ok_or_else(|| AppError::not_found(format!("run {run_id} is not running")))?;
        run.cancel.cancel();
        Ok(())
    }

    /// Runs in progress: (run id, workflow id).
    pub fn active_runs(&self) -> Vec<(String, String)> {
        let active = self.inner.active.lock().expect("active lock");
        active
            .iter()
            .map(|(id, r)| (id.clone(), r.workflow_id.clone()))
            .collect()
    }

    fn refuse_when_stopping(&self) -> Result<(), AppError> {
        if self.is_stopping() {
            return Err(AppError::new("shutting_down", "the server is stopping"));
        }
        Ok(())
    }

    /// Stores events and hands their jobs to the workers.
    pub(crate) async fn accept(&self, events: Vec<NewEvent>) -> Result<Vec<Accepted>, AppError> {
        let payloads: Vec<(Arc<Json>, i64)> = events
            .iter()
            .map(|e| (Arc::new(e.payload.clone()), e.depth))
            .collect();
        let accepted = self.inner.queue.accept(events).await?;
        for (a, (payload, depth)) in accepted.iter().zip(payloads) {
            for job in &a.jobs {
                self.dispatch(Work {
                    job: job.clone(),
                    payload: payload.clone(),
                    depth,
                });
            }
        }
        Ok(accepted)
    }

    /// Stores a schedule's event with its fire time (one transaction) and starts its runs.
    pub(crate) async fn accept_scheduled(
        &self,
        event: NewEvent,
        workflow_id: &str,
        node: &str,
        fired_at: i64,
    ) -> Result<(), AppError> {
        let payload = Arc::new(event.payload.clone());
        let a = self
            .inner
            .store
            .accept_scheduled(event, workflow_id, node, fired_at)
            .await?;
        for job in a.jobs {
            self.dispatch(Work {
                job,
                payload: payload.clone(),
                depth: 0,
            });
        }
        Ok(())
    }

    /// On start: runs again the jobs the previous process left open.
    pub(crate) async fn recover(&self) -> Result<(), AppError> {
        let r = self
            .inner
            .queue
            .recover(self.inner.config.max_deliveries)
            .await?;
        if !r.jobs.is_empty() || !r.dead.is_empty() {
            tracing::info!(
                jobs = r.jobs.len(),
                dead = r.dead.len(),
                "took over the jobs left open by the previous process"
            );
        }
        for job in r.jobs {
            let event = self.inner.store.event(&job.event_id).await?;
            self.dispatch(Work {
                job,
                payload: Arc::new(event.payload),
                depth: event.depth,
            });
        }
        Ok(())
    }

    fn dispatch(&self, work: Work) {
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
        } = work;
        let reg = self.registry();
        let Some((plan, version)) = reg.plan(&job.workflow_id) else {
            let why = format!(
                "the workflow \"{}\" is not loaded or has errors",
                job.workflow_id
            );
            self.settle_without_run(&job, why).await;
            return;
        };
        let run_id = new_id("run");
        let cancel = self.inner.abort.child_token();
        self.inner.active.lock().expect("active lock").insert(
            run_id.clone(),
            ActiveRun {
                workflow_id: job.workflow_id.clone(),
                cancel: cancel.clone(),
            },
        );
        let started_at = now_ms();
        let mut req = RunRequest::new(run_id.clone(), payload.clone());
        req.trigger = Some(job.trigger_node.clone());
        req.cancel = cancel;
        let live = self.inner.live.clone();
        let respond_nodes: Vec<&str> = plan
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::RespondWebhook)
            .map(|n| n.id.as_str())
            .collect();
        let mut sink = |e: &RunEvent| {
            if live.receiver_count() > 0 {
                let _ = live.send(LiveEvent::Run {
                    run_id: run_id.clone(),
                    workflow_id: job.workflow_id.clone(),
                    event_id: job.event_id.clone(),
                    event: e.clone(),
                });
            }
            if let RunEvent::NodeSucceeded { node, output, .. } = e {
                if respond_nodes.contains(&node.as_str()) {
                    self.answer(&job.event_id, reply_of(output));
                }
            }
        };
        let report = self.inner.engine.run(plan.clone(), req, &mut sink).await;
        self.inner
            .active
            .lock()
            .expect("active lock")
            .remove(&run_id);
        if report.status == RunStatus::Cancelled && self.inner.abort.is_cancelled() {
            // Shutdown cut it short: the job stays leased and runs again on the next start.
            return;
        }
        let emitted = self.emitted(&reg, &plan, &report, &run_id, depth);
        let outcome = match report.status {
            RunStatus::Succeeded => JobOutcome::Done,
            _ => JobOutcome::Dead(failure_text(&report)),
        };
        let record = RunRecord {
            id: run_id.clone(),
            job_id: Some(job.id),
            event_id: Some(job.event_id.clone()),
            workflow_id: job.workflow_id.clone(),
            workflow_version: version,
            trigger_node: Some(job.trigger_node.clone()),
            status: status_text(report.status).to_string(),
            started_at,
            finished_at: now_ms(),
            duration_ms: report.duration_ms,
            failed_node: report.failed_node.clone(),
            error: report
                .error
                .as_ref()
                .map(|e| serde_json::to_value(e).unwrap_or(Json::Null)),
            journal: serde_json::value::to_raw_value(&report)
                .unwrap_or_else(|_| raw("{\"nodes\":[]}")),
        };
        let summary = summary_of(&record);
        let payloads: Vec<(Arc<Json>, i64)> = emitted
            .iter()
            .map(|e| (Arc::new(e.payload.clone()), e.depth))
            .collect();
        let finished = FinishedRun {
            run: record,
            job: Some((job.id, outcome)),
            emitted,
        };
        match self.inner.queue.finish(finished).await {
            Ok(accepted) => {
                for (a, (payload, depth)) in accepted.iter().zip(payloads) {
                    for j in &a.jobs {
                        self.dispatch(Work {
                            job: j.clone(),
                            payload: payload.clone(),
                            depth,
                        });
                    }
                }
            }
            Err(e) => {
                tracing::error!(run = %run_id, error = %e, "the run could not be recorded; its job runs again on the next start");
                return;
            }
        }
        // A webhook caller still waiting gets the run's outcome.
        let fallback = match report.status {
            RunStatus::Succeeded => WebhookReply {
                status: 200,
                headers: Vec::new(),
                body: json!({"event_id": job.event_id, "run_id": run_id, "status": "succeeded", "output": report.output}),
            },
            _ => WebhookReply {
                status: 500,
                headers: Vec::new(),
                body: json!({"event_id": job.event_id, "run_id": run_id, "status": summary.status,
                             "code": "run_failed", "message": failure_text(&report)}),
            },
        };
        self.answer(&job.event_id, fallback);
        let _ = self.inner.live.send(LiveEvent::RunStored { run: summary });
    }

    /// A job whose workflow cannot run: dead-lettered with a run record saying why.
    async fn settle_without_run(&self, job: &Job, why: String) {
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
            journal: raw("{\"nodes\":[]}"),
        };
        let summary = summary_of(&record);
        let finished = FinishedRun {
            run: record,
            job: Some((job.id, JobOutcome::Dead(why))),
            emitted: Vec::new(),
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

    /// The events a run's Emit event nodes sent, addressed to their listeners.
    fn emitted(
        &self,
        reg: &Registry,
        plan: &Plan,
        report: &RunReport,
        run_id: &str,
        depth: i64,
    ) -> Vec<NewEvent> {
        let mut out = Vec::new();
        for n in &report.nodes {
            if n.status != NodeStatus::Succeeded {
                continue;
            }
            let Some(&i) = plan.index.get(&n.id) else {
                continue;
            };
            if plan.nodes[i].kind != NodeKind::EmitEvent {
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

/// The Event triggers listening for `name` whose filter accepts `payload`.
pub(crate) fn subscribers(reg: &Registry, name: &str, payload: &Json) -> Vec<Target> {
    let Some(list) = reg.events.get(name) else {
        return Vec::new();
    };
    list.iter()
        .filter(|t| accepts(reg, t, payload))
        .map(|t| Target {
            workflow_id: t.workflow_id.clone(),
            trigger_node: t.node.clone(),
        })
        .collect()
}

fn accepts(reg: &Registry, t: &TriggerRef, payload: &Json) -> bool {
    let Some((plan, _)) = reg.plan(&t.workflow_id) else {
        return false;
    };
    let Some(&i) = plan.index.get(&t.node) else {
        return false;
    };
    let Some(filter) = plan.nodes[i].params.expr("filter") else {
        return true;
    };
    let mut scope = Scope::for_event(payload.clone());
    scope.vars = plan.vars.clone();
    match plan.expressions.eval_bool(filter, &scope) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(workflow = %t.workflow_id, node = %t.node, error = %e.message, "the event filter failed; the event is not delivered to this workflow");
            false
        }
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

fn status_text(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "running",
        RunStatus::Succeeded => "succeeded",
        RunStatus::Failed => "failed",
        RunStatus::Cancelled => "cancelled",
    }
}

fn failure_text(report: &RunReport) -> String {
    match (&report.failed_node, &report.error) {
        (Some(node), Some(e)) => format!("{node}: {} ({})", e.message, e.code),
        (None, Some(e)) => format!("{} ({})", e.message, e.code),
        _ => status_text(report.status).to_string(),
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
    }
}

/// Waits no longer than needed for a test or a CLI to see a run stored.
pub async fn wait_for_run(
    live: &mut tokio::sync::broadcast::Receiver<LiveEvent>,
    mut matches: impl FnMut(&RunSummary) -> bool,
    limit: Duration,
) -> Option<RunSummary> {
    tokio::time::timeout(limit, async {
        loop {
            match live.recv().await {
                Ok(LiveEvent::RunStored { run }) if matches(&run) => return Some(run),
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return None,
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// The trigger a manual or editor run starts from: the one asked for, else the workflow's
/// Manual trigger, else its default trigger.
pub(crate) fn trigger_node(
    plan: &Plan,
    workflow_id: &str,
    trigger: Option<&str>,
) -> Result<String, AppError> {
    Ok(match trigger {
        Some(t) => plan
            .index
            .get(t)
            .filter(|&&i| plan.nodes[i].kind.is_trigger())
            .map(|_| t.to_string())
            .ok_or_else(|| {
                AppError::new(
                    "invalid_request",
                    format!("\"{t}\" is not a trigger of \"{workflow_id}\""),
                )
            })?,
        None => {
            let i = plan
                .triggers
                .iter()
                .copied()
                .find(|&i| plan.nodes[i].kind == NodeKind::ManualTrigger)
                .or_else(|| plan.default_trigger())
                .ok_or_else(|| AppError::new("invalid_workflow", "the workflow has no trigger"))?;
            plan.nodes[i].id.clone()
        }
    })
}
