//! Batch tests: many events (a CSV of leads) through one workflow in test mode, with bounded
//! concurrency; per row its outcome, route, chosen output values and error, and a breakdown of
//! how many rows went each way.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value as Json;
use switchyard_engine::{Engine, RunRequest};
use tokio::time::Instant;

use super::types::{BatchResult, BatchRow, BranchCount, Outcome, Route, RouteCount, RunError};
use super::{lookup, outcome, route, run_error, Target};
use crate::AppError;

/// Rows run at the same time unless said otherwise, and at most.
pub const DEFAULT_CONCURRENCY: usize = 8;
pub const MAX_CONCURRENCY: usize = 64;
/// How the rows that could not run are counted in the breakdown.
pub const NOT_RUN: &str = "(not run)";

/// How a batch runs.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    pub trigger: Option<String>,
    pub vars: BTreeMap<String, Json>,
    /// `node.path` values to report per row.
    pub columns: Vec<String>,
    pub concurrency: Option<usize>,
}

/// Runs every row (its event, or why it cannot run) through `target` in test mode. `progress`
/// is called with (rows done, rows in all) as rows finish.
pub async fn run_batch(
    engine: &Engine,
    target: &Target,
    rows: Vec<Result<Json, String>>,
    options: &BatchOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BatchResult, AppError> {
    let Some(plan) = target.plan.clone() else {
        let first = target.first_error();
        return Err(AppError::new(
            "invalid_workflow",
            format!(
                "\"{}\" has errors and cannot run; first: {first}",
                target.file.id
            ),
        ));
    };
    if let Some(t) = &options.trigger {
        if !plan.node(t).is_some_and(|n| n.kind.is_trigger()) {
            return Err(AppError::new(
                "invalid_request",
                format!("\"{t}\" is not a trigger of \"{}\"", plan.id),
            ));
        }
    }
    let columns = parse_columns(&options.columns, &plan)?;
    let concurrency = options
        .concurrency
        .unwrap_or(DEFAULT_CONCURRENCY)
        .clamp(1, MAX_CONCURRENCY);
    let started = Instant::now();
    let total = rows.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    // The futures are made first (see `run_suite`); none runs before it is polled.
    let runs: Vec<_> = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let plan = plan.clone();
            let columns = &columns;
            let done = &done;
            async move {
                let result = match row {
                    Err(why) => BatchRow {
                        row: i + 1,
                        outcome: Outcome::Invalid,
                        route: Route::default(),
                        values: BTreeMap::new(),
                        error: Some(RunError {
                            node: None,
                            code: "invalid_row".into(),
                            message: why,
                        }),
                        duration_ms: 0.0,
                    },
                    Ok(event) => {
                        let mut req =
                            RunRequest::new(switchyard_store::new_id("batch"), Arc::new(event));
                        req.trigger = options.trigger.clone();
                        req.vars = options.vars.clone();
                        req.test_mode = true;
                        let report = engine.run(plan.clone(), req, &mut |_| {}).await;
                        let mut values = BTreeMap::new();
                        for (name, node, path) in columns {
                            let found = report
                                .node(node)
                                .and_then(|n| n.output.clone())
                                .and_then(|o| lookup(&o, path).ok().cloned());
                            if let Some(v) = found {
                                values.insert(name.clone(), v);
                            }
                        }
                        BatchRow {
                            row: i + 1,
                            outcome: outcome(report.status),
                            route: route(&plan, &report),
                            values,
                            error: run_error(&report),
                            duration_ms: report.duration_ms,
                        }
                    }
                };
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
                result
            }
        })
        .collect();
    let results: Vec<BatchRow> = futures::stream::iter(runs)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut rows = results;
    rows.sort_by_key(|r| r.row);
    let count = |o: Outcome| rows.iter().filter(|r| r.outcome == o).count();
    Ok(BatchResult {
        workflow: plan.id.clone(),
        total,
        succeeded: count(Outcome::Succeeded),
        failed: count(Outcome::Failed) + count(Outcome::Cancelled),
        invalid: count(Outcome::Invalid),
        duration_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        columns: options.columns.clone(),
        routes: route_counts(&rows),
        branches: branch_counts(&rows, &plan),
        rows,
    })
}

/// `classify.label` → (name, node, path); the node must exist.
fn parse_columns(
    columns: &[String],
    plan: &switchyard_core::Plan,
) -> Result<Vec<(String, String, String)>, AppError> {
    columns
        .iter()
        .map(|c| {
            let (node, path) = c.split_once('.').unwrap_or((c.as_str(), ""));
            if plan.node(node).is_none() {
                let mut ids: Vec<&str> = plan.nodes.iter().map(|n| n.id.as_str()).collect();
                ids.sort();
                return Err(AppError::new(
                    "invalid_request",
                    format!(
                        "the column \"{c}\" names no node of \"{}\" (write node.path, e.g. classify.label); its nodes are: {}",
                        plan.id,
                        ids.join(", ")
                    ),
                ));
            }
            Ok((c.clone(), node.to_string(), path.to_string()))
        })
        .collect()
}

/// Rows per whole route, most common first (ties by route text); adds up to the row count.
fn route_counts(rows: &[BatchRow]) -> Vec<RouteCount> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let key = if r.outcome == Outcome::Invalid {
            NOT_RUN.to_string()
        } else {
            r.route.summary.clone()
        };
        *counts.entry(key).or_default() += 1;
    }
    let mut out: Vec<RouteCount> = counts
        .into_iter()
        .map(|(route, count)| RouteCount { route, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.route.cmp(&b.route)));
    out
}

/// Rows per output of each branching node: nodes in plan order, outputs most common first.
fn branch_counts(rows: &[BatchRow], plan: &switchyard_core::Plan) -> Vec<BranchCount> {
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for r in rows {
        for s in &r.route.steps {
            let ports = if s.ports.is_empty() {
                vec!["stopped".to_string()]
            } else {
                s.ports.clone()
            };
            for p in ports {
                *counts.entry((s.node.clone(), p)).or_default() += 1;
            }
        }
    }
    let mut out: Vec<BranchCount> = counts
        .into_iter()
        .map(|((node, port), count)| BranchCount { node, port, count })
        .collect();
    let order = |n: &str| plan.index.get(n).copied().unwrap_or(usize::MAX);
    out.sort_by(|a, b| {
        order(&a.node)
            .cmp(&order(&b.node))
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.port.cmp(&b.port))
    });
    out
}
