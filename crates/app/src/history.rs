//! Run history: what an operator does with a finished run. Re-run it (the same event, the
//! current version), retry it from its failed node (the nodes that succeeded give their
//! recorded outputs; the current or the original version), replay it (the same event and
//! version, every node that calls out or waits given its recording: nothing outside is
//! called), compare two runs, read a run's log lines, and the metrics of a time window.

use std::collections::HashMap;
use std::sync::Arc;

use switchyard_core::{compile, Pin, Plan, WorkflowFile};
use switchyard_engine::{NodeStatus, Outcome, Recorded, RunReport};
use switchyard_store::{new_id, now_ms, EventRecord, Metrics, MetricsQuery, RunOrigin, RunRecord};

use crate::api::{ReplayResult, RetryVersion, RunComparison, RunLogs, RunStarted};
use crate::runner::{summary_of, RunSpec, Settles};
use crate::{App, AppError};

/// A stored run with its journal and event, read back to start another run from it.
struct Earlier {
    record: RunRecord,
    report: RunReport,
    event: EventRecord,
    trigger: String,
}

impl App {
    /// A stored run with its journal.
    pub async fn get_run(&self, run_id: &str) -> Result<RunRecord, AppError> {
        Ok(self.inner.store.run(run_id).await?)
    }

    /// Runs the event of `run_id` again, on the version served now, as a new run linked to it.
    /// When it succeeds, the dead letter the earlier run left (if any) is done.
    pub async fn rerun(&self, run_id: &str, wait: bool) -> Result<RunStarted, AppError> {
        self.refuse_when_stopping()?;
        let earlier = self.earlier(run_id).await?;
        let (plan, version) = self.current_plan(&earlier.record.workflow_id)?;
        let spec = self.spec_from(&earlier, plan, version, RunOrigin::Rerun);
        self.start_run(spec, wait).await
    }

    /// Runs a failed run again from its failed node: every node that succeeded in it gives its
    /// recorded output and sends it where it went (so they do not run again), on the current
    /// version or the one the run ran.
    pub async fn retry_run(
        &self,
        run_id: &str,
        version: RetryVersion,
        wait: bool,
    ) -> Result<RunStarted, AppError> {
        self.refuse_when_stopping()?;
        let earlier = self.earlier(run_id).await?;
        let record = &earlier.record;
        if record.status != "failed" {
            return Err(AppError::new(
                "run_not_failed",
                format!(
                    "run {run_id} {}: only a failed run can be retried from its failed node (re-run it instead)",
                    record.status
                ),
            ));
        }
        let Some(failed) = record.failed_node.clone() else {
            return Err(AppError::new(
                "run_not_failed",
                format!("run {run_id} failed before any node ran: re-run it instead"),
            ));
        };
        let original = self.version_plan(record).await;
        let (plan, number) = match version {
            RetryVersion::Current => self.current_plan(&record.workflow_id)?,
            RetryVersion::Original => (original.clone()?, record.workflow_version),
        };
        let pins = resume_pins(&earlier.report, &plan, &failed, original.ok().as_deref())?;
        let mut spec = self.spec_from(&earlier, plan, number, RunOrigin::Retry);
        spec.pins = pins;
        self.start_run(spec, wait).await
    }

    /// Runs `run_id` again with the same event and version, every node that calls out or
    /// waits given what it gave then (per For each item too): nothing outside is called, no
    /// event is emitted. Returns the replay compared with the original: `same_outcome` says
    /// whether it was deterministic.
    pub async fn replay_run(&self, run_id: &str) -> Result<ReplayResult, AppError> {
        self.refuse_when_stopping()?;
        let earlier = self.earlier(run_id).await?;
        let plan = self.version_plan(&earlier.record).await?;
        let recorded = recordings(&earlier.report, &plan);
        let mut spec = self.spec_from(
            &earlier,
            plan,
            earlier.record.workflow_version,
            RunOrigin::Replay,
        );
        spec.settles = Settles::Nothing;
        spec.recorded = recorded;
        let started = self.start_run(spec, true).await?;
        let run = started
            .run
            .ok_or_else(|| AppError::new("database_error", "the replay was not recorded"))?;
        let comparison = self.compare_runs(run_id, &run.id).await?;
        Ok(ReplayResult { run, comparison })
    }

    /// Two stored runs side by side, node by node.
    pub async fn compare_runs(&self, a: &str, b: &str) -> Result<RunComparison, AppError> {
        let ra = self.inner.store.run(a).await?;
        let rb = self.inner.store.run(b).await?;
        let (ja, jb) = (journal(&ra)?, journal(&rb)?);
        Ok(crate::compare::compare(
            summary_of(&ra),
            &ja,
            summary_of(&rb),
            &jb,
        ))
    }

    /// The lines logged while `run_id` ran, and its Log nodes' lines.
    pub async fn run_logs(&self, run_id: &str) -> Result<RunLogs, AppError> {
        let record = self.inner.store.run(run_id).await?;
        Ok(RunLogs {
            run_id: run_id.to_string(),
            lines: self.inner.store.run_logs(run_id).await?,
            nodes: journal(&record)?.logs,
        })
    }

