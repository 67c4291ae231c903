//! What running test cases and batches gives back: the types the UI, the HTTP API and the CLI's
//! JSON report share (`schema/api.schema.json` is generated from them).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use switchyard_core::{Diagnostic, TestSuite, WorkflowFile};

/// The way a run went: which output each branching node took, and every node that ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Route {
    /// Branching nodes that ran (Condition, Switch, Filter, AI classify, nodes whose `error`
    /// port is connected, nodes with several connected outputs), in plan order.
    pub steps: Vec<RouteStep>,
    /// Every node that ran (succeeded or failed), in plan order.
    pub reached: Vec<String>,
    /// The steps as text, e.g. `classify → hot, crm → out`; empty when nothing branched.
    pub summary: String,
}

/// One branching node and the outputs it sent data to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RouteStep {
    pub node: String,
    /// Usually one; a Switch in `all` mode may take several; none when a Filter stopped the
    /// branch.
    pub ports: Vec<String>,
}

/// How a case or a row ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    Cancelled,
    /// It could not run: see the diagnostics (case) or the error (row).
    Invalid,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Invalid => "invalid",
        }
    }
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunError {
    /// The node that failed (none: the run could not start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub code: String,
    pub message: String,
}

/// One node of a test run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NodeResult {
    pub id: String,
    /// `succeeded`, `failed`, `skipped` (or `pending` when the run stopped before it).
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
}

/// A log line of a test run (test mode's "would send ..." lines among them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogEntry {
    pub node: String,
    pub level: String,
    pub message: String,
}

/// An expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Failure {
    /// Which part of `expect`: `status`, `error`, `reached`, `not_reached`, `route`, `output`.
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// For `output`: the path inside the node's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// In plain language, e.g. `classify took warm, expected hot`.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Json>,
    /// For objects and lists: each field that differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
}

/// One differing field: absent `expected` means the field is extra, absent `actual` that it is
/// missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Difference {
    /// Dotted path from the value checked, e.g. `body.email` or `items.2`.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Json>,
}

/// The result of one test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseResult {
    pub name: String,
    pub passed: bool,
    pub outcome: Outcome,
    pub duration_ms: f64,
    pub route: Route,
    /// Expectations that did not hold (empty when passed).
    pub failures: Vec<Failure>,
    /// Why the run failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// Problems of this case in the suite (errors keep it from running).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// Every node of the run, in plan order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogEntry>,
}

/// The result of running a suite (or some of its cases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SuiteResult {
    pub workflow: String,
    /// Cases that passed and that did not (failed expectations, or could not run).
    pub passed: usize,
    pub failed: usize,
    pub duration_ms: f64,
    /// Every problem found in the suite (each case's are also in its result).
    pub diagnostics: Vec<Diagnostic>,
    pub cases: Vec<CaseResult>,
}

/// "Run the tests of this workflow": all of them by default; an unsaved workflow or suite from
/// the editor may be given instead of the saved ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RunTestsRequest {
    /// The workflow to test (unsaved edits); the saved one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowFile>,
    /// The cases (unsaved edits); the saved suite when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<TestSuite>,
    /// Only the cases with these names; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<String>>,
}

/// A workflow's test suite as stored beside it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TestsState {
    /// The suite (empty when there is no file yet).
    pub suite: TestSuite,
    /// The file name inside the workflows folder, e.g. `lead-processing.tests.json`.
    pub file: String,
    /// Whether the file exists.
    pub exists: bool,
    /// Problems of the suite against the workflow as saved.
    pub diagnostics: Vec<Diagnostic>,
}

/// "Run these rows through the workflow in test mode" (batch test).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct BatchRequest {
    /// One event per row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Json>,
    /// Or CSV text: each row becomes an event (see [`CsvInput`]); its rows come after `rows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvInput>,
    /// The trigger the runs start from (default: the manual trigger, else the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Workflow variables overridden for every row.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, Json>,
    /// Output values to show per row, as `node.path`, e.g. `classify.label`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Rows run at the same time (1 to 64; default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// The workflow to run (unsaved edits); the saved one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowFile>,
}

/// CSV text with a header row. Each column becomes a top-level field of the event named by its
/// header, unless `map` puts it elsewhere. Cells are typed: whole numbers (without leading
/// zeros) and decimals become numbers, `true`/`false` booleans, empty cells are left out, the
/// rest is text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct CsvInput {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub map: Vec<ColumnMap>,
}

/// Where a CSV column goes in the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ColumnMap {
    /// The column's header.
    pub column: String,
    /// Dotted path in the event, e.g. `lead.email` (an `event.` prefix is allowed); empty to
    /// leave the column out.
    pub path: String,
}

/// One row of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BatchRow {
    /// 1-based, in input order (for CSV: the data row, the header not counted).
    pub row: usize,
    pub outcome: Outcome,
    pub route: Route,
    /// The requested columns (`node.path`) that have a value in this row.
    pub values: BTreeMap<String, Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    pub duration_ms: f64,
}

/// How many rows went one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RouteCount {
    /// A route's summary (`classify → hot, crm → out`); empty when nothing branched.
    pub route: String,
    pub count: usize,
}

/// How many rows took one output of one branching node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BranchCount {
    pub node: String,
    /// The output taken; `stopped` when a Filter stopped the branch.
    pub port: String,
    pub count: usize,
}

/// The result of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BatchResult {
    pub workflow: String,
    pub total: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Rows that could not run (a malformed CSV row, an event that is not an object).
    pub invalid: usize,
    pub duration_ms: f64,
    /// The columns asked for.
    pub columns: Vec<String>,
    /// Rows per whole route, most common first; the counts add up to `total`.
    pub routes: Vec<RouteCount>,
    /// Rows per output of each branching node (in plan order, then most common first).
    pub branches: Vec<BranchCount>,
    pub rows: Vec<BatchRow>,
}
