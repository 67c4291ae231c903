//! Types that cross to the UI (over Tauri IPC or HTTP). `schema/api.schema.json` is generated from
//! them and the UI's TypeScript types from that schema, so neither side is copied by hand.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchyard_core::catalog::Descriptor;
use switchyard_core::{Diagnostic, WorkflowFile};

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
    live_run_request: crate::LiveRunRequest,
    live_run_outcome: crate::LiveRunOutcome,
    run_event: switchyard_engine::RunEvent,
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
