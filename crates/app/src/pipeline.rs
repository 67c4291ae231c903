//! Events in, runs out: storing events before acknowledging them, fanning them out to the
//! workflows that listen, running each job on a bounded pool of workers, and recording the run
//! together with its job's outcome and the events it emitted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use serde::Serialize;
use serde_json::{json, Value as Json};
use switchyard_core::expr::Scope;
use switchyard_core::kind::NodeKind;
use switchyard_core::Plan;
use switchyard_engine::RunEvent;
use switchyard_store::{new_id, now_ms, Accepted, EventSource, Job, NewEvent, RunSummary, Target};
use tokio_util::sync::CancellationToken;

use crate::registry::{Registry, TriggerRef};
use crate::runner::{Cause, Executed, Held, RunSpec, Settles, Unstored, Work};
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
        if let Some(ready) = self.ready_to_run_first(&reg, route, &event) {
            return self.run_first(ready, event).await;
        }
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

    /// Whether a webhook's run can start before its event is stored: one workflow listens, it
    /// does not answer the caller itself, and a worker is free. (A repeated delivery may run
    /// too: until its event is stored it reaches nothing outside the process, and the store
    /// drops its run when it finds the key taken.)
    fn ready_to_run_first(
        &self,
        reg: &Registry,
        route: &WebhookRoute,
        event: &NewEvent,
    ) -> Option<RunFirst> {
        if route.responds || event.targets.len() != 1 {
            return None;
        }
        let (plan, version) = reg.plan(&route.workflow_id)?;
        let permit = self.inner.workers.clone().try_acquire_owned().ok()?;
        Some(RunFirst {
            permit,
            plan,
            version,
        })
    }

    /// Runs a webhook's workflow before its event is stored, so that a run needing nothing
    /// outside the process is stored in the same commit as its event: one commit per event
    /// instead of two, and the caller's 202 means the run is stored too. When the run reaches
    /// outside (a call, a wait; see [`Held`]), the event is stored first and the run goes on as
    /// its job's run, exactly as if a worker had taken it.
    async fn run_first(&self, ready: RunFirst, event: NewEvent) -> Result<Delivery, AppError> {
        let RunFirst {
            permit,
            plan,
            version,
        } = ready;
        let target = event.targets[0].clone();
        let trigger_kind = plan
            .index
            .get(&target.trigger_node)
            .map(|&i| plan.nodes[i].kind);
        let (origin, origin_run) = Cause::Delivered(EventSource::Webhook).origin(trigger_kind);
        let payload = Arc::new(event.payload.clone());
        let held = Held::default();
        let spec = RunSpec {
            run_id: new_id("run"),
            workflow_id: target.workflow_id,
            plan,
            version,
            trigger: target.trigger_node,
            event_id: event.id.clone(),
            payload: payload.clone(),
            depth: 0,
            settles: Settles::Held(held.clone()),
            origin,
            origin_run,
            pins: HashMap::new(),
            recorded: HashMap::new(),
        };
        let app = self.clone();
        let mut run = async move {
            let _permit = permit;
            app.execute_held(spec).await
        }
        .boxed();
        let first = tokio::select! {
            biased;
            executed = &mut run => self.store_with_run(event, payload, executed).await?,
            _ = held.gate.asked() => self.store_then_continue(event, held, run).await?,
        };
        Ok(Delivery::Accepted {
            event_id: first.event_id,
            duplicate: first.duplicate,
        })
    }

    /// [`App::run_first`]: the run ended before its event was stored; both go in one commit.
    async fn store_with_run(
        &self,
        event: NewEvent,
        payload: Arc<Json>,
        executed: Executed,
    ) -> Result<Accepted, AppError> {
        let app = self.clone();
        detached(&self.inner.tasks, async move {
            let Executed::Unstored(unstored) = executed else {
                // Shutdown cut the run short: the event is stored with its job open, to run on
                // the next start.
                return Ok(app.inner.queue.accept(vec![event]).await?.remove(0));
            };
            let Unstored {
                finished,
                outcome,
                summary,
                emitted,
            } = *unstored;
            let accepted = app.inner.queue.accept_ran(event, finished, outcome).await?;
            // A repeated delivery's run was dropped: nothing to announce.
            if !accepted[0].duplicate {
                let mut payloads = vec![(payload, 0, EventSource::Webhook)];
                payloads.extend(emitted);
                app.dispatch_accepted(&accepted, payloads);
                let _ = app.inner.live.send(LiveEvent::RunStored { run: summary });
            }
            Ok(accepted.into_iter().next().expect("one per event"))
        })
        .await
    }

    /// [`App::run_first`]: the run asks to reach outside. Its event is stored first, then the
    /// run goes on as that job's run; a repeated delivery's run is dropped instead, before
    /// anything left the process.
    async fn store_then_continue(
        &self,
        event: NewEvent,
        held: Held,
        run: futures::future::BoxFuture<'static, Executed>,
    ) -> Result<Accepted, AppError> {
        let app = self.clone();
        detached(&self.inner.tasks, async move {
            let first = app.inner.queue.accept(vec![event]).await?.remove(0);
            if !first.duplicate {
                let _ = held.job.set(first.jobs[0].id);
                held.gate.open();
                app.inner.tasks.spawn(run);
            }
            Ok(first)
        })
        .await
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
        let previous = self.inner.store.last_run_of_job(job_id).await?;
        self.dispatch(Work {
            job: job.clone(),
            payload: Arc::new(event.payload),
            depth: event.depth,
            cause: Cause::Retried(previous),
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

    pub(crate) fn refuse_when_stopping(&self) -> Result<(), AppError> {
        if self.is_stopping() {
            return Err(stopping());
        }
        Ok(())
    }

    /// Stores events and hands their jobs to the workers.
    pub(crate) async fn accept(&self, events: Vec<NewEvent>) -> Result<Vec<Accepted>, AppError> {
        let payloads: Vec<(Arc<Json>, i64, EventSource)> = events
            .iter()
            .map(|e| (Arc::new(e.payload.clone()), e.depth, e.source))
            .collect();
        let app = self.clone();
        detached(&self.inner.tasks, async move {
            let accepted = app.inner.queue.accept(events).await?;
            app.dispatch_accepted(&accepted, payloads);
            Ok(accepted)
        })
        .await
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
                cause: Cause::Delivered(EventSource::Schedule),
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
                cause: Cause::Delivered(event.source),
            });
        }
        Ok(())
    }

    /// Hands the jobs of stored events (payload, depth, source per event) to the workers.
    pub(crate) fn dispatch_accepted(
        &self,
        accepted: &[Accepted],
        events: Vec<(Arc<Json>, i64, EventSource)>,
    ) {
        for (a, (payload, depth, source)) in accepted.iter().zip(events) {
            for job in &a.jobs {
                self.dispatch(Work {
                    job: job.clone(),
                    payload: payload.clone(),
                    depth,
                    cause: Cause::Delivered(source),
                });
            }
        }
    }
}

