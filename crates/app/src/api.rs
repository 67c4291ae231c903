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
}

/// The JSON Schema of [`ApiTypes`], canonical text (see `schema/api.schema.json`).
pub fn schema() -> String {
    switchyard_core::file::schema_text(&schemars::schema_for!(ApiTypes))
}
