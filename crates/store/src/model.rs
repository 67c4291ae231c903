//! What is stored, as the rest of the app sees it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    Webhook,
    Schedule,
    Manual,
    Workflow,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Webhook => "webhook",
            EventSource::Schedule => "schedule",
            EventSource::Manual => "manual",
            EventSource::Workflow => "workflow",
        }
    }

    pub fn parse(s: &str) -> Option<EventSource> {
        Some(match s {
            "webhook" => EventSource::Webhook,
            "schedule" => EventSource::Schedule,
            "manual" => EventSource::Manual,
            "workflow" => EventSource::Workflow,
            _ => return None,
        })
    }
}

/// An event to put in the inbox, with the workflows (trigger nodes) it starts.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub name: String,
    pub source: EventSource,
    pub payload: Json,
    pub received_at: i64,
    /// Deliveries with the same key are one event: the second gets the first one's id.
    pub idempotency_key: Option<String>,
    pub parent_run: Option<String>,
    pub depth: i64,
    pub targets: Vec<Target>,
}

/// A trigger node of a workflow that an event starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub workflow_id: String,
    pub trigger_node: String,
}

/// The answer to storing an event: its id (the first one's, for a repeated delivery) and the
/// jobs created for it, already leased to this process.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub event_id: String,
    pub duplicate: bool,
    pub jobs: Vec<Job>,
}

/// One delivery of an event to one workflow, leased to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub event_id: String,
    pub workflow_id: String,
    pub trigger_node: String,
    /// Deliveries so far, this one included.
    pub attempts: i64,
}

/// What becomes of a job when its run ends.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    Done,
    /// Moved to dead letters, with the reason.
    Dead(String),
}

/// A finished run, stored in one transaction with its job's outcome and the events it emitted.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    pub run: RunRecord,
    pub job: Option<(i64, JobOutcome)>,
    pub emitted: Vec<NewEvent>,
}

/// A run as stored: one row, its journal a JSON document.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunRecord {
    pub id: String,
    pub job_id: Option<i64>,
    pub event_id: Option<String>,
    pub workflow_id: String,
    pub workflow_version: Option<i64>,
    pub trigger_node: Option<String>,
    /// succeeded | failed | cancelled
    pub status: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub duration_ms: f64,
    pub failed_node: Option<String>,
    pub error: Option<Json>,
    /// Every node: status, input_from, output, error, attempts, duration (the engine's report),
    /// kept as the JSON text it was written as.
    #[schemars(with = "Json")]
    pub journal: Box<RawValue>,
}

/// A run in a list (without its journal).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RunSummary {
    pub id: String,
    pub event_id: Option<String>,
    pub workflow_id: String,
    pub workflow_version: Option<i64>,
    pub trigger_node: Option<String>,
    pub status: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub duration_ms: f64,
    pub failed_node: Option<String>,
    pub error: Option<Json>,
}

/// Which runs to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunFilter {
    pub workflow: Option<String>,
    pub status: Option<String>,
    /// Only runs that started before this time (for paging).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventRecord {
    pub id: String,
    pub name: String,
    pub source: EventSource,
    pub payload: Json,
    pub received_at: i64,
    pub idempotency_key: Option<String>,
    pub parent_run: Option<String>,
    pub depth: i64,
}

/// A job as listed: one delivery of an event to one workflow.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JobInfo {
    pub id: i64,
    pub event_id: String,
    pub workflow_id: String,
    pub trigger_node: String,
    /// queued | leased | done | dead | discarded
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

/// An event with what it caused.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventDetail {
    pub event: EventRecord,
    pub jobs: Vec<JobInfo>,
    pub runs: Vec<RunSummary>,
}

/// A dead letter: a job that will not run again unless retried, with its event.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeadLetter {
    pub job: JobInfo,
    pub event: EventRecord,
}

/// One saved version of a workflow.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VersionInfo {
    pub workflow_id: String,
    pub version: i64,
    /// file | editor | restore
    pub source: String,
    pub saved_at: i64,
}

/// Counts for the health endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct QueueStats {
    pub events: i64,
    pub open_jobs: i64,
    pub dead_letters: i64,
    pub runs: i64,
}
