//! Test cases and batch tests: every run in test mode (side effects simulated, see
//! `RunRequest::test_mode`), each case checked against its expectations, each batch row
//! counted by the route it took. The app's API, the HTTP server and `switchyard test` all run
//! tests through here, on an [`Engine`] set up with the workspace and secrets.

mod batch;
mod csv_rows;
mod expect;
mod route;
mod suites;
mod types;

use std::sync::Arc;

use futures::StreamExt;
use serde_json::{json, Value as Json};
use switchyard_core::testsuite::{self, CheckedSuite, TestCase};
use switchyard_core::{Diagnostic, Pin, Plan, TestSuite, WorkflowFile};
use switchyard_engine::{Engine, NodeError, RunReport, RunRequest, RunStatus, StandIn};
use tokio::time::Instant;

pub use batch::{run_batch, BatchOptions};
pub use csv_rows::{cell_value, rows_from_csv, Rows};
pub use expect::{diff, json_equal, lookup};
pub use route::{route, summary};
pub use suites::{is_workflow_file, load_suite, suite_path, workflow_for_suite};
pub use types::*;

/// Test cases of one suite run at the same time.
const CASE_CONCURRENCY: usize = 4;

/// A workflow to test: the file (for trigger samples and the suite's checks) and its plan
/// (none when it does not compile).
pub struct Target {
    pub file: WorkflowFile,
    pub plan: Option<Arc<Plan>>,
    /// The compiler's errors when there is no plan.
    pub diagnostics: Vec<Diagnostic>,
}