/// Runs `work` to its end even if the caller goes away (a webhook client hanging up must not
/// leave a stored event's jobs unstarted): polled in place, and handed to a task of `tasks`
/// only if dropped before it finished.
async fn detached<T: Send + 'static>(
    tasks: &tokio_util::task::TaskTracker,
    work: impl std::future::Future<Output = Result<T, AppError>> + Send + 'static,
) -> Result<T, AppError> {
    let mut guard = Unfinished {
        work: Some(Box::pin(work)),
        tasks: tasks.clone(),
    };
    let out = guard.work.as_mut().expect("set above").await;
    // Finished: nothing is left to hand over (no await between these two lines).
    guard.work = None;
    out
}

/// Work that must not stop halfway (see [`detached`]).
struct Unfinished<T: Send + 'static> {
    work: Option<futures::future::BoxFuture<'static, Result<T, AppError>>>,
    tasks: tokio_util::task::TaskTracker,
}

impl<T: Send + 'static> Drop for Unfinished<T> {
    fn drop(&mut self) {
        if let Some(work) = self.work.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                self.tasks.spawn(async move {
                    let _ = work.await;
                });
            }
        }
    }
}

/// What a webhook's run needs to start before its event is stored.
struct RunFirst {
    permit: tokio::sync::OwnedSemaphorePermit,
    plan: Arc<Plan>,
    version: Option<i64>,
}

fn stopping() -> AppError {
    AppError::new("shutting_down", "the server is stopping")
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[tokio::test]
    async fn detached_work_finishes_even_when_its_caller_goes_away() {
        let tasks = tokio_util::task::TaskTracker::new();
        // Finishes in place.
        assert_eq!(detached(&tasks, async { Ok(7) }).await.unwrap(), 7);
        assert!(tasks.is_empty(), "nothing handed over");

        // Dropped halfway: the rest runs in a task of its own.
        let (go_tx, go) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = tokio::sync::oneshot::channel();
        let mut caller = Box::pin(detached(&tasks, async move {
            go.await.unwrap();
            done_tx.send("stored").unwrap();
            Ok(())
        }));
        assert!((&mut caller).now_or_never().is_none(), "waiting for `go`");
        drop(caller);
        assert_eq!(tasks.len(), 1, "handed over");
        go_tx.send(()).unwrap();
        assert_eq!(done.await.unwrap(), "stored");
        tasks.close();
        tasks.wait().await;
    }
}