    /// Metrics over the last `window` (`15m`, `1h`, `24h`, `7d` ...), in about 60 buckets
    /// aligned to their size, for one workflow or all.
    pub async fn metrics(&self, workflow: Option<&str>, window: &str) -> Result<Metrics, AppError> {
        let window_ms = parse_window(window).ok_or_else(|| {
            AppError::new(
                "invalid_request",
                format!("\"{window}\" is not a time window: use minutes, hours or days, like 15m, 1h, 24h or 7d (at most 90d)"),
            )
        })?;
        let bucket_ms = bucket_for(window_ms);
        let until = (now_ms() / bucket_ms + 1) * bucket_ms;
        let query = MetricsQuery {
            workflow: workflow.map(str::to_string),
            since: until - ceil_div(window_ms, bucket_ms) * bucket_ms,
            until,
            bucket_ms,
        };
        Ok(self.inner.store.metrics(&query).await?)
    }

    async fn earlier(&self, run_id: &str) -> Result<Earlier, AppError> {
        let record = self.inner.store.run(run_id).await?;
        let report = journal(&record)?;
        let event_id = record.event_id.clone().ok_or_else(|| {
            AppError::new(
                "no_event",
                format!("run {run_id} has no stored event to run again"),
            )
        })?;
        let event = self.inner.store.event(&event_id).await?;
        let trigger = record.trigger_node.clone().ok_or_else(|| {
            AppError::new("no_event", format!("run {run_id} has no trigger recorded"))
        })?;
        Ok(Earlier {
            record,
            report,
            event,
            trigger,
        })
    }

    fn spec_from(
        &self,
        earlier: &Earlier,
        plan: Arc<Plan>,
        version: Option<i64>,
        origin: RunOrigin,
    ) -> RunSpec {
        RunSpec {
            run_id: new_id("run"),
            workflow_id: earlier.record.workflow_id.clone(),
            plan,
            version,
            trigger: earlier.trigger.clone(),
            event_id: earlier.event.id.clone(),
            payload: Arc::new(earlier.event.payload.clone()),
            depth: earlier.event.depth,
            settles: earlier
                .record
                .job_id
                .map_or(Settles::Nothing, Settles::DeadLetter),
            origin,
            origin_run: Some(earlier.record.id.clone()),
            pins: HashMap::new(),
            recorded: HashMap::new(),
        }
    }

    /// Runs `spec` on a worker, like a job; with `wait`, answers once it is stored.
    async fn start_run(&self, spec: RunSpec, wait: bool) -> Result<RunStarted, AppError> {
        let run_id = spec.run_id.clone();
        let app = self.clone();
        let handle = self.inner.tasks.spawn(async move {
            let Ok(_permit) = app.inner.workers.clone().acquire_owned().await else {
                return None;
            };
            app.execute(spec).await
        });
        if !wait {
            return Ok(RunStarted { run_id, run: None });
        }
        match handle.await {
            Ok(Some(run)) => Ok(RunStarted {
                run_id,
                run: Some(run),
            }),
            _ => Err(AppError::new(
                "shutting_down",
                format!("run {run_id} was not recorded (the server is stopping?)"),
            )),
        }
    }

    /// The plan served now for `workflow_id`, and its version.
    fn current_plan(&self, workflow_id: &str) -> Result<(Arc<Plan>, Option<i64>), AppError> {
        self.registry().plan(workflow_id).ok_or_else(|| {
            AppError::new(
                "invalid_workflow",
                format!("\"{workflow_id}\" is not loaded or has errors, so it cannot run"),
            )
        })
    }

    /// The plan of the version `record` ran (the served plan when that is the version).
    async fn version_plan(&self, record: &RunRecord) -> Result<Arc<Plan>, AppError> {
        let unavailable = |why: String| {
            AppError::new(
                "version_unavailable",
                format!("the version run {} ran is not available: {why}", record.id),
            )
        };
        let Some(version) = record.workflow_version else {
            return Err(unavailable("it was not recorded".into()));
        };
        if let Some((plan, Some(v))) = self.registry().plan(&record.workflow_id) {
            if v == version {
                return Ok(plan);
            }
        }
        let text = self
            .inner
            .store
            .version_file(&record.workflow_id, version)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let file = WorkflowFile::from_json(&text).map_err(|e| unavailable(e.to_string()))?;
        let plan = compile(&file).map_err(|d| {
            let first = d.first().map(|d| d.message.clone()).unwrap_or_default();
            unavailable(format!(
                "version {version} does not compile any more: {first}"
            ))
        })?;
        Ok(Arc::new(plan))
    }
}

fn journal(record: &RunRecord) -> Result<RunReport, AppError> {
    let mut report: RunReport = serde_json::from_str(record.journal.get()).map_err(|e| {
        AppError::new(
            "corrupt_data",
            format!("the journal of run {} cannot be read: {e}", record.id),
        )
    })?;
    report.reindex();
    Ok(report)
}

