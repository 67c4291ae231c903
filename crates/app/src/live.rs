//! Runs started from the editor and watched as they happen.
//!
//! A **test run** runs the workflow as the editor has it (unsaved changes included) in test
//! mode: side effects are simulated, pinned samples stand in for their nodes, and nothing is
//! stored (it is a scratch run, cancelled when nobody watches it any more). A **real run** runs
//! the saved workflow through the durable pipeline, exactly like a manual run from the CLI or
//! the API: it is stored, appears in the history, and goes on if the watcher goes away.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use switchyard_core::{Diagnostic, Severity, WorkflowFile};
use switchyard_engine::{RunEvent, RunReport, RunRequest};
use switchyard_store::new_id;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::load::load_file;
use crate::pipeline::{trigger_node, ActiveRun, LiveEvent};
use crate::{App, AppError};

/// "Run this workflow and show me what happens."
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LiveRunRequest {
    pub workflow_id: String,
    /// The workflow as the editor has it; test runs run it as is (unsaved changes included).
    /// Real runs always run the saved file and ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<WorkflowFile>,
    /// The trigger to start from; by default the Manual trigger, else the first trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// The sample event (the trigger's output).
    #[serde(default)]
    pub event: Json,
    /// Overrides of the workflow's variables (test runs only).
    #[serde(default)]
    pub vars: BTreeMap<String, Json>,
    /// Simulate side effects (emails, HTTP other than GET, SQL writes, emitted events) and use
    /// pinned samples. Off: a real, stored run of the saved workflow.
    #[serde(default)]
    pub test_mode: bool,
}

/// How an editor run ended.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LiveRunOutcome {
    pub run_id: String,
    /// The stored event of a real run; none for a test run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub test_mode: bool,
    /// Per node: status, output, error, attempts, timing, ports taken.
    pub report: RunReport,
}

impl App {
    /// Runs a workflow for the editor, calling `on_event` for every run event as it happens.
    /// `stop` ends a test run (it is cancelled) or stops watching a real run (which goes on).
    pub async fn run_live(
        &self,
        req: LiveRunRequest,
        stop: CancellationToken,
        on_event: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> Result<LiveRunOutcome, AppError> {
        if self.is_stopping() {
            return Err(AppError::new("shutting_down", "the server is stopping"));
        }
        if req.test_mode {
            self.test_run(req, stop, on_event).await
        } else {
            self.watched_run(req, stop, on_event).await
        }
    }

    async fn test_run(
        &self,
        req: LiveRunRequest,
        stop: CancellationToken,
        on_event: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> Result<LiveRunOutcome, AppError> {
        let file = match req.file {
            Some(f) => f,
            None => self.get_workflow(&req.workflow_id)?,
        };
        let loaded = load_file(file);
        let Some(plan) = loaded.plan else {
            return Err(not_runnable(&req.workflow_id, &loaded.diagnostics));
        };
        let plan = Arc::new(plan);
        let run_id = new_id("run");
        let mut run = RunRequest::new(run_id.clone(), req.event);
        run.trigger = Some(trigger_node(
            &plan,
            &req.workflow_id,
            req.trigger.as_deref(),
        )?);
        run.vars = req.vars;
        run.test_mode = true;
        run.cancel = self.inner.abort.child_token();
        let cancel = run.cancel.clone();
        // Nobody watches any more: the scratch run stops.
        let linked = tokio::spawn({
            let cancel = cancel.clone();
            async move {
                stop.cancelled().await;
                cancel.cancel();
            }
        });
        self.inner.active.lock().expect("active lock").insert(
            run_id.clone(),
            ActiveRun {
                workflow_id: req.workflow_id.clone(),
                cancel,
            },
        );
        let report = self.inner.engine.run(plan, run, on_event).await;
        linked.abort();
        self.inner
            .active
            .lock()
            .expect("active lock")
            .remove(&run_id);
        Ok(LiveRunOutcome {
            run_id,
            event_id: None,
            test_mode: true,
            report,
        })
    }

    async fn watched_run(
        &self,
        req: LiveRunRequest,
        stop: CancellationToken,
        on_event: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> Result<LiveRunOutcome, AppError> {
        // Subscribe first, so that no event of the run is missed.
        let mut live = self.subscribe();
        let (event_id, _) = self
            .run_manual(&req.workflow_id, req.trigger.as_deref(), req.event, false)
            .await?;
        loop {
            let next = tokio::select! {
                _ = stop.cancelled() => {
                    return Err(AppError::new("cancelled", "stopped watching the run; it goes on"));
                }
                next = live.recv() => next,
            };
            match next {
                Ok(LiveEvent::Run {
                    event_id: e, event, ..
                }) if e == event_id => on_event(&event),
                Ok(LiveEvent::RunStored { run }) if run.event_id.as_deref() == Some(&event_id) => {
                    let record = self.store().run(&run.id).await?;
                    let report: RunReport =
                        serde_json::from_str(record.journal.get()).map_err(|e| {
                            AppError::new(
                                "internal",
                                format!("the run's journal is unreadable: {e}"),
                            )
                        })?;
                    return Ok(LiveRunOutcome {
                        run_id: run.id,
                        event_id: Some(event_id),
                        test_mode: false,
                        report,
                    });
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => {
                    return Err(AppError::new("shutting_down", "the server is stopping"));
                }
            }
        }
    }
}

/// Why a workflow cannot run: its first errors, with the node they concern.
fn not_runnable(id: &str, diagnostics: &[Diagnostic]) -> AppError {
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .take(3)
        .map(|d| match &d.node {
            Some(n) => format!("{n}: {}", d.message),
            None => d.message.clone(),
        })
        .collect();
    AppError::new(
        "invalid_workflow",
        format!(
            "\"{id}\" has problems to fix before it can run: {}",
            errors.join("; ")
        ),
    )
}
