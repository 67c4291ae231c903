//! Types that cross to the UI (over Tauri IPC or HTTP). `schema/api.schema.json` is generated from
//! them and the UI's TypeScript types from that schema, so neither side is copied by hand.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchyard_core::catalog::Descriptor;
use switchyard_core::{Diagnostic, WorkflowFile};
use switchyard_engine::{LogLine, NodeReport, RunReport};
use switchyard_store::{
    DeadLetter, EventDetail, Metrics, RunFilter, RunLogLine, RunRecord, RunSummary,
};

/// A workflow as listed: what it is, how it starts, and what is wrong with it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct WorkflowSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    /// File name inside the workflows folder, e.g. `lead-processing.json`.
    pub file: String,
    /// Number of nodes on the canvas.
    pub nodes: usize,
    pub triggers: Vec<TriggerInfo>,
    /// Problems found by the compiler; the workflow runs only when none is an error.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether a compiled version is live (it may be an earlier one when the file has errors).
    pub active: bool,
}

/// One way a workflow starts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TriggerInfo {
    pub node: String,
    pub kind: String,
    /// Webhook triggers: the path under `/hooks/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_path: Option<String>,
    /// Event triggers: the event name subscribed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Schedule triggers: the cron expression and its time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Answer to "check this workflow".
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Validation {
    pub diagnostics: Vec<Diagnostic>,
}

/// Answer to "save this workflow".
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Saved {
    pub id: String,
    pub file: String,
    /// Version number in the history (every save is a version).
    pub version: i64,
    pub diagnostics: Vec<Diagnostic>,
}

/// A starting point offered under "New from template".
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// Answer to "read this text as a workflow file" (import): the file when it parses, and every
/// problem found (parse errors carry a line and column).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CheckedText {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<WorkflowFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A failed call, as the UI receives it. The UI branches on `code`, never on `message`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// What the running app says about itself.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Where webhooks (`/hooks/...`) and the JSON API are served, e.g. `http://127.0.0.1:8787`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    /// The folder the workflow files are saved in (desktop app only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflows_dir: Option<String>,
}

/// What an export holds, which decides the file type offered in the save dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// A workflow file (`.json`).
    Json,
    /// A picture of the graph (`.svg`).
    Svg,
    /// A picture of the graph (`.png`); `contents` is base64.
    Png,
    /// A table (`.csv`), e.g. the results of a batch test.
    Csv,
}

/// "Save this export to a file the user picks" (desktop app: a native save dialog).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExportRequest {
    /// The file name proposed in the dialog, e.g. `lead-processing.svg`.
    pub suggested_name: String,
    /// The text to write; base64 of the bytes for `png`.
    pub contents: String,
    pub kind: ExportKind,
}

/// The workspace settings in use (`workspace.json` beside the workflows).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct WorkspaceState {
    pub settings: switchyard_core::Workspace,
    /// The file name inside the workflows folder.
    pub file: String,
    /// Why the file on disk is not in use (the last good settings are), if it has a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A named secret as listed: never its value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SecretSummary {
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SecretList {
    pub secrets: Vec<SecretSummary>,
    /// Where the master key comes from (the OS keychain, a key file ...); none before the
    /// first secret is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<String>,
}

/// "Store this secret" (the value travels only in this request).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SecretValue {
    pub value: String,
}

/// Which version of a workflow a retry from the failed node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryVersion {
    /// The version being served now (fixed since the failure?).
    #[default]
    Current,
    /// The version the failed run ran.
    Original,
}

/// "Retry this run from its failed node".
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RetryRequest {
    #[serde(default)]
    pub version: RetryVersion,
}

/// A run started from an earlier one (re-run, retry): its id, and the stored run when the
/// caller waited for it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunStarted {
    pub run_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunSummary>,
}

/// A replay: the new run, and how it compares with the run it replays (`same_outcome`: the
/// replay was deterministic).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReplayResult {
    pub run: RunSummary,
    pub comparison: RunComparison,
}

/// Two runs side by side, node by node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunComparison {
    pub a: RunSummary,
    pub b: RunSummary,
    /// The nodes of `a` in its order, then those only `b` has.
    pub nodes: Vec<NodeComparison>,
    /// Every node ended the same way (status, output, error) in both.
    pub same_outcome: bool,
    /// The runs' outputs are equal.
    pub same_output: bool,
}

/// One node in two runs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NodeComparison {
    pub node: String,
    /// The node in run `a` (none: it is not in that run's workflow version).
    pub a: Option<NodeReport>,
    pub b: Option<NodeReport>,
    pub status_differs: bool,
    pub output_differs: bool,
    pub error_differs: bool,
    /// Where the outputs differ (at most 50, then `more_differences`).
    pub differences: Vec<ValueDifference>,
    pub more_differences: bool,
    /// `b`'s duration minus `a`'s.
    pub duration_delta_ms: Option<f64>,
}

/// One place where two values differ: a path like `body.items[2].name` (empty: the whole
/// value), and the value on each side (none: absent there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ValueDifference {
    pub path: String,
    pub a: Option<serde_json::Value>,
    pub b: Option<serde_json::Value>,
}

/// The log lines of a run: what was logged while it ran (captured with its run id, secrets
/// scrubbed), and its Log nodes' lines.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunLogs {
    pub run_id: String,
    pub lines: Vec<RunLogLine>,
    pub nodes: Vec<LogLine>,
}

/// A dead letter taken back: its job runs again now.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RetriedJob {
    pub job_id: i64,
    /// Deliveries so far, this one included.
    pub attempts: i64,
}

/// Every type the UI exchanges with the backend, gathered so one schema covers them.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ApiTypes {
    workflow_file: WorkflowFile,
    descriptor: Descriptor,
    diagnostic: Diagnostic,
    workflow_summary: WorkflowSummary,
    validation: Validation,
    saved: Saved,
    template_info: TemplateInfo,
    checked_text: CheckedText,
    api_error: ApiError,
    app_info: AppInfo,
    export_request: ExportRequest,
    workspace_state: WorkspaceState,
    secret_list: SecretList,
    secret_value: SecretValue,
    run_filter: RunFilter,
    retried_job: RetriedJob,
    run_summary: RunSummary,
    run_record: RunRecord,
    run_report: RunReport,
    run_event: switchyard_engine::RunEvent,
    event_detail: EventDetail,
    dead_letter: DeadLetter,
    retry_request: RetryRequest,
    run_started: RunStarted,
    replay_result: ReplayResult,
    run_logs: RunLogs,
    metrics: Metrics,
    live_run_request: crate::LiveRunRequest,
    live_run_outcome: crate::LiveRunOutcome,
    test_suite: switchyard_core::TestSuite,
    tests_state: crate::testing::TestsState,
    run_tests_request: crate::testing::RunTestsRequest,
    suite_result: crate::testing::SuiteResult,
    batch_request: crate::testing::BatchRequest,
    batch_result: crate::testing::BatchResult,
}

/// The JSON Schema of [`ApiTypes`], canonical text (see `schema/api.schema.json`).
pub fn schema() -> String {
    switchyard_core::file::schema_text(&schemars::schema_for!(ApiTypes))
}