impl Target {
    /// The first of the compiler's errors, as text (empty when there is none).
    pub(crate) fn first_error(&self) -> String {
        self.diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    pub fn new(file: WorkflowFile) -> Target {
        let loaded = crate::load::load_file(file);
        Target {
            file: loaded.file.expect("load_file keeps the file"),
            plan: loaded.plan.map(Arc::new),
            diagnostics: loaded.diagnostics,
        }
    }
}

/// Runs the cases of `suite` (only those named in `only`, when given) against `target`.
pub async fn run_suite(
    engine: &Engine,
    target: &Target,
    suite: &TestSuite,
    only: Option<&[String]>,
) -> SuiteResult {
    let started = Instant::now();
    let checked = testsuite::check(suite, &target.file);
    let mut diagnostics = checked.diagnostics.clone();
    if target.plan.is_none() {
        diagnostics.insert(0, workflow_has_errors(target));
    }
    let selected: Vec<(usize, &TestCase)> = suite
        .cases
        .iter()
        .enumerate()
        .filter(|(_, c)| only.is_none_or(|names| names.contains(&c.name)))
        .collect();
    // The futures are made first (none runs before it is polled): a stream that maps with a
    // borrowing closure would not be `Send` for every lifetime, as a server handler needs.
    let runs: Vec<_> = selected
        .into_iter()
        .map(|(i, case)| run_case(engine, target, &checked, i, case))
        .collect();
    let cases: Vec<CaseResult> = futures::stream::iter(runs)
        .buffered(CASE_CONCURRENCY)
        .collect()
        .await;
    let passed = cases.iter().filter(|c| c.passed).count();
    SuiteResult {
        workflow: suite.workflow.clone(),
        passed,
        failed: cases.len() - passed,
        duration_ms: ms(started),
        diagnostics,
        cases,
    }
}

fn workflow_has_errors(target: &Target) -> Diagnostic {
    let first = target.first_error();
    Diagnostic::error(
        "workflow_invalid",
        None,
        format!(
            "the workflow \"{}\" has errors, so no case can run; first: {first}",
            target.file.id
        ),
    )
}

async fn run_case(
    engine: &Engine,
    target: &Target,
    checked: &CheckedSuite,
    index: usize,
    case: &TestCase,
) -> CaseResult {
    let mut diagnostics = checked.case_diagnostics(index);
    let plan = match &target.plan {
        Some(plan) if checked.runnable(index) => plan.clone(),
        _ => {
            if target.plan.is_none() {
                diagnostics.insert(0, workflow_has_errors(target));
            }
            return CaseResult {
                name: case.name.clone(),
                passed: false,
                outcome: Outcome::Invalid,
                duration_ms: 0.0,
                route: Route::default(),
                failures: Vec::new(),
                error: None,
                diagnostics,
                nodes: Vec::new(),
                logs: Vec::new(),
            };
        }
    };
    let event = Arc::new(
        case.event
            .clone()
            .unwrap_or_else(|| sample_event(&target.file, &plan, case.trigger.as_deref())),
    );
    let mut req = RunRequest::new(switchyard_store::new_id("test"), event.clone());
    req.trigger = case.trigger.clone();
    req.vars = case.vars.clone();
    req.test_mode = true;
    for (id, mock) in &case.mocks {
        match (&mock.output, &mock.error) {
            // An output: a pin, sent to the mock's ports.
            (Some(out), _) => {
                let ports = if mock.ports.is_empty() {
                    vec!["out".to_string()]
                } else {
                    mock.ports.clone()
                };
                let pin = Pin {
                    output: Arc::new(out.clone()),
                    ports,
                };
                req.pins.insert(id.clone(), Arc::new(pin));
            }
            // A failure: a stand-in that fails (its `error` port may catch it).
            (None, Some(e)) => {
                let err = NodeError::new(&e.code, e.message.clone());
                let stand_in: StandIn = Arc::new(move |_| Err(err.clone()));
                req.stand_ins.insert(id.clone(), stand_in);
            }
            (None, None) => {}
        }
    }
    let report = engine.run(plan.clone(), req, &mut |_| {}).await;
    let route = route(&plan, &report);
    let vars = Arc::new(merged_vars(&plan, case));
    let ran = expect::Ran {
        plan: &plan,
        report: &report,
        route: &route,
        event,
        vars,
    };
    let failures = expect::evaluate(index, case, checked, &ran);
    CaseResult {
        name: case.name.clone(),
        passed: failures.is_empty(),
        outcome: outcome(report.status),
        duration_ms: report.duration_ms,
        error: run_error(&report),
        failures,
        diagnostics,
        nodes: node_results(&report),
        logs: report
            .logs
            .iter()
            .map(|l| LogEntry {
                node: l.node.clone(),
                level: l.level.clone(),
                message: l.message.clone(),
            })
            .collect(),
        route,
    }
}

fn merged_vars(plan: &Plan, case: &TestCase) -> Json {
    let mut vars = plan.vars.as_ref().clone();
    if let Json::Object(m) = &mut vars {
        m.extend(case.vars.clone());
    }
    vars
}

/// The sample event of the trigger a run starts from (`trigger`, else the plan's default), or
/// `{}`.
pub fn sample_event(file: &WorkflowFile, plan: &Plan, trigger: Option<&str>) -> Json {
    let trigger = trigger
        .map(str::to_string)
        .or_else(|| plan.default_trigger().map(|t| plan.nodes[t].id.clone()));
    file.nodes
        .iter()
        .find(|n| Some(&n.id) == trigger.as_ref())
        .and_then(|n| n.params.get("sample").cloned())
        .unwrap_or_else(|| json!({}))
}

pub(crate) fn outcome(s: RunStatus) -> Outcome {
    match s {
        RunStatus::Succeeded => Outcome::Succeeded,
        RunStatus::Cancelled => Outcome::Cancelled,
        RunStatus::Failed | RunStatus::Running => Outcome::Failed,
    }
}

pub(crate) fn run_error(report: &RunReport) -> Option<RunError> {
    report.error.as_ref().map(|e| RunError {
        node: report.failed_node.clone(),
        code: e.code.clone(),
        message: e.message.clone(),
    })
}

fn node_results(report: &RunReport) -> Vec<NodeResult> {
    report
        .nodes
        .iter()
        .map(|n| NodeResult {
            id: n.id.clone(),
            status: serde_json::to_value(n.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            ports: n.ports.clone(),
            output: n.output.as_deref().cloned(),
            error: n.error.as_ref().map(|e| RunError {
                node: Some(n.id.clone()),
                code: e.code.clone(),
                message: e.message.clone(),
            }),
        })
        .collect()
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests;