/// The outputs a retry from `failed` gives instead of running: every node that succeeded
/// outside For each bodies (a loop that succeeded gives its summary, its Collect its items).
/// Refused when `plan` lacks the failed node or one of those, or one of them changed kind
/// since the run (`original`: the plan it ran, when known).
fn resume_pins(
    report: &RunReport,
    plan: &Plan,
    failed: &str,
    original: Option<&Plan>,
) -> Result<HashMap<String, Arc<Pin>>, AppError> {
    let mut pins = HashMap::new();
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    let kind_in = |p: &Plan, id: &str| p.index.get(id).map(|&i| p.nodes[i].kind);
    let mut check = |id: &str| match (kind_in(plan, id), original.and_then(|o| kind_in(o, id))) {
        (None, _) => missing.push(id.to_string()),
        (Some(now), Some(then)) if now != then => changed.push(id.to_string()),
        _ => {}
    };
    check(failed);
    for n in &report.nodes {
        let Some(output) = n
            .output
            .clone()
            .filter(|_| n.status == NodeStatus::Succeeded)
        else {
            continue;
        };
        if let Some(&i) = original.and_then(|o| o.index.get(&n.id)) {
            let o = original.expect("checked");
            if o.nodes[i].kind.is_trigger() || o.nodes[i].in_loop.is_some() {
                continue;
            }
        }
        check(&n.id);
        let Some(&i) = plan.index.get(&n.id) else {
            continue;
        };
        if plan.nodes[i].kind.is_trigger() || plan.nodes[i].in_loop.is_some() {
            continue;
        }
        pins.insert(
            n.id.clone(),
            Arc::new(Pin {
                output,
                ports: n.ports.clone(),
            }),
        );
    }
    if !missing.is_empty() {
        return Err(AppError::new(
            "nodes_missing",
            format!(
                "this version has no node {}: retry with the original version, or re-run",
                quoted(&missing)
            ),
        ));
    }
    if !changed.is_empty() {
        return Err(AppError::new(
            "nodes_changed",
            format!(
                "{} changed kind since the run: retry with the original version, or re-run",
                quoted(&changed)
            ),
        ));
    }
    Ok(pins)
}

fn quoted(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("\"{id}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a replay gives back: for every node of `plan` that calls out or waits, what it gave in
/// `report` (nodes with nothing recorded are listed empty, so they fail instead of running).
fn recordings(report: &RunReport, plan: &Plan) -> HashMap<String, Recorded> {
    let outcome =
        |output: Option<&Arc<serde_json::Value>>, ports: &[String], error| match (output, error) {
            (_, Some(e)) => Some(Outcome::Failed(e)),
            (Some(o), None) => Some(Outcome::Output(Arc::new(Pin {
                output: o.clone(),
                ports: ports.to_vec(),
            }))),
            (None, None) => None,
        };
    let mut out = HashMap::new();
    for pn in plan.nodes.iter().filter(|n| n.kind.is_recorded()) {
        let mut recorded = Recorded::default();
        if let Some(n) = report.node(&pn.id) {
            if pn.in_loop.is_some() {
                for r in &n.recordings {
                    if let Some(o) = outcome(r.output.as_ref(), &r.ports, r.error.clone()) {
                        recorded.items.insert(r.item, o);
                    }
                }
            } else {
                recorded.run = match n.status {
                    NodeStatus::Succeeded => outcome(n.output.as_ref(), &n.ports, None),
                    NodeStatus::Failed => n
                        .error
                        .clone()
                        .filter(|e| e.code != "cancelled")
                        .map(Outcome::Failed),
                    _ => None,
                };
            }
        }
        out.insert(pn.id.clone(), recorded);
    }
    out
}

/// `15m`, `1h`, `24h`, `7d` as milliseconds (1 minute to 90 days).
fn parse_window(text: &str) -> Option<i64> {
    let text = text.trim();
    let (n, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    let ms = n.checked_mul(match unit {
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    })?;
    (60_000..=90 * 86_400_000).contains(&ms).then_some(ms)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// The smallest round bucket that cuts `window_ms` into at most 60.
fn bucket_for(window_ms: i64) -> i64 {
    const STEPS: [i64; 13] = [
        1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000,
        10_800_000, 21_600_000, 86_400_000,
    ];
    STEPS
        .into_iter()
        .find(|&b| ceil_div(window_ms, b) <= 60)
        .unwrap_or(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_their_buckets() {
        assert_eq!(parse_window("1h"), Some(3_600_000));
        assert_eq!(parse_window("7d"), Some(7 * 86_400_000));
        for bad in ["", "h", "0h", "-1h", "10s", "1y", "91d", "1.5h"] {
            assert_eq!(parse_window(bad), None, "{bad}");
        }
        assert_eq!(bucket_for(3_600_000), 60_000, "1 h: minutes");
        assert_eq!(bucket_for(86_400_000), 1_800_000, "24 h: half hours");
        assert_eq!(bucket_for(7 * 86_400_000), 10_800_000, "7 d: 3 hours");
        assert_eq!(bucket_for(15 * 60_000), 15_000);
    }
}
